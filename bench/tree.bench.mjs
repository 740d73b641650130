// Live tree benchmark: bytes and CPU per update for a counter plus a keyed list of N rows.
// Run: npm run bench -- tree   (or, after a build: node bench/tree.bench.mjs)
// Each row of the table is one kind of update at one list size:
//   hint µs   executeUpdates with the change hint (the paths the action wrote)
//   full µs   executeUpdates without a hint (whole re-render + diff)
//   bytes     JSON bytes of the update
//   html B    bytes of the whole page HTML (what an HTML-swap framework sends)
//   ours µs   plain execute() of the whole page with our engine
//   hbs µs    the same page rendered by Handlebars
//   floor B   JSON bytes of only the changed values (the information floor)
import Handlebars from "handlebars";
import { Template } from "../dist/index.js";

const TEXT = '<p>Count: {{.Count}}</p><ul>{{range .Rows}}<li data-key="{{.ID}}">{{.Name}}: {{.Value}}</li>{{end}}</ul>';
const HBS = Handlebars.compile('<p>Count: {{Count}}</p><ul>{{#each Rows}}<li data-key="{{ID}}">{{Name}}: {{Value}}</li>{{/each}}</ul>');

let nextId = 1_000_000;
const makeRows = (n) => Array.from({ length: n }, (_, i) => ({ ID: i + 1, Name: `Item ${i + 1}`, Value: i % 97 }));

// Each kind turns a state into the next one and says what was written (as a write journal would).
const KINDS = {
  "increment counter": (s) => ({ next: { ...s, Count: s.Count + 1 }, changed: [["Count"]], floor: s.Count + 1 }),
  "change one row": (s) => {
    const k = s.Rows.length >> 1;
    const Rows = s.Rows.slice();
    Rows[k] = { ...Rows[k], Value: Rows[k].Value + 1 };
    return { next: { ...s, Rows }, changed: [["Rows", k, "Value"]], floor: { ID: Rows[k].ID, Value: Rows[k].Value } };
  },
  "append a row": (s) => {
    const row = { ID: nextId++, Name: "New item", Value: 1 };
    return { next: { ...s, Rows: [...s.Rows, row] }, changed: [["Rows", s.Rows.length], ["Rows", "length"]], floor: row };
  },
  "remove a row": (s) => {
    const k = s.Rows.length >> 1;
    return { next: { ...s, Rows: s.Rows.filter((_, i) => i !== k) }, changed: [["Rows"]], floor: s.Rows[k].ID };
  },
  "move a row": (s) => {
    const k = s.Rows.length >> 2;
    const Rows = s.Rows.slice();
    const [row] = Rows.splice(k, 1);
    Rows.splice(Rows.length - 1, 0, row);
    return { next: { ...s, Rows }, changed: [["Rows"]], floor: { ID: row.ID, after: Rows[Rows.length - 3].ID } };
  },
  "replace all rows": (s) => {
    const Rows = s.Rows.map((r) => ({ ID: nextId++, Name: r.Name, Value: r.Value + 1 }));
    return { next: { ...s, Rows }, changed: [["Rows"]], floor: Rows };
  },
};

// Median of timed runs; cheap operations get more runs (up to 3,000 or ~0.4 s of timed work).
function timeIt(minIters, setup, run) {
  const samples = [];
  let spent = 0;
  while (samples.length < minIters || (samples.length < 3000 && spent < 400_000)) {
    const arg = setup();
    const t0 = process.hrtime.bigint();
    run(arg);
    const us = Number(process.hrtime.bigint() - t0) / 1000;
    samples.push(us);
    spent += us;
    if (samples.length >= minIters && spent > 400_000) break;
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const rows = [];
const oneRow = {};
for (const n of [10, 100, 1000, 10000]) {
  const base = { Count: 5, Rows: makeRows(n) };
  const iters = n >= 10000 ? 5 : 15;
  for (const [kind, step] of Object.entries(KINDS)) {
    const t = new Template("bench").parse(TEXT);
    const probe = step(base);
    t.executeUpdates(base);
    const bytes = JSON.stringify(t.executeUpdates(probe.next, { changed: probe.changed })).length;
    // Every timed call starts from `base` as the client's tree.
    const measure = (useHint) =>
      timeIt(
        iters,
        () => {
          const p = step(base);
          t.executeUpdates(base, useHint ? { changed: p.changed } : {});
          return p;
        },
        (p) => t.executeUpdates(p.next, useHint ? { changed: p.changed } : {}),
      );
    const hint = measure(true);
    const full = measure(false);
    const html = t.execute(probe.next);
    const ours = timeIt(iters, () => probe.next, (s) => t.execute(s));
    const hbs = timeIt(iters, () => probe.next, (s) => HBS(s));
    if (HBS(probe.next) !== html) throw new Error("handlebars page differs from ours");
    const floor = JSON.stringify(probe.floor).length;
    rows.push({ n, kind, hint, full, bytes, html: html.length, ours, hbs, floor });
    if (kind === "change one row") oneRow[n] = hint;
  }
}

console.log("| N | update | hint µs | full µs | bytes | html B | ours µs | hbs µs | floor B |");
console.log("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows) {
  console.log(`| ${r.n} | ${r.kind} | ${fmt(r.hint)} | ${fmt(r.full)} | ${r.bytes} | ${r.html} | ${fmt(r.ours)} | ${fmt(r.hbs)} | ${r.floor} |`);
}
console.log(`\none-row change with hint, N=10,000 / N=100: ${(oneRow[10000] / oneRow[100]).toFixed(2)}x`);
