// Browser client benchmark: time for the client to apply a server message to a 1,000-row keyed
// list in Chromium (JSON parse, tree merge, render, DOM patch, then a forced layout), for a
// one-row change and for a full replacement of every row. Our client (dist/client) and the
// published @livetemplate/client bundle run against the same small server, one after the other.
//
//   npm run build && node bench/client.bench.mjs [oneRowReps] [fullReps]
//
// Also prints the gzipped size of both bundles.
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { WebSocketServer } from "ws";

const root = new URL("..", import.meta.url).pathname;
const oursFile = root + "dist/client/livetemplate.min.js";
const theirsFile = root + "node_modules/@livetemplate/client/dist/livetemplate-client.browser.js";
if (!existsSync(oursFile)) {
  console.error("dist/client/livetemplate.min.js is missing: run `npm run build` first");
  process.exit(1);
}
const ONE = Number(process.argv[2] ?? 300);
const FULL = Number(process.argv[3] ?? 60);
const ROWS = 1000;

const itemStatics = ['<li data-key="', '"><span class="t">', "</span> <b>", "</b></li>"];
const items = (prefix) => Array.from({ length: ROWS }, (_, i) => ({ 0: `${prefix}${i}`, 1: `Row ${i} of ${prefix}`, 2: i }));
const fullTree = () => ({ s: ['<h1>Rows</h1><ul id="list">', "</ul>"], 0: { s: itemStatics, d: items("a"), m: { idKey: "0" } } });
const pageHtml = (script) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><script src="/probe.js"></script></head><body>` +
  `<div data-lvt-id="lvt-00000000000000aa" data-lvt-loading="true"></div><script src="${script}"></script></body></html>`;

// Loaded before the client: times every WebSocket message handler, plus a forced layout.
const probe = `
  window.__times = [];
  const Base = window.WebSocket;
  const desc = Object.getOwnPropertyDescriptor(Base.prototype, "onmessage");
  Object.defineProperty(Base.prototype, "onmessage", {
    configurable: true,
    get() { return desc.get.call(this); },
    set(fn) {
      desc.set.call(this, fn && function (e) {
        const t0 = performance.now();
        fn.call(this, e);
        void document.body.offsetHeight;
        window.__times.push(performance.now() - t0);
      });
    },
  });`;

const scripts = { "/ours.js": readFileSync(oursFile), "/theirs.js": readFileSync(theirsFile), "/probe.js": Buffer.from(probe) };
const sockets = new Set();
const server = createServer((req, res) => {
  res.setHeader("X-LiveTemplate-WebSocket", "enabled");
  const path = new URL(req.url, "http://x").pathname;
  if (scripts[path]) {
    res.setHeader("Content-Type", "text/javascript");
    return res.end(scripts[path]);
  }
  if (req.method === "HEAD") return res.end();
  res.setHeader("Content-Type", "text/html");
  res.end(pageHtml(path === "/theirs" ? "/theirs.js" : "/ours.js"));
});
const wss = new WebSocketServer({ server });
wss.on("connection", (ws) => {
  sockets.add(ws);
  ws.on("close", () => sockets.delete(ws));
  ws.on("message", (m) => {
    const msg = JSON.parse(String(m));
    ws.send(JSON.stringify(msg.action === "__ping__" ? { pong: true } : { tree: {}, meta: { success: true, errors: {}, action: msg.action } }));
  });
  ws.send(JSON.stringify({ tree: fullTree(), meta: { success: true, errors: {} } }));
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}`;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];

async function measure(browser, path) {
  const page = await browser.newPage();
  await page.goto(base + path);
  await page.waitForFunction(() => document.querySelectorAll("#list li").length === 1000 && !document.querySelector("[data-lvt-loading]"));
  const push = async (tree) => {
    const before = await page.evaluate(() => window.__times.length);
    for (const ws of sockets) ws.send(JSON.stringify({ tree, meta: { success: true, errors: {} } }));
    await page.waitForFunction((n) => window.__times.length > n, before);
    return page.evaluate(() => window.__times[window.__times.length - 1]);
  };
  const one = [];
  for (let i = 0; i < ONE; i++) {
    const key = `a${(i * 37) % ROWS}`;
    one.push(await push({ 0: [["u", key, { 1: `changed ${i}` }]] }));
  }
  const check = await page.evaluate(() => document.querySelector('#list li[data-key="a111"] .t')?.textContent);
  const full = [];
  let prefix = "a";
  for (let i = 0; i < FULL; i++) {
    prefix = prefix === "a" ? "b" : "a";
    full.push(await push({ 0: { s: itemStatics, d: items(prefix + i + "-"), m: { idKey: "0" } } }));
  }
  const rows = await page.evaluate(() => document.querySelectorAll("#list li").length);
  await page.close();
  return { one, full, check, rows };
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const results = {};
for (const [name, path] of [["ours", "/ours"], ["published 0.25.1", "/theirs"]]) {
  const r = await measure(browser, path);
  if (r.rows !== ROWS) throw new Error(`${name}: ${r.rows} rows after full replacements`);
  results[name] = r;
  console.log(
    `${name.padEnd(17)} one-row change: median ${median(r.one).toFixed(2)} ms (p90 ${p90(r.one).toFixed(2)}, n=${r.one.length})` +
      `  full replacement: median ${median(r.full).toFixed(2)} ms (p90 ${p90(r.full).toFixed(2)}, n=${r.full.length})`,
  );
}
const o = results["ours"];
const t = results["published 0.25.1"];
console.log(`ratio published/ours: one-row ${(median(t.one) / median(o.one)).toFixed(2)}x, full ${(median(t.full) / median(o.full)).toFixed(2)}x`);
const gz = (f) => gzipSync(readFileSync(f)).length;
console.log(`gzipped size: ours ${(gz(oursFile) / 1024).toFixed(1)} KB (${gz(oursFile)} B), published ${(gz(theirsFile) / 1024).toFixed(1)} KB (${gz(theirsFile)} B)`);
await browser.close();
for (const ws of sockets) ws.terminate();
wss.close();
server.close();
