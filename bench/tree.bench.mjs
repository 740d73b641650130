// Live tree benchmark: bytes and CPU per update for a counter plus a keyed list of N rows.
// Run: npm run bench -- tree   (or, after a build: node bench/tree.bench.mjs)
// Each row of the table is one kind of update at one list size (BENCH_N=100,10000 picks sizes):
//   journal paths  number of paths the server's write journal records for the action
//   journal µs     executeUpdates given those paths (what the live handler passes)
//   hint µs   executeUpdates with a hand-written hint (the written field, or ["Rows"] for a
//             remove, a move or a replace: the whole list may differ)
//   full µs   executeUpdates without a hint (whole re-render + diff)
//   bytes     JSON bytes of the update
//   html B    bytes of the whole page HTML (what an HTML-swap framework sends)
//   ours µs   plain execute() of the whole page with our engine
//   hbs µs    the same page rendered by Handlebars
//   floor B   JSON bytes of only the changed values (the information floor)
import Handlebars from "handlebars";
import { Template } from "../dist/index.js";
import { WriteJournal } from "../dist/changes/journal.js";

const TEXT = '<p>Count: {{.Count}}</p><ul>{{range .Rows}}<li data-key="{{.ID}}">{{.Name}}: {{.Value}}</li>{{end}}</ul>';
const HBS = Handlebars.compile('<p>Count: {{Count}}</p><ul>{{#each Rows}}<li data-key="{{ID}}">{{Name}}: {{Value}}</li>{{/each}}</ul>');

let nextId = 1_000_000;
const makeRows = (n) => Array.from({ length: n }, (_, i) => ({ ID: i + 1, Name: `Item ${i + 1}`, Value: i % 97 }));

// Each kind is an action on a private copy of the state (`prep` makes the parts it changes private
// without recording anything), run through the server's write journal to get the paths it writes,
// plus the hint a caller without a journal would give (`hint`) and the information floor.
const KINDS = {
  "increment counter": {
    act: (s) => void s.Count++,
    hint: () => [["Count"]],
    floor: (s) => s.Count,
  },
  "change one row": {
    prep: (s) => void (s.Rows[s.Rows.length >> 1] = { ...s.Rows[s.Rows.length >> 1] }),
    act: (s) => void s.Rows[s.Rows.length >> 1].Value++,
    hint: (s) => [["Rows", s.Rows.length >> 1, "Value"]],
    floor: (s) => ({ ID: s.Rows[s.Rows.length >> 1].ID, Value: s.Rows[s.Rows.length >> 1].Value }),
  },
  "append a row": {
    act: (s) => void s.Rows.push({ ID: nextId++, Name: "New item", Value: 1 }),
    hint: (s) => [["Rows", s.Rows.length - 1], ["Rows", "length"]],
    floor: (s) => s.Rows[s.Rows.length - 1],
  },
  "remove a row": {
    act: (s) => void s.Rows.splice(s.Rows.length >> 1, 1),
    hint: () => [["Rows"]],
    floor: (s, base) => base.Rows[base.Rows.length >> 1].ID,
  },
  "move a row": {
    // Splice out at N/4, splice back in before the last row.
    act: (s) => {
      const [row] = s.Rows.splice(s.Rows.length >> 2, 1);
      s.Rows.splice(s.Rows.length - 1, 0, row);
    },
    hint: () => [["Rows"]],
    floor: (s, base) => ({ ID: base.Rows[base.Rows.length >> 2].ID, after: s.Rows[s.Rows.length - 3].ID }),
  },
  "replace all rows": {
    act: (s) => void (s.Rows = s.Rows.map((r) => ({ ID: nextId++, Name: r.Name, Value: r.Value + 1 }))),
    hint: () => [["Rows"]],
    floor: (s) => s.Rows,
  },
};

/** The next state and the paths the write journal records for `kind` applied to `base`. */
function journaled(kind, base) {
  const next = { ...base, Rows: base.Rows.slice() };
  kind.prep?.(next);
  const j = new WriteJournal();
  kind.act(j.wrap(next, []));
  j.close();
  return { next, changed: j.hintPaths() };
}

