/**
 * Shared pieces of the browser tests: whether Chromium is there, launching it, and building the
 * client bundle from the current sources (in memory, so tests never depend on a stale dist/).
 */
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import type { Browser } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/** True when browser tests can run; throws when they must run (LT_REQUIRE_EXTERNAL=1) but cannot. */
export function chromiumAvailable(): boolean {
  const ok = existsSync(CHROMIUM);
  if (!ok && process.env["LT_REQUIRE_EXTERNAL"] === "1") throw new Error(`${CHROMIUM} is required (LT_REQUIRE_EXTERNAL=1)`);
  return ok;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

const bundles = new Map<string, Promise<string>>();

/** The client bundle, built as scripts/build.mjs builds it: the minified IIFE, or the ES module. */
export function clientBundle(format: "iife" | "esm" = "iife"): Promise<string> {
  let b = bundles.get(format);
  if (!b) {
    b = build({
      entryPoints: [fileURLToPath(new URL("../../src/client/index.ts", import.meta.url))],
      bundle: true,
      target: "es2020",
      legalComments: "none",
      define: { DEV_MODE: "false" },
      format,
      minify: format === "iife",
      write: false,
    }).then((r) => r.outputFiles[0]?.text ?? "");
    bundles.set(format, b);
  }
  return b;
}

/**
 * Writes the client as scripts/build.mjs lays it out into `dir`: `livetemplate.min.js` and one
 * `livetemplate.chunk-<name>.js` per `src/client/<name>/chunk.ts`. Returns the core's path, for
 * the handler option `clientScript.file` (chunks are served from beside it).
 */
export async function writeClientFiles(dir: string): Promise<string> {
  const core = join(dir, "livetemplate.min.js");
  writeFileSync(core, await clientBundle());
  const clientDir = fileURLToPath(new URL("../../src/client/", import.meta.url));
  for (const name of readdirSync(clientDir)) {
    const entry = join(clientDir, name, "chunk.ts");
    if (existsSync(entry)) writeFileSync(join(dir, `livetemplate.chunk-${name}.js`), await bundleOf(entry));
  }
  return core;
}

/** One entry point bundled as a minified IIFE, as the build does for chunks. */
export async function bundleOf(entry: string): Promise<string> {
  const r = await build({ entryPoints: [entry], bundle: true, target: "es2020", legalComments: "none", define: { DEV_MODE: "false" }, format: "iife", minify: true, write: false });
  return r.outputFiles[0]?.text ?? "";
}

/** Polls `check` until it returns true (the browser does things asynchronously). */
export async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}
