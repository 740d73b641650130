// The first render of the tree bench page by two builds and Handlebars in one process, timed in
// a shuffled order each round (medians over BENCH_SECS seconds, default 6), for before/after
// comparisons that the load of a shared machine would otherwise swamp.
// Run: LT_DIST_A=<before>/dist [LT_DIST_B=<after>/dist] node bench/full-render-ab.mjs html|tree|json N
//   html  execute (the page HTML)
//   tree  executeUpdates on an instance holding no tree (the full tree of a new connection)
//   json  the same, serialised
// LT_DIST_B defaults to this checkout's dist/. Both builds' outputs are checked equal first.
import Handlebars from "handlebars";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const load = (dir) => import(`${pathToFileURL(resolve(dir)).href}/index.js`);
if (!process.env.LT_DIST_A) throw new Error("set LT_DIST_A to the dist/ directory of the build to compare with");
const A = await load(process.env.LT_DIST_A);
const B = await load(process.env.LT_DIST_B ?? new URL("../dist", import.meta.url).pathname);
const TEXT = '<p>Count: {{.Count}}</p><ul>{{range .Rows}}<li data-key="{{.ID}}">{{.Name}}: {{.Value}}</li>{{end}}</ul>';
const HBS = Handlebars.compile('<p>Count: {{Count}}</p><ul>{{#each Rows}}<li data-key="{{ID}}">{{Name}}: {{Value}}</li>{{/each}}</ul>');
const mode = process.argv[2] ?? "html";
const n = Number(process.argv[3] ?? 10000);
const data = { Count: 5, Rows: Array.from({ length: n }, (_, i) => ({ ID: i + 1, Name: `Item ${i + 1}`, Value: i % 97 })) };
const run = (t) => {
  if (mode === "html") return () => t.execute(data);
  return () => {
    t.reset();
    const tree = t.executeUpdates(data);
    return mode === "json" ? JSON.stringify(tree) : tree;
  };
};
const fa = run(new A.Template("bench").parse(TEXT));
const fb = run(new B.Template("bench").parse(TEXT));
if (JSON.stringify(fa()) !== JSON.stringify(fb())) throw new Error("the two builds' outputs differ");
const fns = [fa, fb, () => HBS(data)];
const samples = fns.map(() => []);
const until = Date.now() + Number(process.env.BENCH_SECS ?? 6) * 1000;
while (Date.now() < until) {
  const order = [0, 1, 2].sort(() => Math.random() - 0.5);
  for (const i of order) {
    const t0 = process.hrtime.bigint();
    fns[i]();
    samples[i].push(Number(process.hrtime.bigint() - t0) / 1000);
  }
}
const [a, b, h] = samples.map((s) => s.sort((x, y) => x - y)[s.length >> 1]);
console.log(
  `${mode} N=${n}: A ${a.toFixed(0)} µs, B ${b.toFixed(0)} µs, Handlebars ${h.toFixed(0)} µs | B/A ${(b / a).toFixed(2)}x, A/hbs ${(a / h).toFixed(2)}x, B/hbs ${(b / h).toFixed(2)}x`,
);
