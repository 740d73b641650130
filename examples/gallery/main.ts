/**
 * `npm start`: serves the gallery on PORT (default 8080) and HOST (default 127.0.0.1).
 */
import { createGallery } from "./app.js";
import type { Gallery, GalleryOptions } from "./app.js";
import { MemorySessionStore } from "livetemplate";

/**
 * Backends shared by several instances, chosen from the environment. With no variable set the
 * gallery keeps sessions in memory (one instance). With REDIS_URL (e.g. `redis://127.0.0.1:6379`)
 * the counter and todos demos keep their session groups in Redis and every demo's notices travel
 * over a Redis bus, so several instances behind a load balancer serve the same sessions. The chat's
 * rooms (messages, who is online, who is typing) travel over the same bus as topics and presence;
 * its session groups stay in each instance's memory (a browser's chat state is its name and its
 * copy of the room, rebuilt by `mount` wherever it connects).
 */
async function backendsFromEnv(env: NodeJS.ProcessEnv): Promise<GalleryOptions> {
  const url = env["REDIS_URL"];
  if (url === undefined || url === "") return {};
  // Loaded only when asked for: ioredis is an optional dependency.
  const { RedisSessionStore, RedisBroadcastBus } = await import("livetemplate/redis");
  return {
    sessionStore: (demo) =>
      demo === "chat" ? new MemorySessionStore() : new RedisSessionStore({ redis: url, prefix: `gallery:${demo}:` }),
    handlerOptions: { broadcastBus: new RedisBroadcastBus({ redis: url, channel: "gallery:broadcast" }) },
  };
}

const port = Number(process.env["PORT"] ?? 8080);
const host = process.env["HOST"] ?? "127.0.0.1";
let gallery: Gallery;
try {
  gallery = await createGallery({ port, host, ...(await backendsFromEnv(process.env)) });
} catch (err) {
  // A busy port is the common case: one line saying what to do, not a stack.
  const code = (err as { code?: unknown }).code;
  if (code === "EADDRINUSE" || code === "EACCES") {
    const why = code === "EADDRINUSE" ? "is already in use" : "needs privileges";
    console.error(`livetemplate gallery: port ${port} on ${host} ${why}; set PORT to another one (PORT=0 picks a free port)`);
    process.exit(1);
  }
  throw err;
}
// Which backends this instance uses (handler.health() names them and checks they answer).
const health = await gallery.handlers.counter.health();
console.log(
  `livetemplate gallery on ${gallery.url} (sessions: ${health.sessionStore.name}, bus: ${health.bus?.name ?? "none"}; metrics at /metrics, health at /healthz)`,
);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void gallery.close().then(() => process.exit(0));
  });
}
