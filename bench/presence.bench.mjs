// Presence benchmark: N connections (each its own session group) join one chat room, and the
// figure is what it costs until every client shows "N online". Two implementations in the same
// run, each served by the built library in its own child process:
// - topics: the gallery chat (examples/gallery/chat.ts) on ctx.subscribe / ctx.track /
//   onPresence, presence batched (presenceBatchMs 250, the window growing with the room), the
//   page listing the first 50 names and a count;
// - legacy: the gallery chat as it was before (bench/legacy-chat.mjs): presence built by hand in
//   one in-process room, every change re-broadcast to every group at most once per 250 ms, the
//   page listing every name.
// Clients run in this process, CONCURRENCY joins in flight at a time; each client reads only the
// count from the frames it receives (the renderer is not run, so client CPU stays small).
//
// Figures per (implementation, N): server CPU (user + system, from process.cpuUsage in the server)
// from the first join until every client shows N; wall time for the same span; frames and bytes
// the clients received; ratios 5,000 / 1,000. Then the memory of one presence entry (a chat meta
// {name, me}), measured on the presence table alone with 100,000 entries.
//
// Needs a built dist/ (`npm run build`). Environment: BENCH_NS (default "1000,5000"),
// BENCH_IMPLS (default "topics,legacy"), BENCH_CONCURRENCY (default 100), BENCH_TIMEOUT_S
// (default 300: a run that has not settled by then is reported as such).
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { forkWithIpc } from "./server-ipc.mjs";

const NS = (process.env["BENCH_NS"] ?? "1000,5000").split(",").map(Number);
const IMPLS = (process.env["BENCH_IMPLS"] ?? "topics,legacy").split(",");
const CONCURRENCY = Number(process.env["BENCH_CONCURRENCY"] ?? 100);
const TIMEOUT_S = Number(process.env["BENCH_TIMEOUT_S"] ?? 300);


// ---- the server (child process) --------------------------------------------------------------

async function server() {
  const lt = await import(process.env["LT_DIST"] ?? "../dist/index.js");
  const options = {
    authenticator: {
      identify: (req) => String(req.headers["x-user"] ?? ""),
      getSessionGroup: (req) => String(req.headers["x-group"] ?? "none"),
    },
    rateLimit: false,
    sessionRateLimit: false,
    heartbeatMs: 0,
    maxConnections: 100_000,
    clientScript: { inject: false },
    logger: lt.silentLogger,
  };
  let handler;
  if (process.env["IMPL"] === "legacy") {
    const { legacyChat } = await import("./legacy-chat.mjs");
    handler = legacyChat(lt.Template, options);
  } else {
    const { ChatRooms, ChatSession } = await import("../dist/examples/gallery/chat.js");
    const read = (f) => readFileSync(new URL(`../examples/gallery/${f}`, import.meta.url), "utf8");
    const rooms = new ChatRooms();
    handler = new lt.Template("chat")
      .parse(read("chat.tmpl") + read("layout.tmpl"))
      .handle(() => new ChatSession(rooms.id), { ...options, topics: { presenceBatchMs: 250 } });
    rooms.publish = (topic, event) => handler.publish(topic, event);
  }
  const srv = http.createServer(handler);
  handler.attach(srv);
  srv.listen(0, "127.0.0.1", () => process.send({ ready: srv.address().port }));
  process.on("message", (m) => {
    if (m.cmd === "cpu") {
      const u = process.cpuUsage();
      process.send({ id: m.id, cpuMs: (u.user + u.system) / 1000, rss: process.memoryUsage().rss });
    }
  });
}

// ---- memory of presence entries (child process with --expose-gc) -----------------------------

async function memory() {
  const { PresenceTable } = await import("../dist/topics/presence.js");
  const n = 100_000;
  const gc = globalThis.gc;
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const t = new PresenceTable();
  const source = "0123456789abcdef";
  for (let i = 0; i < n; i++) {
    const me = (0x100000 + i).toString(16);
    const name = `guest-${i}`;
    // Refs and keys shaped like the chat's: owner + topic + key.
    t.put(source, `g${"x".repeat(40)}${i}\u0000chat:lobby\u0000${name}\u0000${me}`, "chat:lobby", `${name}\u0000${me}`, { name, me });
  }
  t.takeDiffs();
  t.list("chat:lobby");
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  process.send({ bytesPerEntry: (after - before) / n, entries: t.size });
}

// ---- the bench (this process) ----------------------------------------------------------------

