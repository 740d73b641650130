// Structure checks run by `npm test` (through `npm run lint`):
// - no import cycle among the files under src/ (type-only imports count: they still tie files);
// - the engine (src/session/) and the change tracking (src/changes/) import no transport:
//   nothing of ws, node:http, node:net or node:stream;
// - no source file under src/ is longer than 500 lines, except the ports of Go's files whose
//   length mirrors Go's (template/parse.ts, exec.ts, fmt.ts, lex.ts).
// Prints every problem and exits 1 when there is one.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(new URL("..", import.meta.url).pathname);
const src = join(root, "src");
const MAX_LINES = 500;
const LONG_PORTS = new Set(["template/parse.ts", "template/exec.ts", "template/fmt.ts", "template/lex.ts"]);
const NO_TRANSPORT = ["session/", "changes/"];
const TRANSPORT_MODULES = /^(ws|node:http|node:https|node:net|node:stream|http|https|net|stream)$/;

const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".d.ts")) files.push(p);
  }
};
walk(src);

const importRe = /(?:^|\n)\s*(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']|(?:^|\n)\s*import\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
const problems = [];
const graph = new Map();
for (const file of files) {
  const rel = relative(src, file);
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
  if (lines > MAX_LINES && !LONG_PORTS.has(rel)) problems.push(`${rel}: ${lines} lines (limit ${MAX_LINES}): split it by concern`);
  const deps = [];
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec.startsWith(".")) {
      deps.push(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
    } else if (NO_TRANSPORT.some((d) => rel.startsWith(d)) && TRANSPORT_MODULES.test(spec)) {
      problems.push(`${rel}: imports "${spec}"; the engine and change tracking know no transport`);
    }
  }
  graph.set(file, deps.filter((d) => d !== file));
}

// Tarjan's strongly connected components: every component of more than one file is a cycle.
let index = 0;
const stack = [];
const state = new Map();
const strong = (v) => {
  const s = { index, low: index, on: true };
  index++;
  state.set(v, s);
  stack.push(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    const t = state.get(w);
    if (t === undefined) {
      strong(w);
      s.low = Math.min(s.low, state.get(w).low);
    } else if (t.on) s.low = Math.min(s.low, t.index);
  }
  if (s.low === s.index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      state.get(w).on = false;
      component.push(relative(src, w));
    } while (w !== v);
    if (component.length > 1) problems.push(`import cycle: ${component.sort().join(" <-> ")}`);
  }
};
for (const v of graph.keys()) if (!state.has(v)) strong(v);

if (problems.length > 0) {
  for (const p of problems) console.error(`check-structure: ${p}`);
  process.exit(1);
}
console.log(`check-structure: ${files.length} files, no import cycle, none over ${MAX_LINES} lines, engine free of transports`);
