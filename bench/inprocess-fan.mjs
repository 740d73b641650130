// In-process check of broadcast fan-out to many session groups: N page loads + sockets, then
// 13 broadcasts with an update function; prints the median time and CPU of the last 10.
// Usage: node --expose-gc bench/inprocess-fan.mjs [path/to/dist/index.js] [N=2000]
import http from "node:http";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import WebSocket from "ws";
const dist = process.argv[2] ? pathToFileURL(resolve(process.argv[2])).href : new URL("../dist/index.js", import.meta.url).href;
const N = Number(process.argv[3] ?? 2000);
const { Template, MemorySessionStore } = await import(dist);
const tmpl = new Template("t").parse(`<h1>{{.Count}}</h1><p>{{.Ticks}}</p><ul>{{range .Rows}}<li data-key="{{.ID}}">{{.Name}}: {{.Value}}</li>{{end}}</ul>`);
class S { Count = 0; Ticks = 0; Rows = Array.from({ length: 10 }, (_, i) => ({ ID: i, Name: `Row ${i}`, Value: 0 })); }
const handler = tmpl.handle(() => new S(), { sessionStore: new MemorySessionStore(), rateLimit: false, sessionRateLimit: false, maxConnections: 50000, heartbeatMs: 0, clientScript: { inject: false }, logger: { debug() {}, info() {}, warn() {}, error() {} } });
const server = http.createServer(handler); handler.attach(server);
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const port = server.address().port;
const clients = [];
let received = 0;
for (let i = 0; i < N; i++) {
  const res = await fetch(`http://127.0.0.1:${port}/`); await res.text();
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0];
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { cookie } });
  await new Promise((r) => ws.once("message", r));
  ws.on("message", () => received++);
  clients.push(ws);
}
// BENCH_PROF=<file>: a CPU profile of the measured broadcasts only.
const prof = process.env["BENCH_PROF"];
let session;
if (prof) {
  const inspector = await import("node:inspector/promises");
  session = new inspector.Session(); session.connect();
  await session.post("Profiler.enable");
}
let ticks = 0;
const times = [], cpus = [];
for (let k = 0; k < 13; k++) {
  received = 0;
  const c0 = process.cpuUsage(); const t0 = performance.now();
  ticks++;
  await handler.broadcast((s) => { s.Ticks = ticks; });
  const c = process.cpuUsage(c0); const t = performance.now() - t0;
  while (received < N) await new Promise((r) => setImmediate(r));
  if (k >= 3) { times.push(t); cpus.push((c.user + c.system) / 1000); }
  if (prof && k === 2) await session.post("Profiler.start");
}
if (prof) {
  const { profile } = await session.post("Profiler.stop");
  (await import("node:fs")).writeFileSync(prof, JSON.stringify(profile));
}
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
console.log(`${dist} N=${N} broadcast() median ${med(times).toFixed(1)} ms, cpu ${med(cpus).toFixed(1)} ms, heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`);
process.exit(0);
