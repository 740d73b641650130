/**
 * On-demand client chunks (src/client/chunks.ts): served by the handler from beside the core
 * bundle, loaded once by a script tag under `script-src 'self'`, and refused for names that are
 * not a chunk's.
 */
import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Template } from "../../src/index.js";
import type { LiveHandler } from "../../src/index.js";
import { bundleOf, chromiumAvailable, launchBrowser } from "./harness.js";

const run = chromiumAvailable();
const silent = { debug() {}, info() {}, warn() {}, error() {} };
let browser: Browser;
let handler: LiveHandler;
let server: http.Server;
let base: string;

beforeAll(async () => {
  if (!run) return;
  const dir = mkdtempSync(join(tmpdir(), "lt-chunks-"));
  const fixture = (f: string) => fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url));
  writeFileSync(join(dir, "livetemplate.min.js"), await bundleOf(fixture("chunk-loader-entry.ts")));
  writeFileSync(join(dir, "livetemplate.chunk-probe.js"), await bundleOf(fixture("probe-chunk.ts")));
  writeFileSync(join(dir, "secret.js"), "window.leaked = true;");
  class Page {
    n = 0;
  }
  handler = new Template("p").parse("<p>{{.n}}</p>").handle(Page, { logger: silent, clientScript: { file: join(dir, "livetemplate.min.js") } });
  server = http.createServer((req, res) => {
    res.setHeader("Content-Security-Policy", "script-src 'self'");
    void handler(req, res);
  });
  handler.attach(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await handler?.close();
  server?.close();
});

describe.skipIf(!run)("client chunks", () => {
  it("loads a chunk once from the page URL, under script-src 'self'", async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on("request", (r) => void requests.push(r.url()));
    await page.goto(`${base}/shop?x=1`);
    await page.waitForFunction("'chunkTest' in window");
    const got = await page.evaluate(`(async () => {
      const t = window.chunkTest;
      const [a, b] = await Promise.all([t.loadChunk("probe", location.pathname), t.loadChunk("probe", location.pathname)]);
      const c = await t.loadChunk("probe", location.pathname);
      return [a.answer, a === b && b === c];
    })()`);
    expect(got).toEqual([42, true]);
    const chunkRequests = requests.filter((u) => u.includes("lvt-chunk="));
    expect(chunkRequests).toHaveLength(1);
    expect(new URL(chunkRequests[0]!).pathname).toBe("/shop");
    expect(new URL(chunkRequests[0]!).searchParams.get("lvt-client")).toBeNull();
    await page.close();
  });

  it("rejects a chunk that is missing", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    await page.waitForFunction("'chunkTest' in window");
    const msg = await page.evaluate(`window.chunkTest.loadChunk("nothing", "/").then(() => "loaded", (e) => e.message)`);
    expect(msg).toMatch(/chunk nothing could not be loaded/);
    await page.close();
  });

  it("fetches chunks beside a core served from a URL of its own", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    await page.waitForFunction("'chunkTest' in window");
    const url = await page.evaluate(`(() => {
      window.chunkTest.setCoreSource("https://cdn.example/lt/1.2/livetemplate.min.js");
      return window.chunkTest.chunkUrl("upload", "/page");
    })()`);
    expect(url).toBe("https://cdn.example/lt/1.2/livetemplate.chunk-upload.js");
    await page.close();
  });

  it("serves only files named as chunks, revalidated by ETag", async () => {
    const ok = await fetch(`${base}/?lvt-chunk=probe`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("cache-control")).toBe("no-cache");
    const etag = ok.headers.get("etag")!;
    expect((await fetch(`${base}/?lvt-chunk=probe`, { headers: { "If-None-Match": etag } })).status).toBe(304);
    for (const name of ["../secret", "secret", "PROBE", "probe/../../x", "", "a".repeat(40)]) {
      const r = await fetch(`${base}/?lvt-chunk=${encodeURIComponent(name)}`);
      expect(r.status, name).toBe(404);
      expect(await r.text()).not.toContain("leaked");
    }
  });
});