function startServer(impl) {
  const execArgv = process.env["BENCH_PROF"] ? ["--cpu-prof", `--cpu-prof-dir=${process.env["BENCH_PROF"]}`] : [];
  return forkWithIpc(new URL(import.meta.url).pathname, ["--server"], { env: { ...process.env, IMPL: impl }, execArgv });
}

/** A client that reads only the presence count from its frames. */
class Client {
  count = -1;
  frames = 0;
  bytes = 0;
  index = undefined;
  constructor(ws) {
    this.ws = ws;
    ws.on("message", (data) => {
      this.frames++;
      this.bytes += data.length;
      const msg = JSON.parse(String(data));
      const tree = msg.tree;
      if (tree === undefined) return;
      if (this.index === undefined && Array.isArray(tree.s)) {
        const i = tree.s.findIndex((s) => s.endsWith('id="presence">'));
        if (i < 0) throw new Error("no presence count in the page");
        this.index = String(i);
      }
      const v = tree[this.index];
      if (typeof v === "number") this.count = v;
    });
    ws.on("error", () => {});
  }
}

async function runOne(WebSocket, impl, n) {
  const srv = startServer(impl);
  const port = await srv.ready;
  const clients = [];
  const cpu0 = (await srv.ask("cpu")).cpuMs;
  const t0 = performance.now();
  let next = 0;
  const openOne = (i) =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { "x-user": `u${i}`, "x-group": `g${i}` }, perMessageDeflate: false });
      const c = new Client(ws);
      clients.push(c);
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
  const worker = async () => {
    while (next < n) await openOne(next++);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, n) }, worker));
  const joined = performance.now();
  const deadline = t0 + TIMEOUT_S * 1000;
  let settled = false;
  for (;;) {
    if (clients.every((c) => c.count === n)) {
      settled = true;
      break;
    }
    if (performance.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const t1 = performance.now();
  const { cpuMs, rss } = await srv.ask("cpu");
  const r = {
    impl,
    n,
    settled,
    shown: clients.filter((c) => c.count === n).length,
    wallMs: t1 - t0,
    joinMs: joined - t0,
    cpuMs: cpuMs - cpu0,
    frames: clients.reduce((s, c) => s + c.frames, 0),
    bytes: clients.reduce((s, c) => s + c.bytes, 0),
    rssMb: rss / 2 ** 20,
  };
  for (const c of clients) c.ws.terminate();
  srv.child.kill("SIGKILL");
  await new Promise((res) => srv.child.once("exit", res));
  return r;
}

async function main() {
  const { default: WebSocket } = await import("ws");
  console.log(`presence: ${os.cpus().length} cpus, Node ${process.version}, joins in flight ${CONCURRENCY}, ${new Date().toISOString()}`);
  const results = [];
  for (const n of NS) {
    for (const impl of IMPLS) {
      const r = await runOne(WebSocket, impl, n);
      results.push(r);
      const note = r.settled ? "" : `  (NOT settled after ${TIMEOUT_S} s: ${r.shown}/${n} clients show ${n})`;
      console.log(
        `${impl.padEnd(7)} N=${String(n).padStart(5)}  server CPU ${fmt(r.cpuMs)} ms  until all show N ${fmt(r.wallMs)} ms (joins done at ${fmt(r.joinMs)} ms)  ` +
          `frames ${r.frames}  bytes ${(r.bytes / 2 ** 20).toFixed(1)} MiB  rss ${r.rssMb.toFixed(0)} MiB${note}`,
      );
    }
  }
  if (NS.length >= 2) {
    const [lo, hi] = [NS[0], NS[NS.length - 1]];
    for (const impl of IMPLS) {
      const a = results.find((r) => r.impl === impl && r.n === lo);
      const b = results.find((r) => r.impl === impl && r.n === hi);
      if (a === undefined || b === undefined) continue;
      const lower = b.settled ? "" : " (at least: the larger run did not settle)";
      console.log(`${impl.padEnd(7)} ${hi}/${lo}: server CPU ${(b.cpuMs / a.cpuMs).toFixed(1)}x, time until all show N ${(b.wallMs / a.wallMs).toFixed(1)}x${lower}`);
    }
  }
  const mem = await new Promise((resolve) => {
    const child = fork(new URL(import.meta.url).pathname, ["--memory"], { execArgv: ["--expose-gc"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    child.once("message", resolve);
  });
  console.log(`presence table: ${fmt(mem.bytesPerEntry)} bytes per entry (${mem.entries} entries, chat-shaped meta {name, me})`);
}

function fmt(x) {
  return Math.round(x).toLocaleString("en-US");
}

// Dispatched last: the classes above must be initialised before main() uses them.
if (process.argv[2] === "--server") await server();
else if (process.argv[2] === "--memory") await memory();
else await main();
