// What one idle connection and its session group hold: opens N connections (each its own session,
// or all in one with SHARED=1) to a live handler in this process, takes V8 heap snapshots before
// and after, and prints the retained growth by constructor (self sizes), per connection.
// Usage: node --expose-gc bench/heap-breakdown.mjs [dist/index.js] [N=200]
// HIBERNATE_MS=<ms>: the handler's hibernateAfterMs; the snapshot is then taken once idle groups slept.
// HIBERNATE_STORES=1: with it, hibernateStores (sleeping groups keep their stores as text).
import http from "node:http";
import inspector from "node:inspector/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import WebSocket from "ws";
const dist = process.argv[2] && process.argv[2] !== "--client" ? pathToFileURL(resolve(process.argv[2])).href : new URL("../dist/index.js", import.meta.url).href;
const N = Number((process.argv[2] !== "--client" && process.argv[3]) || 200);
const shared = process.env["SHARED"] === "1";
const hibernateMs = Number(process.env["HIBERNATE_MS"] ?? 0);
const { Template, MemorySessionStore } = await import(dist);
const tmpl = new Template("t").parse(`<h1>{{.Count}}</h1><ul>{{range .Rows}}<li data-key="{{.ID}}">{{.Name}}: {{.Value}}</li>{{end}}</ul>`);
class S { Count = 0; Rows = Array.from({ length: 10 }, (_, i) => ({ ID: i, Name: `Row ${i}`, Value: 0 })); }
const handler = tmpl.handle(S, { sessionStore: new MemorySessionStore(), rateLimit: false, sessionRateLimit: false, heartbeatMs: 0, hibernateAfterMs: hibernateMs, hibernateStores: process.env["HIBERNATE_STORES"] === "1", clientScript: { inject: false }, logger: { debug() {}, info() {}, warn() {}, error() {} } });
const server = http.createServer(handler); handler.attach(server);
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const port = server.address().port;
// The clients live in a child process, so that only the server's side is in the snapshots.
if (process.argv[2] === "--client") {
  const [port, shared] = [Number(process.argv[3]), process.argv[4] === "1"];
  const clients = [];
  let sharedCookie;
  process.on("message", async (n) => {
    for (let i = 0; i < n; i++) {
      let cookie = sharedCookie;
      if (cookie === undefined) {
        const res = await fetch(`http://127.0.0.1:${port}/`); await res.text();
        cookie = (res.headers.get("set-cookie") ?? "").split(";")[0];
        if (shared) sharedCookie = cookie;
      }
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { cookie } });
      await new Promise((r) => ws.once("message", r));
      clients.push(ws);
    }
    process.send("done");
  });
} else {

const session = new inspector.Session(); session.connect();
/**
 * A heap snapshot: with `ids` only, the node ids (in a typed array, so that keeping them adds one
 * object); else the nodes not in `known`, by type:name with self size and first retainer.
 */
async function snapshot(known) {
  global.gc(); global.gc();
  const chunks = [];
  const on = (m) => chunks.push(m.params.chunk);
  session.on("HeapProfiler.addHeapSnapshotChunk", on);
  await session.post("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  session.off("HeapProfiler.addHeapSnapshotChunk", on);
  const snap = JSON.parse(chunks.join(""));
  const f = snap.snapshot.meta.node_fields, types = snap.snapshot.meta.node_types[0];
  const ef = snap.snapshot.meta.edge_fields, etypes = snap.snapshot.meta.edge_types[0];
  const iType = f.indexOf("type"), iName = f.indexOf("name"), iSize = f.indexOf("self_size"), iId = f.indexOf("id"), iEdges = f.indexOf("edge_count"), w = f.length;
  const eType = ef.indexOf("type"), eName = ef.indexOf("name_or_index"), eTo = ef.indexOf("to_node"), ew = ef.length;
  const label = (i) => {
    const t = types[snap.nodes[i + iType]];
    return t === "object" || t === "closure" ? `${t}:${snap.strings[snap.nodes[i + iName]]}` : t;
  };
  if (known === undefined) {
    const ids = new Float64Array(snap.nodes.length / w);
    for (let i = 0, k = 0; i < snap.nodes.length; i += w, k++) ids[k] = snap.nodes[i + iId];
    return ids.sort();
  }
  const isKnown = (id) => {
    let lo = 0, hi = known.length - 1;
    while (lo <= hi) { const mid = (lo + hi) >> 1; if (known[mid] === id) return true; if (known[mid] < id) lo = mid + 1; else hi = mid - 1; }
    return false;
  };
  const nodes = [];
  const parent = new Map();
  let e = 0;
  for (let i = 0; i < snap.nodes.length; i += w) {
    const count = snap.nodes[i + iEdges];
    for (let k = 0; k < count; k++, e += ew) {
      const to = snap.edges[e + eTo];
      const et = etypes[snap.edges[e + eType]];
      if (et === "weak" || parent.has(to)) continue;
      const name = et === "element" || et === "hidden" ? `[${et}]` : snap.strings[snap.edges[e + eName]];
      parent.set(to, `${label(i)}.${name}`);
    }
  }
  for (let i = 0; i < snap.nodes.length; i += w) {
    if (isKnown(snap.nodes[i + iId])) continue;
    // The typed array of known ids is the one large new object: not the server's.
    if (snap.nodes[i + iSize] >= known.length * 8) continue;
    nodes.push({ label: label(i), size: snap.nodes[i + iSize], parent: parent.get(i) ?? "?" });
  }
  return nodes;
}
const { fork } = await import("node:child_process");
const child = fork(new URL(import.meta.url).pathname, ["--client", String(port), shared ? "1" : "0"]);
const open = (n) => new Promise((r) => { child.once("message", r); child.send(n); });
// A first round warms the code up, so that compiled code is mostly in the baseline.
await open(50);
const before = await snapshot();
await open(N);
await new Promise((r) => setTimeout(r, hibernateMs > 0 ? Math.max(1000, hibernateMs / 2) + hibernateMs + 500 : 300));
const after = await snapshot(before);
const by = new Map();
let total = 0;
for (const n of after) {
  total += n.size;
  const key = `${n.label} <- ${n.parent}`;
  const x = by.get(key) ?? { n: 0, size: 0 };
  x.n++; x.size += n.size; by.set(key, x);
}
const rows = [...by].filter(([, v]) => v.size / N >= 16).sort((a, b) => b[1].size - a[1].size);
console.log(`${N} connections, ${shared ? "one session group" : "one group each"}${hibernateMs > 0 ? `, hibernated after ${hibernateMs} ms${process.env["HIBERNATE_STORES"] === "1" ? " with their stores" : ""}` : ""}: ${(total / N / 1024).toFixed(2)} KiB of new objects per connection (self sizes)`);
for (const [k, v] of rows.slice(0, Number(process.env["TOP"] ?? 60))) console.log(`${(v.size / N).toFixed(0).padStart(6)} B ${(v.n / N).toFixed(1).padStart(5)}x  ${k}`);
child.kill();
process.exit(0);
}
