// Live-tree fuzzer: random templates and random journeys of states, checked after every step
// against the published client's TreeRenderer (PROTOCOL.md §7). Uses the built dist/; the journey
// harness (test/tree/run-journey.ts, not part of the package) is bundled with esbuild at start.
//   npm run fuzz                       # 100,000 journeys x 50 steps (millions of steps)
//   node scripts/fuzz.mjs 2000 50      # journeys, steps per journey
//   node scripts/fuzz.mjs 1 50 --seed 123 --path 0:0   # replay a failure (fast-check seed + path)
//   node scripts/fuzz.mjs 1 50 --journey 806395353     # replay one journey, printing each update
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import fc from "fast-check";
import { Template } from "../dist/index.js";

const harnessDir = mkdtempSync(join(tmpdir(), "lt-fuzz-"));
const harness = join(harnessDir, "run-journey.mjs");
await esbuild.build({
  entryPoints: [new URL("../test/tree/run-journey.ts", import.meta.url).pathname],
  bundle: true,
  platform: "node",
  format: "esm",
  outfile: harness,
  logLevel: "warning",
});
const { runJourney } = await import(pathToFileURL(harness).href);
process.on("exit", () => rmSync(harnessDir, { recursive: true, force: true }));

const require = createRequire(import.meta.url);
const { TreeRenderer } = require("@livetemplate/client/dist/state/tree-renderer.js");
const quiet = { debug() {}, info() {}, warn() {}, error() {}, isDebugEnabled: () => false };
class Client {
  r = new TreeRenderer(quiet);
  apply(u) {
    return this.r.applyUpdate(JSON.parse(JSON.stringify(u))).html;
  }
}

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const positional = args.filter((a, i) => !a.startsWith("--") && !(i > 0 && args[i - 1].startsWith("--")));
const journeys = Number(positional[0] ?? 100_000);
const length = Number(positional[1] ?? 50);
const seed = opt("--seed") !== undefined ? Number(opt("--seed")) : Date.now() % 2 ** 31;

// Replay one journey by its own seed (as printed in a failure message), logging every update.
if (opt("--journey") !== undefined) {
  const log = (step, update, changed) => console.log(step, JSON.stringify(changed), JSON.stringify(update));
  runJourney(Number(opt("--journey")), length, { Template, newClient: () => new Client(), log });
  console.log("ok");
  process.exit(0);
}

let steps = 0;
let runs = 0;
const started = Date.now();
const result = fc.check(
  fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (s) => {
    steps += runJourney(s, length, { Template, newClient: () => new Client() });
    if (++runs % 1000 === 0) {
      const secs = (Date.now() - started) / 1000;
      console.log(`${runs} journeys, ${steps} steps, ${Math.round(steps / secs)} steps/s`);
    }
  }),
  { numRuns: journeys, seed, ...(opt("--path") ? { path: opt("--path") } : {}) },
);
if (result.failed) {
  console.error(`FAILED: fast-check seed ${result.seed}, path ${result.counterexamplePath}`);
  console.error(`replay: node scripts/fuzz.mjs 1 ${length} --seed ${result.seed} --path ${result.counterexamplePath}`);
  console.error(String(result.errorInstance ?? result.error));
  process.exit(1);
}
console.log(`ok: ${runs} journeys, ${steps} steps checked (fast-check seed ${seed})`);
