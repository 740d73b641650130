// The cold path: CPU per action over the first events a fresh server handles, in windows of 200,
// for the server bench's page (a counter, a ticks line and a keyed list of 10 rows). The server is
// in this process, its ws client in a child (so client CPU is not counted).
// Usage: node bench/cold-path.mjs [path/to/dist/index.js] [events=3000] [increment|row|ping]
import http from "node:http";
import { fork } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
if (process.argv[2] === "--client") {
  const { default: WebSocket } = await import("ws");
  const [port, n, kind] = [Number(process.argv[3]), Number(process.argv[4]), process.argv[5]];
  const res = await fetch(`http://127.0.0.1:${port}/`); await res.text();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/?lvt-cap=nav,rows`, { headers: { cookie: res.headers.get("set-cookie").split(";")[0] } });
  await new Promise((r) => ws.once("message", r));
  for (let i = 0; i < n; i++) {
    const msg = kind === "ping" ? { action: "__ping__" } : kind === "row" ? { action: "bump", data: { id: i % 10 } } : { action: "increment" };
    ws.send(JSON.stringify(msg));
    await new Promise((r) => ws.once("message", r));
    if ((i + 1) % 200 === 0) process.send(i + 1);
  }
  process.exit(0);
}
const dist = process.argv[2] ? pathToFileURL(resolve(process.argv[2])).href : new URL("../dist/index.js", import.meta.url).href;
const N = Number(process.argv[3] ?? 3000);
const kind = process.argv[4] ?? "increment";
const { Template, MemorySessionStore } = await import(dist);
const tmpl = new Template("bench").parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>bench</title></head><body>
<h1>{{.Count}}</h1>
<p>broadcasts: {{.Ticks}}</p>
<button lvt-on:click="increment">+</button>
<ul>{{range .Rows}}<li data-key="{{.ID}}">{{.Name}}: {{.Value}}</li>{{end}}</ul>
</body></html>`);
class BenchStore {
  Count = 0; Ticks = 0; Rows = Array.from({ length: 10 }, (_, i) => ({ ID: i, Name: `Row ${i}`, Value: 0 }));
  increment() { this.Count++; }
  bump(ctx) { const row = this.Rows[ctx.data.getInt("id")]; if (row !== undefined) row.Value++; }
}
const handler = tmpl.handle(() => new BenchStore(), { sessionStore: new MemorySessionStore(), rateLimit: false, sessionRateLimit: false, heartbeatMs: 0, clientScript: { inject: false }, logger: { debug() {}, info() {}, warn() {}, error() {} } });
const server = http.createServer(handler); handler.attach(server);
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const child = fork(new URL(import.meta.url).pathname, ["--client", String(server.address().port), String(N), kind], { execArgv: [] });
let c0 = process.cpuUsage();
const out = [];
child.on("message", (n) => {
  const c = process.cpuUsage(c0); c0 = process.cpuUsage();
  out.push(`${n}: ${((c.user + c.system) / 200).toFixed(0)}`);
});
await new Promise((r) => child.once("exit", r));
console.log(`${kind}, µs of server CPU per event by window of 200 (${process.execArgv.join(" ") || "default flags"}): ${out.join("  ")}`);
process.exit(0);
