// Live tree benchmark: bytes and CPU per update for a counter plus a keyed list of N rows.
// Run: npm run bench -- tree   (or, after a build: node bench/tree.bench.mjs)
// LT_DIST=<dir> measures another build's dist/ (e.g. a worktree of an older commit).
// Each row of the table is one kind of update at one list size (BENCH_N=100,10000 picks sizes):
//   journal paths  number of entries the server's write journal records for the action (a list
//                  edited by splice/shift/unshift is one entry listing its splices)
//   act µs         the action run through the write journal, plus reading its hint
//   journal µs     executeUpdates given that hint (what the live handler passes)
//   hint µs   executeUpdates with a hand-written hint (the written field, or ["Rows"] for a
//             remove, a move or a replace: the whole list may differ)
//   full µs   executeUpdates without a hint (whole re-render + diff)
//   bytes     JSON bytes of the update
//   html B    bytes of the whole page HTML (what an HTML-swap framework sends)
//   ours µs   plain execute() of the whole page with our engine
//   hbs µs    the same page rendered by Handlebars
//   floor B   JSON bytes of only the changed values (the information floor)
// A last table times the first render of a page at each N: the page HTML (execute), the full
// tree a new connection gets (executeUpdates on an instance holding no tree) and that tree as
// JSON text, against Handlebars rendering the same HTML.
import Handlebars from "handlebars";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const DIST = pathToFileURL(resolve(process.env.LT_DIST ?? new URL("../dist", import.meta.url).pathname)).href;
const { Template } = await import(`${DIST}/index.js`);
const { WriteJournal } = await import(`${DIST}/changes/journal.js`);

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
  "insert a row": {
    act: (s) => void s.Rows.splice(s.Rows.length >> 1, 0, { ID: nextId++, Name: "New item", Value: 1 }),
    hint: () => [["Rows"]],
    floor: (s) => s.Rows[s.Rows.length >> 1],
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

/** The hint that takes `next` back to `base`: splices inverted in reverse order, paths as they are. */
function reverseHint(hint) {
  return hint.map((e) => (Array.isArray(e) ? e : { list: e.list, splices: e.splices.map(([at, r, a]) => [at, a, r]).reverse() }));
}

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
    // Every timed call starts from `base` as the client's tree. Written paths also cover the way
    // back (the same indices differ); a list's splices are undone by the inverse splices.
    const back = (opts) => (opts.changed ? { changed: reverseHint(opts.changed) } : opts);
    const variant = (opts) => ({
      setup: () => t.executeUpdates(base, back(opts)),
      run: () => t.executeUpdates(next, opts),
    });
    t.executeUpdates(base);
    const updates = [{ changed: journal }, { changed: hint }, {}].map((opts) => {
      t.executeUpdates(base, back(opts));
      return JSON.stringify(t.executeUpdates(next, opts));
    });
    if (updates[0] !== updates[2] || updates[1] !== updates[2]) throw new Error(`${name}: hinted and unhinted updates differ`);
    // The way back must be right too (the timed calls start from it).
    const u = new Template("bench").parse(TEXT);
    u.executeUpdates(next);
    if (JSON.stringify(t.executeUpdates(base, back({ changed: journal }))) !== JSON.stringify(u.executeUpdates(base))) {
      throw new Error(`${name}: the hint back differs from a whole render`);
    }
    const [jour, hinted, full] = timeAll(iters, [variant({ changed: journal }), variant({ changed: hint }), variant({})]);
    // The action itself through the journal, on a fresh private copy each time (copy not timed).
    const [act] = timeAll(iters, [
      {
        setup: () => {
          const s = { ...base, Rows: base.Rows.slice() };
          kind.prep?.(s);
          return s;
        },
        run: (s) => {
          const j = new WriteJournal();
          kind.act(j.wrap(s, []));
          j.close();
          j.hintPaths();
        },
      },
    ]);
    const html = t.execute(next);
    const [ours, hbs] = timeAll(iters, [
      { setup: () => next, run: (s) => t.execute(s) },
      { setup: () => next, run: (s) => HBS(s) },
    ]);
    if (HBS(next) !== html) throw new Error("handlebars page differs from ours");
    const floor = JSON.stringify(kind.floor(next, base)).length;
    rows.push({ n, name, act, jour, hinted, full, bytes: updates[0].length, html: html.length, ours, hbs, floor, paths: journal.length });
    (ratio[name] ??= {})[n] = { jour, act };
  }
}

console.log(`dist: ${DIST}`);
console.log("| N | update | journal paths | act µs | journal µs | hint µs | full µs | bytes | html B | ours µs | hbs µs | floor B |");
console.log("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows) {
  console.log(
    `| ${r.n} | ${r.name} | ${r.paths} | ${fmt(r.act)} | ${fmt(r.jour)} | ${fmt(r.hinted)} | ${fmt(r.full)} | ${r.bytes} | ${r.html} | ${fmt(r.ours)} | ${fmt(r.hbs)} | ${r.floor} |`,
  );
}
if (ratio["change one row"]?.[10000] && ratio["change one row"]?.[100]) {
  // One row of each edit at N=100 and N=10,000 side by side: the server's update with the
  // journal's hint, and the action through the journal.
  console.log("");
  console.log("| update | N=100 journal µs | N=10,000 journal µs | ratio | N=100 act µs | N=10,000 act µs | ratio |");
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  for (const name of Object.keys(KINDS)) {
    const [a, b] = [ratio[name][100], ratio[name][10000]];
    console.log(`| ${name} | ${fmt(a.jour)} | ${fmt(b.jour)} | ${(b.jour / a.jour).toFixed(2)}x | ${fmt(a.act)} | ${fmt(b.act)} | ${(b.act / a.act).toFixed(2)}x |`);
  }
}

// The first render of the page: HTML, and the full tree for a new connection (timed interleaved
// with Handlebars, like every figure above).
console.log("");
console.log("| N | html µs | full tree µs | tree + JSON µs | hbs µs | html / hbs | tree / hbs |");
console.log("|---:|---:|---:|---:|---:|---:|---:|");
for (const n of onlyN) {
  const data = { Count: 5, Rows: makeRows(n) };
  const t = new Template("bench").parse(TEXT);
  if (HBS(data) !== t.execute(data)) throw new Error("handlebars page differs from ours");
  const [html, tree, json, hbs] = timeAll(n >= 10000 ? 9 : 15, [
    { setup: () => data, run: (d) => t.execute(d) },
    { setup: () => t.reset(), run: () => t.executeUpdates(data) },
    { setup: () => t.reset(), run: () => JSON.stringify(t.executeUpdates(data)) },
    { setup: () => data, run: (d) => HBS(d) },
  ]);
  console.log(`| ${n} | ${fmt(html)} | ${fmt(tree)} | ${fmt(json)} | ${fmt(hbs)} | ${(html / hbs).toFixed(2)}x | ${(tree / hbs).toFixed(2)}x |`);
}
