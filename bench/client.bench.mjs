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
const sockets = new Map(); // page path -> its socket
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
wss.on("connection", (ws, req) => {
  sockets.set(new URL(req.url, "http://x").pathname, ws);
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

/** Opens a page on `path` and returns a function that pushes a tree and resolves with its apply time. */
async function open(browser, path) {
  const page = await browser.newPage();
  await page.goto(base + path);
  await page.waitForFunction(() => document.querySelectorAll("#list li").length === 1000 && !document.querySelector("[data-lvt-loading]"));
  const push = async (tree) => {
    const before = await page.evaluate(() => window.__times.length);
    sockets.get(path).send(JSON.stringify({ tree, meta: { success: true, errors: {} } }));
    await page.waitForFunction((n) => window.__times.length > n, before);
    return page.evaluate(() => window.__times[window.__times.length - 1]);
  };
  const rows = () => page.evaluate(() => document.querySelectorAll("#list li").length);
  const text = (key) => page.evaluate((k) => document.querySelector(`#list li[data-key="${k}"] .t`)?.textContent, key);
  return { push, rows, text };
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
// Both clients are measured in alternation, so that load from elsewhere on the machine hits both.
const clients = { ours: await open(browser, "/ours"), "published 0.25.1": await open(browser, "/theirs") };
const results = Object.fromEntries(Object.keys(clients).map((k) => [k, { one: [], full: [] }]));
for (let i = 0; i < ONE; i++) {
  const key = `a${(i * 37) % ROWS}`;
  for (const [name, c] of Object.entries(clients)) results[name].one.push(await c.push({ 0: [["u", key, { 1: `changed ${i}` }]] }));
}
for (const [name, c] of Object.entries(clients)) {
  if ((await c.text("a111")) !== "changed 3") throw new Error(`${name}: row a111 not updated`);
}
for (let i = 0; i < FULL; i++) {
  const tree = { 0: { s: itemStatics, d: items(`p${i}-`), m: { idKey: "0" } } };
  for (const [name, c] of Object.entries(clients)) results[name].full.push(await c.push(tree));
}
for (const [name, c] of Object.entries(clients)) {
  if ((await c.rows()) !== ROWS || (await c.text(`p${FULL - 1}-5`)) !== `Row 5 of p${FULL - 1}-`) throw new Error(`${name}: wrong rows after full replacements`);
  const r = results[name];
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
for (const ws of sockets.values()) ws.terminate();
wss.close();
server.close();
