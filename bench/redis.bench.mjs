// Redis benchmark: two app instances (child processes) sharing one redis-server through
// `livetemplate/redis` (RedisSessionStore + RedisBroadcastBus), driven over loopback WebSocket.
//
// Figures:
// - cross-instance update latency: GROUPS session groups, each with one tab on instance A and one
//   on instance B (so GROUPS connections per instance). One at a time, a tab on A sends an action
//   to a random group; the figure is the time from that send until the group's tab on B received
//   its update frame (A saves to Redis, publishes a notice, B reloads the group and pushes the
//   diff). p50/p99 over SAMPLES actions.
// - concurrent actions on one group: two tabs of one group each send ACTIONS increments at once,
//   without waiting for replies; the figure is ACTIONS*2 divided by the time until both tabs show
//   the final count. Measured with both tabs on one instance and with one tab on each instance
//   (compare-and-set conflicts: the losing instance reloads and re-runs the action). The
//   instances' own counters of saves and conflicts are read over IPC.
//
// Needs /usr/bin/redis-server and a built dist/ (`npm run build`).
// Environment: BENCH_GROUPS (default 1000), BENCH_SAMPLES (default 500), BENCH_ACTIONS (default 2000).
import { fork, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import { performance } from "node:perf_hooks";

const GROUPS = Number(process.env["BENCH_GROUPS"] ?? 1000);
const SAMPLES = Number(process.env["BENCH_SAMPLES"] ?? 500);
const ACTIONS = Number(process.env["BENCH_ACTIONS"] ?? 2000);
const REDIS = "/usr/bin/redis-server";
const TEMPLATE = `<p>count=<b>{{.Count}}</b></p>`;

if (process.argv[2] === "--instance") await instance();
else await main();

// ---- one app instance (child process) ---------------------------------------------------------

async function instance() {
  const { Template, silentLogger } = await import("../dist/index.js");
  const { RedisSessionStore, RedisBroadcastBus } = await import("../dist/adapters/redis/index.js");
  class Counter {
    Count = 0;
    increment() {
      this.Count++;
    }
  }
  const url = process.env["REDIS_URL"];
  const sessionStore = new RedisSessionStore({ redis: url, prefix: "bench:", logger: silentLogger });
  const handler = new Template("counter").parse(TEMPLATE).handle(Counter, {
    sessionStore,
    broadcastBus: new RedisBroadcastBus({ redis: url, logger: silentLogger }),
    authenticator: {
      identify: (req) => String(req.headers["x-user"] ?? ""),
      getSessionGroup: (req) => String(req.headers["x-group"] ?? "none"),
    },
    rateLimit: false,
    heartbeatMs: 0,
    maxConnections: 100_000,
    clientScript: { inject: false },
    logger: silentLogger,
  });
  const server = http.createServer(handler);
  handler.attach(server);
  server.listen(0, "127.0.0.1", () => process.send({ ready: server.address().port }));
  process.on("message", (m) => {
    if (m.cmd === "stats") process.send({ id: m.id, stats: sessionStore.stats });
  });
}

// ---- driver -----------------------------------------------------------------------------------

async function main() {
  if (!existsSync(REDIS)) {
    console.log(`${REDIS} not found: Redis benchmark skipped`);
    return;
  }
  const { default: WebSocket } = await import("ws");
  const port = await freePort();
  const redis = spawn(REDIS, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((resolve) => redis.stdout.on("data", (d) => d.toString().includes("Ready to accept") && resolve()));
  const env = { ...process.env, REDIS_URL: `redis://127.0.0.1:${port}` };
  const start = () =>
    new Promise((resolve) => {
      const child = fork(new URL(import.meta.url).pathname, ["--instance"], { env });
      child.once("message", (m) => resolve({ child, url: `ws://127.0.0.1:${m.ready}/` }));
    });
  const [a, b] = await Promise.all([start(), start()]);
  let nextId = 0;
  const stats = (inst) =>
    new Promise((resolve) => {
      const id = ++nextId;
      const on = (m) => m.id === id && (inst.child.off("message", on), resolve(m.stats));
      inst.child.on("message", on);
      inst.child.send({ cmd: "stats", id });
    });

  /** A tab: counts frames; `count` parsed from the rendered update (the value slot is key "0"). */
  const open = (url, group) =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: { "x-user": group, "x-group": group } });
      const tab = { ws, frames: 0, count: NaN, waiter: undefined };
      ws.on("message", (data) => {
        const msg = JSON.parse(String(data));
        tab.frames++;
        const v = msg.tree?.["0"];
        if (v !== undefined) tab.count = Number(v);
        if (tab.frames === 1) resolve(tab);
        const w = tab.waiter;
        if (w !== undefined && w.done(tab)) {
          tab.waiter = undefined;
          w.resolve(performance.now());
        }
      });
      ws.once("error", reject);
    });
  const waitFor = (tab, done) => new Promise((resolve) => (tab.waiter = { done, resolve }));

  // Latency: GROUPS groups x (tab on A + tab on B).
  const pairs = [];
  for (let i = 0; i < GROUPS; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(GROUPS, i + 100); j++) {
      const g = `g${j}`;
      batch.push(Promise.all([open(a.url, g), open(b.url, g)]));
    }
    pairs.push(...(await Promise.all(batch)));
  }
  for (let i = 0; i < 50; i++) await sample(pairs[i % pairs.length]); // warm-up
  const lat = [];
  for (let i = 0; i < SAMPLES; i++) lat.push(await sample(pairs[Math.floor(Math.random() * pairs.length)]));
  lat.sort((x, y) => x - y);
  const pct = (p) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))];

  async function sample([onA, onB]) {
    const before = onB.frames;
    const arrived = waitFor(onB, (t) => t.frames > before);
    const t0 = performance.now();
    onA.ws.send(JSON.stringify({ action: "increment", data: {} }));
    return (await arrived) - t0;
  }
  for (const [x, y] of pairs) {
    x.ws.close();
    y.ws.close();
  }

  // Throughput on one group.
  async function burst(label, urlX, urlY, group) {
    const x = await open(urlX, group);
    const y = await open(urlY, group);
    const s0 = [await stats(a), await stats(b)];
    const target = 2 * ACTIONS;
    const done = Promise.all([waitFor(x, (t) => t.count === target), waitFor(y, (t) => t.count === target)]);
    const t0 = performance.now();
    for (let i = 0; i < ACTIONS; i++) {
      x.ws.send('{"action":"increment","data":{}}');
      y.ws.send('{"action":"increment","data":{}}');
    }
    const ends = await done;
    const ms = Math.max(...ends) - t0;
    const s1 = [await stats(a), await stats(b)];
    const saves = s1[0].saves + s1[1].saves - s0[0].saves - s0[1].saves;
    const conflicts = s1[0].conflicts + s1[1].conflicts - s0[0].conflicts - s0[1].conflicts;
    x.ws.close();
    y.ws.close();
    return { label, actions: target, ms, perSecond: (target / ms) * 1000, saves, conflicts, final: x.count };
  }
  const one = await burst("both tabs on instance A", a.url, a.url, "hot-1");
  const two = await burst("one tab on A, one on B", a.url, b.url, "hot-2");

  const f = (n) => n.toFixed(2);
  console.log(`Redis: 2 instances, ${GROUPS} groups (${GROUPS} connections per instance), ${os.cpus().length} cores, Node ${process.version}`);
  console.log(`cross-instance update latency over ${SAMPLES} actions: p50 ${f(pct(50))} ms, p90 ${f(pct(90))} ms, p99 ${f(pct(99))} ms, max ${f(lat[lat.length - 1])} ms`);
  for (const r of [one, two]) {
    console.log(
      `${r.label}: ${r.actions} concurrent increments in ${r.ms.toFixed(0)} ms = ${r.perSecond.toFixed(0)} actions/s; final count ${r.final}; saves ${r.saves}, conflicts ${r.conflicts}`,
    );
  }
  a.child.kill();
  b.child.kill();
  redis.kill("SIGKILL");
  process.exit(0);
}

async function freePort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  const port = srv.address().port;
  await new Promise((r) => srv.close(r));
  return port;
}
