/**
 * `npm start`: serves the gallery on PORT (default 8080) and HOST (default 127.0.0.1).
 */
import { createGallery } from "./app.js";
import type { GalleryOptions } from "./app.js";
import { MemorySessionStore } from "livetemplate";

/**
 * Backends shared by several instances, chosen from the environment. With no variable set the
 * gallery keeps sessions in memory (one instance). With REDIS_URL (e.g. `redis://127.0.0.1:6379`)
 * the counter and todos demos keep their session groups in Redis and every demo's notices travel
 * over a Redis bus, so several instances behind a load balancer serve the same sessions. The chat
 * demo stays in memory: its room is an in-process object (see chat.ts).
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

const gallery = await createGallery({
  port: Number(process.env["PORT"] ?? 8080),
  host: process.env["HOST"] ?? "127.0.0.1",
  ...(await backendsFromEnv(process.env)),
});
console.log(`livetemplate gallery on ${gallery.url}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void gallery.close().then(() => process.exit(0));
  });
}
