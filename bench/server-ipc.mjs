// IPC of a benchmark server process (bench/server-lt.mjs, bench/server-lvjs.mjs): tells the parent
// its port once listening, then answers the parent's requests for its own CPU and memory figures,
// so that the numbers are those of the server process alone.
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
