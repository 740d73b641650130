// Live handler benchmark: livetemplate's handler against LiveViewJS 0.8.1, side by side in one run.
//
// Both serve the same page, a counter and a keyed list of N rows
// (`<li data-key="{{.ID}}">{{.Name}}: {{.Value}}</li>`). Each server runs in its own process
// (bench/server-lt.mjs, bench/server-lvjs.mjs); clients run in other processes
// (bench/server-client.mjs) and talk to it over loopback WebSocket, one request at a time.
//
// Figures:
// - CPU/update: server process CPU (user + system, `process.cpuUsage()` read over IPC) during the
//   measured events, divided by their number. Includes parsing, the action, rendering, diffing,
//   serialization and the WebSocket write: everything the server does per event.
// - ping: a message each server answers without rendering (`__ping__`; the Phoenix heartbeat), so
//   "above ping" is the CPU an update costs beyond receiving and answering a frame.
// - frame: bytes of the server's reply frame payload (median over the measured events).
// - p50/p99: round trip seen by the client, from send to the reply's arrival.
// - memory per idle connection: server RSS and JS heap (after GC) with 300 open connections,
//   each from its own session (page GET + WebSocket), minus the figure before them, / 300. The
//   figure before them is taken with BENCH_MEMORY_WARM connections open (default 50), so that
//   code compiled once is not counted per connection; BENCH_MEMORY_WARM=1 counts it. "RSS without
//   young gen" leaves out the growth of V8's young generation (a nursery V8 resizes, up to 32 MiB,
//   by allocation rate, not by what stays allocated) between the two figures.
// - broadcast fan-out (livetemplate only): from the `broadcast()` call until the last client
//   received its frame, with all connections in one session group and with every connection in
//   its own group; timestamps on the system-wide monotonic clock (`process.hrtime`), so they
//   compare across processes. "server done" is when `broadcast()` resolved (every frame handed
//   to the kernel), "server CPU" the server process's CPU time during that call.
//
// Environment: BENCH_EVENTS (measured events, default 1000), BENCH_WARMUP (default 2000: fewer leave the JIT cold),
// BENCH_ROUNDS (the measured events are split in rounds alternating between servers, default 5),
// BENCH_SIZES (default "10,100,1000"), BENCH_FANOUT (default "100,1000,10000"),
// BENCH_ONLY ("lt" or "lvjs"), BENCH_SKIP (comma list of "updates,memory,fanout,raw"; "raw" is the
// fan-out floor of a bare `ws` server, bench/server-raw.mjs), BENCH_FANOUT_MODES (comma list of
// "shared,groups,raw", default all).
import { execSync, fork } from "node:child_process";
import os from "node:os";

const dir = new URL(".", import.meta.url).pathname;
const EVENTS = Number(process.env["BENCH_EVENTS"] ?? 1000);
const WARMUP = Number(process.env["BENCH_WARMUP"] ?? 2000);
const SIZES = (process.env["BENCH_SIZES"] ?? "10,100,1000").split(",").map(Number);
const FANOUT = (process.env["BENCH_FANOUT"] ?? "100,1000,10000").split(",").map(Number);
const SKIP = new Set((process.env["BENCH_SKIP"] ?? "").split(",").filter(Boolean));
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 5);
const MEMORY_WARM = Number(process.env["BENCH_MEMORY_WARM"] ?? 50);
const IDLE_CONNECTIONS = 300;
const BROADCAST_REPEATS = 7;
const BROADCAST_WARMUP = 3;

const SERVERS = [
  { proto: "lt", name: "livetemplate", file: "server-lt.mjs" },
  { proto: "lvjs", name: "LiveViewJS 0.8.1", file: "server-lvjs.mjs" },
].filter((s) => process.env["BENCH_ONLY"] === undefined || s.proto === process.env["BENCH_ONLY"]);

// ---- processes --------------------------------------------------------------------------------

let nextId = 1;
/** Sends a request to a forked child and resolves with its reply (same `id`). */
function request(child, msg) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const onMessage = (reply) => {
      if (reply.id !== id) return;
      child.off("message", onMessage);
      if (reply.error !== undefined) reject(new Error(reply.error));
      else resolve(reply);
    };
    child.on("message", onMessage);
    child.send({ ...msg, id });
  });
}

