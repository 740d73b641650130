// In-process check of the WebSocket message path: one live handler and one ws client in the same
// process, N messages one at a time after 3,000 warm-up; prints CPU per message.
// Usage: node bench/inprocess-ping.mjs [path/to/dist/index.js] [N=20000] [ping|increment]
import http from "node:http";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import WebSocket from "ws";
const dist = process.argv[2] ? pathToFileURL(resolve(process.argv[2])).href : new URL("../dist/index.js", import.meta.url).href;
const { Template, MemorySessionStore } = await import(dist);
const tmpl = new Template("t").parse("<p>{{.Count}}</p>");
const handler = tmpl.handle(() => ({ Count: 0, increment() { this.Count++; } }), { sessionStore: new MemorySessionStore(), rateLimit: false, sessionRateLimit: false, heartbeatMs: 0, clientScript: { inject: false }, logger: { debug() {}, info() {}, warn() {}, error() {} } });
const server = http.createServer(handler); handler.attach(server);
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const ws = new WebSocket(`ws://127.0.0.1:${server.address().port}/`);
await new Promise((r) => ws.once("message", r));
const N = Number(process.argv[3] ?? 20000);
const kind = process.argv[4] ?? "ping";
const msg = JSON.stringify(kind === "ping" ? { action: "__ping__" } : { action: "increment" });
async function run(n) { for (let i = 0; i < n; i++) { ws.send(msg); await new Promise((r) => ws.once("message", r)); } }
await run(3000);
const c0 = process.cpuUsage(); const t0 = performance.now();
await run(N);
const c = process.cpuUsage(c0);
console.log(`${dist} ${kind} cpu/msg ${((c.user + c.system) / N).toFixed(1)} µs  wall/msg ${(((performance.now() - t0) * 1000) / N).toFixed(1)} µs`);
ws.close(); await handler.close(); server.close(); process.exit(0);
