// The livetemplate side of bench/server.bench.mjs: the benchmark page (a counter and a keyed list of
// ROWS rows) served by the built library's live handler on bare node:http, in its own process.
// Started by the bench with `fork()`; talks to it over IPC (see bench/server-ipc.mjs).
import http from "node:http";
import { serveIpc } from "./server-ipc.mjs";

// LT_DIST points at another build of the library (e.g. a snapshot of dist/ taken while other work
// rebuilds it); default: this checkout's dist/.
const { Template, MemorySessionStore } = await import(process.env["LT_DIST"] ?? "../dist/index.js");

const ROWS = Number(process.env["ROWS"] ?? 10);

const source = `<!DOCTYPE html>
<html>
  <head><meta charset="utf-8"><title>bench</title></head>
  <body>
<h1>{{.Count}}</h1>
<p>broadcasts: {{.Ticks}}</p>
<button lvt-on:click="increment">+</button>
<ul>{{range .Rows}}<li data-key="{{.ID}}">{{.Name}}: {{.Value}}</li>{{end}}</ul>
  </body>
</html>`;

/** Bumped by every "broadcast" request and pushed to every session group. */
let ticks = 0;

class BenchStore {
  Count = 0;
  Rows = [];
  Ticks = 0;
  constructor() {
    for (let i = 0; i < ROWS; i++) this.Rows.push({ ID: i, Name: `Row ${i}`, Value: 0 });
  }
  increment() {
    this.Count++;
  }
  bump(ctx) {
    const row = this.Rows[ctx.data.getInt("id")];
    if (row !== undefined) row.Value++;
  }
}

const tmpl = new Template("bench").parse(source);
const handler = tmpl.handle(() => new BenchStore(), {
  sessionStore: new MemorySessionStore(),
  rateLimit: false,
  sessionRateLimit: false, // every benchmark client is a new session from 127.0.0.1
  maxConnections: 50_000,
  heartbeatMs: 0,
  // BENCH_HIBERNATE_MS: idle groups drop their render state after this long (hibernateAfterMs).
  hibernateAfterMs: Number(process.env["BENCH_HIBERNATE_MS"] ?? 0),
  // BENCH_HIBERNATE_STORES=1: sleeping groups keep their stores as text too (hibernateStores).
  hibernateStores: process.env["BENCH_HIBERNATE_STORES"] === "1",
  clientScript: { inject: false },
  logger: { debug() {}, info() {}, warn: console.warn, error: console.error },
});

const server = http.createServer(handler);
handler.attach(server);

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  serveIpc(
    { port: typeof address === "object" && address ? address.port : 0, path: "/bench" },
    {
      async broadcast() {
        const cpu0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        ticks++;
        // The update runs against each group's store, like an action: its write is what the
        // render of that group picks up.
        await handler.broadcast((store) => {
          store.Ticks = ticks;
        });
        const t1 = process.hrtime.bigint();
        const cpu = process.cpuUsage(cpu0);
        return { t0: String(t0), t1: String(t1), cpuUs: cpu.user + cpu.system };
      },
    },
  );
});