// Medians of timed runs of several variants, interleaved (each round runs every variant once, in
// a shuffled order: a fixed rotation would put the same variant after the expensive one, which
// then pays for its garbage) so that garbage collection and JIT warm-up fall on all of them alike.
// Cheap operations get more rounds (up to 3,000 or ~0.4 s of timed work per variant).
let seed = 12345;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
function timeAll(minIters, variants) {
  const samples = variants.map(() => []);
  const order = variants.map((_, i) => i);
  let spent = 0;
  for (let round = 0; round < 3000; round++) {
    if (round >= minIters && spent > 400_000 * variants.length) break;
    for (let i = order.length - 1; i > 0; i--) {
      const r = Math.floor(random() * (i + 1));
      [order[i], order[r]] = [order[r], order[i]];
    }
    for (const k of order) {
      const arg = variants[k].setup();
      const t0 = process.hrtime.bigint();
      variants[k].run(arg);
      const us = Number(process.hrtime.bigint() - t0) / 1000;
      samples[k].push(us);
      spent += us;
    }
  }
  return samples.map((s) => s.sort((a, b) => a - b)[s.length >> 1]);
}

const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const onlyN = process.env.BENCH_N ? process.env.BENCH_N.split(",").map(Number) : [10, 100, 1000, 10000];
const rows = [];
const ratio = {};
for (const n of onlyN) {
  const base = { Count: 5, Rows: makeRows(n) };
  const iters = n >= 10000 ? 9 : 15;
  for (const [name, kind] of Object.entries(KINDS)) {
    const t = new Template("bench").parse(TEXT);
    const { next, changed: journal } = journaled(kind, base);
    const hint = kind.hint(next);
    // Every timed call starts from `base` as the client's tree; the journal's paths also cover
    // the way back (the same indices differ).
    const variant = (opts) => ({
      setup: () => t.executeUpdates(base, opts),
      run: () => t.executeUpdates(next, opts),
    });
    t.executeUpdates(base);
    const updates = [{ changed: journal }, { changed: hint }, {}].map((opts) => {
      t.executeUpdates(base, opts);
      return JSON.stringify(t.executeUpdates(next, opts));
    });
    if (updates[0] !== updates[2] || updates[1] !== updates[2]) throw new Error(`${name}: hinted and unhinted updates differ`);
    const [jour, hinted, full] = timeAll(iters, [variant({ changed: journal }), variant({ changed: hint }), variant({})]);
    const html = t.execute(next);
    const [ours, hbs] = timeAll(iters, [
      { setup: () => next, run: (s) => t.execute(s) },
      { setup: () => next, run: (s) => HBS(s) },
    ]);
    if (HBS(next) !== html) throw new Error("handlebars page differs from ours");
    const floor = JSON.stringify(kind.floor(next, base)).length;
    rows.push({ n, name, jour, hinted, full, bytes: updates[0].length, html: html.length, ours, hbs, floor, paths: journal.length });
    (ratio[name] ??= {})[n] = jour;
  }
}

console.log("| N | update | journal paths | journal µs | hint µs | full µs | bytes | html B | ours µs | hbs µs | floor B |");
console.log("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows) {
  console.log(
    `| ${r.n} | ${r.name} | ${r.paths} | ${fmt(r.jour)} | ${fmt(r.hinted)} | ${fmt(r.full)} | ${r.bytes} | ${r.html} | ${fmt(r.ours)} | ${fmt(r.hbs)} | ${r.floor} |`,
  );
}
if (ratio["change one row"]?.[10000] && ratio["change one row"]?.[100]) {
  console.log("");
  for (const name of Object.keys(KINDS)) {
    console.log(`${name} with the journal's paths, N=10,000 / N=100: ${(ratio[name][10000] / ratio[name][100]).toFixed(2)}x`);
  }
}
