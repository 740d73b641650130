// Why an insert in a 10,000-row list costs more in tree.bench.mjs than at 100 rows: the same
// update (the journal's hint for one row inserted or removed in the middle) timed with the CPU
// caches in three states. Run after a build: node bench/list-edit-cache.mjs [LT_DIST=<dist dir>]
//   warm     the way back (untimed), then the update: nothing else runs in between
//   bench    as tree.bench.mjs: a whole render and diff of the list on another instance, then
//            the way back (untimed), then the update
//   swept    as warm, but 400,000 unrelated objects (about 10 MB) are read before the way back
//   cold     as warm, but those objects are read between the way back and the update
// Medians of 2,000 updates, µs.
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const DIST = pathToFileURL(resolve(process.env.LT_DIST ?? new URL("../dist", import.meta.url).pathname)).href;
const { Template } = await import(`${DIST}/index.js`);
const { WriteJournal } = await import(`${DIST}/changes/journal.js`);
const TEXT = '<p>Count: {{.Count}}</p><ul>{{range .Rows}}<li data-key="{{.ID}}">{{.Name}}: {{.Value}}</li>{{end}}</ul>';
const makeRows = (n) => Array.from({ length: n }, (_, i) => ({ ID: i + 1, Name: `Item ${i + 1}`, Value: i % 97 }));
const EDITS = {
  insert: (s) => void s.Rows.splice(s.Rows.length >> 1, 0, { ID: 1_000_000, Name: "New item", Value: 1 }),
  remove: (s) => void s.Rows.splice(s.Rows.length >> 1, 1),
};
const junk = Array.from({ length: 400_000 }, (_, k) => ({ a: k }));
let sink = 0;
const sweep = () => {
  let x = 0;
  for (let k = 0; k < junk.length; k++) x += junk[k].a;
  sink += x;
};

function median(edit, n, mode) {
  const base = { Count: 5, Rows: makeRows(n) };
  const next = { ...base, Rows: base.Rows.slice() };
  const j = new WriteJournal();
  EDITS[edit](j.wrap(next, []));
  j.close();
  const changed = j.hintPaths();
  const back = changed.map((e) => (Array.isArray(e) ? e : { list: e.list, splices: e.splices.map(([at, r, a]) => [at, a, r]).reverse() }));
  const t = new Template("bench").parse(TEXT);
  const other = new Template("bench").parse(TEXT);
  t.executeUpdates(base);
  other.executeUpdates(base);
  const samples = [];
  for (let i = 0; i < 2000; i++) {
    if (mode === "bench") {
      other.executeUpdates(next);
      other.executeUpdates(base);
    }
    if (mode === "swept") sweep();
    t.executeUpdates(base, { changed: back });
    if (mode === "cold") sweep();
    const t0 = process.hrtime.bigint();
    t.executeUpdates(next, { changed });
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

// Warm the JIT on both paths first, so that the first figure is not the compiler's.
for (const edit of Object.keys(EDITS)) median(edit, 100, "warm");
console.log(`dist: ${DIST}`);
console.log("| edit | caches | N=100 µs | N=10,000 µs | ratio |");
console.log("|---|---|---:|---:|---:|");
for (const edit of Object.keys(EDITS)) {
  for (const mode of ["warm", "bench", "swept", "cold"]) {
    const a = median(edit, 100, mode);
    const b = median(edit, 10_000, mode);
    console.log(`| ${edit} | ${mode} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b / a).toFixed(2)}x |`);
  }
}
if (sink === 0) console.log("");