async function startServer(spec, rows) {
  const child = fork(dir + spec.file, [], {
    // BENCH_PROF=<dir> writes a CPU profile of each server process there.
    execArgv: ["--expose-gc", ...(process.env["BENCH_PROF"] ? ["--cpu-prof", `--cpu-prof-dir=${process.env["BENCH_PROF"]}`] : [])],
    env: { ...process.env, ROWS: String(rows) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ready = await new Promise((resolve, reject) => {
    child.once("message", resolve);
    child.once("exit", (code) => reject(new Error(`${spec.file} exited with ${code}`)));
  });
  return { child, base: `http://127.0.0.1:${ready.port}`, path: ready.path };
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  // A clean exit (so that profiles are written); a kill if it does not come.
  request(child, { type: "exit" }).catch(() => {});
  const timer = setTimeout(() => child.kill(), 2000);
  await exited;
  clearTimeout(timer);
}

function startClient() {
  return fork(dir + "server-client.mjs", [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
}

// ---- statistics -------------------------------------------------------------------------------

function quantile(values, q) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
}
const cpuMicros = (a, b) => b.user - a.user + (b.system - a.system);
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-");
const kib = (bytes) => (bytes / 1024).toFixed(1);

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => "| " + cells.map((c, i) => String(c).padEnd(widths[i])).join(" | ") + " |";
  return [line(header), "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|", ...rows.map(line)].join("\n");
}

const KIND_LABEL = { ping: "ping (no render)", increment: "increment counter", row: "change one row" };

/** CPU per ping of the same server and size: the transport's share of every update. */
function floor(results, x) {
  return results.find((y) => y.proto === x.proto && y.rows === x.rows && y.kind === "ping")?.cpuUs ?? 0;
}

// ---- phases -----------------------------------------------------------------------------------

/**
 * Per-update CPU, frame bytes and round trips for every server, N and update kind. Both servers of
 * one N run at once (the idle one costs nothing) and take turns: the measured events are split in
 * ROUNDS rounds that alternate between them, so load from elsewhere on the machine falls on both
 * alike. CPU is the median of the rounds; round trips are pooled over all measured events.
 */
async function updates() {
  const results = [];
  for (const rows of SIZES) {
    const running = [];
    try {
      for (const spec of SERVERS) {
        const server = await startServer(spec, rows);
        const client = startClient();
        running.push({ spec, server, client });
        const opened = await request(client, { type: "open", proto: spec.proto, base: server.base, path: server.path, rows });
        running[running.length - 1].firstBytes = opened.firstBytes;
        running[running.length - 1].firstBytesPublished = opened.firstBytesPublished;
      }
      for (const kind of ["ping", "increment", "row"]) {
        const acc = running.map(() => ({ cpu: [], user: [], bytes: [], rtt: [], sample: "" }));
        for (const { client } of running) await request(client, { type: "run", kind, count: WARMUP, offset: 0 });
        const perRound = Math.ceil(EVENTS / ROUNDS);
        for (let round = 0; round < ROUNDS; round++) {
          for (const [i, { server, client }] of running.entries()) {
            const c0 = await request(server.child, { type: "cpu" });
            const r = await request(client, { type: "run", kind, count: perRound, offset: WARMUP + round * perRound });
            const c1 = await request(server.child, { type: "cpu" });
            const a = acc[i];
            a.cpu.push(cpuMicros(c0, c1) / perRound);
            a.user.push((c1.user - c0.user) / perRound);
            a.bytes.push(...r.bytes);
            a.rtt.push(...r.rtt);
            a.sample = r.sample;
          }
        }
        for (const [i, { spec, firstBytes, firstBytesPublished }] of running.entries()) {
          const a = acc[i];
          results.push({
            server: spec.name,
            proto: spec.proto,
            rows,
            kind,
            cpuUs: quantile(a.cpu, 0.5),
            userUs: quantile(a.user, 0.5),
            bytes: quantile(a.bytes, 0.5),
            maxBytes: Math.max(...a.bytes),
            p50: quantile(a.rtt, 0.5),
            p99: quantile(a.rtt, 0.99),
            firstBytes,
            firstBytesPublished,
            sample: a.sample,
          });
          if (process.env["BENCH_VERBOSE"]) console.log(spec.proto, rows, kind, a.sample);
        }
      }
    } finally {
      for (const { server, client } of running) {
        client.kill();
        await stop(server.child);
      }
    }
  }
  return results;
}

/**
 * Server memory per idle connection (N = 10). Every connection from its own session (a new
 * browser: page GET, then WebSocket) for both servers; for livetemplate also all connections in
 * one session group (tabs of one browser), which separates the per-group cost (stores, render
 * state) from the per-socket cost.
 */
async function memory() {
  const results = [];
  const cases = SERVERS.flatMap((spec) => (spec.proto === "lt" ? [[spec, false], [spec, true]] : [[spec, false]]));
  for (const [spec, shared] of cases) {
    const server = await startServer(spec, 10);
    const client = startClient();
    try {
      // Connections first, so that code loaded lazily on first use, and code compiled while the
      // first connections come in, is in the baseline: BENCH_MEMORY_WARM of them (default 50;
      // 1 measures that one-time code as part of the per-connection figure).
      const first = await request(client, { type: "open", proto: spec.proto, base: server.base, path: server.path, rows: 10 });
      const openIdle = (count) =>
        request(client, { type: "openIdle", proto: spec.proto, base: server.base, path: server.path, rows: 10, count, parallel: 10, cookie: shared ? first.cookie : undefined });
      if (MEMORY_WARM > 1) await openIdle(MEMORY_WARM - 1);
      // With BENCH_HIBERNATE_MS (livetemplate's hibernateAfterMs), long enough for idle groups to sleep:
      // the warm-up groups too, so that only the measured connections' groups change state.
      const sleepMs = Number(process.env["BENCH_HIBERNATE_MS"] ?? 0);
      const settle = spec.proto === "lt" && sleepMs > 0 ? Math.max(1000, sleepMs / 2) + sleepMs + 500 : 500;
      if (settle > 500 && MEMORY_WARM > 1) await new Promise((r) => setTimeout(r, settle));
      const m0 = await request(server.child, { type: "mem" });
      await openIdle(IDLE_CONNECTIONS);
      await new Promise((r) => setTimeout(r, settle));
      const m1 = await request(server.child, { type: "mem" });
      results.push({
        server: spec.name,
        sessions: shared ? "1 (all tabs of one browser)" : `${IDLE_CONNECTIONS} (one each)`,
        rss: (m1.rss - m0.rss) / IDLE_CONNECTIONS,
        rssOld: (m1.rss - m0.rss - (m1.newSpace - m0.newSpace)) / IDLE_CONNECTIONS,
        heap: (m1.heapUsed - m0.heapUsed + (m1.external - m0.external)) / IDLE_CONNECTIONS,
      });
    } finally {
      client.kill();
      await stop(server.child);
    }
  }
  return results;
}

/**
 * Broadcast fan-out of the livetemplate handler to 100 / 1,000 / 10,000 connections, either every
 * connection in its own session group ("groups": one render per connection) or all of them in one
 * group, as tabs of one user or viewers of one shared page ("shared": one render, one encoded
 * frame written to every socket).
 */
async function fanout(mode) {
  // "raw": a bare `ws` server writing one pre-built frame per socket (bench/server-raw.mjs), the
  // floor that the same clients on the same cores can measure.
  const spec = mode === "raw" ? { proto: "lt", name: "bare ws", file: "server-raw.mjs" } : SERVERS.find((s) => s.proto === "lt");
  if (spec === undefined) return [];
  const results = [];
  for (const count of FANOUT) {
    const server = await startServer(spec, 10);
    const procs = count >= 2000 ? 4 : 1;
    const clients = Array.from({ length: procs }, startClient);
    try {
      let cookie;
      if (mode === "shared" || mode === "raw") {
        const res = await fetch(server.base + server.path, { headers: { accept: "text/html" } });
        await res.text();
        cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
      }
      const openStart = Date.now();
      await Promise.all(
        clients.map((c, i) =>
          request(c, {
            type: "openIdle",
            proto: "lt",
            base: server.base,
            path: server.path,
            rows: 10,
            count: Math.floor(count / procs) + (i < count % procs ? 1 : 0),
            parallel: 25,
            cookie,
          }),
        ),
      );
      const openMs = Date.now() - openStart;
      const times = [];
      const serverTimes = [];
      const serverCpu = [];
      let received = 0;
      // Unmeasured broadcasts first, so that the broadcast path is compiled.
      for (let rep = -BROADCAST_WARMUP; rep < BROADCAST_REPEATS; rep++) {
        await Promise.all(clients.map((c) => request(c, { type: "arm" })));
        const b = await request(server.child, { type: "broadcast" });
        const got = await Promise.all(clients.map((c) => request(c, { type: "collect", timeoutMs: 30_000 })));
        received = got.reduce((a, g) => a + g.received, 0);
        if (received !== count) throw new Error(`broadcast reached ${received} of ${count} connections`);
        if (rep < 0) continue;
        const last = got.reduce((a, g) => (BigInt(g.last) > a ? BigInt(g.last) : a), 0n);
        times.push(Number(last - BigInt(b.t0)) / 1e6);
        serverTimes.push(Number(BigInt(b.t1) - BigInt(b.t0)) / 1e6);
        serverCpu.push(b.cpuUs / 1000);
        await new Promise((r) => setTimeout(r, 200));
      }
      results.push({ mode, count, p50: quantile(times, 0.5), max: Math.max(...times), server: quantile(serverTimes, 0.5), cpu: quantile(serverCpu, 0.5), openMs });
    } finally {
      for (const c of clients) c.kill();
      await stop(server.child);
    }
  }
  return results;
}

// ---- main -------------------------------------------------------------------------------------

// 10,000 connections need more than 10,000 descriptors in the server process. Node raises its
// soft open-file limit to the hard limit at startup, so only the hard limit can be too low.
const wantFds = Math.max(...FANOUT) + 1024;
const hardFds = execSync("ulimit -Hn", { shell: "/bin/sh" }).toString().trim();
if (hardFds !== "unlimited" && Number(hardFds) < wantFds) {
  console.warn(`warning: the open-file hard limit (${hardFds}) is below the ${wantFds} the largest fan-out needs; raise it (ulimit -Hn) as root`);
}

console.log(
  `live handler benchmark: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}), Node ${process.version}, ` +
    `${EVENTS} measured events after ${WARMUP} warm-up, one at a time, in ${ROUNDS} alternating rounds`,
);

if (!SKIP.has("updates")) {
  const r = await updates();
  console.log("\nPer update (server CPU per event, reply frame, round trip):\n");
  console.log(
    table(
      ["rows", "update", "server", "CPU/update µs", "of which user µs", "above ping µs", "frame B", "p50 ms", "p99 ms"],
      r.map((x) => [x.rows, KIND_LABEL[x.kind], x.server, fmt(x.cpuUs), fmt(x.userUs), x.kind === "ping" ? "" : fmt(x.cpuUs - floor(r, x)), x.bytes, fmt(x.p50, 3), fmt(x.p99, 3)]),
    ),
  );
  const ratios = [];
  for (const x of r.filter((y) => y.proto === "lt" && y.kind !== "ping")) {
    const peer = r.find((y) => y.proto === "lvjs" && y.rows === x.rows && y.kind === x.kind);
    if (peer)
      ratios.push([
        x.rows,
        x.kind === "row" ? "change one row" : "increment counter",
        fmt(peer.cpuUs / x.cpuUs) + "x",
        fmt(peer.userUs / x.userUs) + "x",
        fmt((peer.cpuUs - floor(r, peer)) / (x.cpuUs - floor(r, x))) + "x",
        fmt(peer.bytes / x.bytes) + "x",
      ]);
  }
  if (ratios.length > 0) {
    console.log("\nLiveViewJS / livetemplate:\n");
    console.log(table(["rows", "update", "CPU ratio", "user CPU ratio", "ratio above ping", "frame ratio"], ratios));
  }
  console.log("\nFirst frame (full tree) bytes: " + r.filter((x) => x.kind === "ping").map((x) => `${x.server} N=${x.rows}: ${x.firstBytes}${x.firstBytesPublished === undefined ? "" : ` (to the published client: ${x.firstBytesPublished})`}`).join("; "));
}

if (!SKIP.has("memory")) {
  const r = await memory();
  console.log(`\nServer memory per idle connection (${IDLE_CONNECTIONS} connections, N = 10):\n`);
  console.log(
    table(
      ["server", "sessions", "RSS KiB/conn", "RSS without young gen KiB/conn", "heap+external KiB/conn"],
      r.map((x) => [x.server, x.sessions, kib(x.rss), kib(x.rssOld), kib(x.heap)]),
    ),
  );
}

if (!SKIP.has("fanout")) {
  const modes = (process.env["BENCH_FANOUT_MODES"] ?? "shared,groups,raw").split(",").filter((m) => m !== "raw" || !SKIP.has("raw"));
  const r = [];
  for (const m of modes) r.push(...(await fanout(m)));
  if (r.length > 0) {
    console.log(`\nBroadcast fan-out (livetemplate, N = 10, from broadcast() to the last frame received, ${BROADCAST_REPEATS} broadcasts after ${BROADCAST_WARMUP}):\n`);
    console.log(
      table(
        ["connections", "session groups", "last frame received p50 ms", "max ms", "server done p50 ms", "server CPU ms", "time to open (ms)"],
        r.map((x) => [x.count, x.mode === "shared" ? "1 (shared render)" : x.mode === "raw" ? "bare ws, pre-built frame (floor)" : `${x.count} (one each)`, fmt(x.p50), fmt(x.max), fmt(x.server), fmt(x.cpu), x.openMs]),
      ),
    );
  }
}
