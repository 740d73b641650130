// IPC of a benchmark server process (bench/server-lt.mjs, bench/server-lvjs.mjs): tells the parent
// its port once listening, then answers the parent's requests for its own CPU and memory figures,
// so that the numbers are those of the server process alone.
import { fork } from "node:child_process";
import { getHeapSpaceStatistics } from "node:v8";

/**
 * Announces readiness and serves measurement requests from the parent process.
 * @param {{port: number, path: string}} ready where the page is served
 * @param {Record<string, (msg: any) => Promise<object> | object>} [extra] more request kinds
 */
export function serveIpc(ready, extra = {}) {
  process.on("message", async (msg) => {
    const reply = (body) => process.send?.({ id: msg.id, ...body });
    try {
      switch (msg.type) {
        case "cpu": {
          const u = process.cpuUsage();
          reply({ user: u.user, system: u.system });
          break;
        }
        case "mem": {
          // Several collections so that garbage of the previous phase does not count.
          for (let i = 0; i < 4; i++) globalThis.gc?.();
          await new Promise((r) => setTimeout(r, 50));
          for (let i = 0; i < 2; i++) globalThis.gc?.();
          const m = process.memoryUsage();
          // The young generation's reserved size: V8 grows it (up to 32 MiB) under a high
          // allocation rate whatever the number of connections, and it stays in RSS.
          const spaces = getHeapSpaceStatistics();
          const newSpace = spaces.find((x) => x.space_name === "new_space")?.space_size ?? 0;
          // BENCH_SPACES=1: the size of each V8 heap space, on stderr.
          if (process.env["BENCH_SPACES"] === "1") {
            console.error(`rss ${(m.rss / 1048576).toFixed(1)} MiB`, spaces.map((x) => `${x.space_name} ${(x.space_size / 1048576).toFixed(1)}`).join(", "));
          }
          reply({ rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, newSpace });
          break;
        }
        case "exit":
          reply({});
          setTimeout(() => process.exit(0), 10);
          break;
        default: {
          const fn = extra[msg.type];
          if (fn === undefined) reply({ error: `unknown request ${msg.type}` });
          else reply(await fn(msg));
        }
      }
    } catch (e) {
      reply({ error: String(e?.stack ?? e) });
    }
  });
  process.send?.({ type: "ready", ...ready });
}

/**
 * The parent's side of a benchmark child that sends `{ ready }` once listening and answers
 * `{ id, cmd }` with a message carrying the same `id` (bench/presence.bench.mjs,
 * bench/uploads.bench.mjs): forks `file` with `args` and `options`.
 * @returns {{ child: import("node:child_process").ChildProcess, ready: Promise<unknown>, ask: (cmd: unknown) => Promise<any> }}
 */
export function forkWithIpc(file, args, options) {
  const child = fork(file, args, { stdio: ["ignore", "inherit", "inherit", "ipc"], ...options });
  let nextId = 0;
  const waiting = new Map();
  const ready = new Promise((resolve) =>
    child.on("message", (m) => {
      if (m.ready !== undefined) resolve(m.ready);
      if (m.id !== undefined) waiting.get(m.id)?.(m);
    }),
  );
  const ask = (cmd) =>
    new Promise((resolve) => {
      const id = ++nextId;
      waiting.set(id, resolve);
      child.send({ id, cmd });
    });
  return { child, ready, ask };
}
