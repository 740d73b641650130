/**
 * `npm start`: serves the gallery on PORT (default 8080) and HOST (default 127.0.0.1).
 */
import { createGallery } from "./app.js";
import type { GalleryOptions } from "./app.js";

/**
 * Backends shared by several instances, chosen from the environment. With no variable set the
 * gallery keeps sessions in memory (one instance). REDIS_URL support plugs in here: a Redis
 * session store per demo (`sessionStore`) and a Redis broadcast bus (`handlerOptions.broadcastBus`).
 */
async function backendsFromEnv(env: NodeJS.ProcessEnv): Promise<GalleryOptions> {
  if (env["REDIS_URL"] !== undefined && env["REDIS_URL"] !== "") {
    console.warn("REDIS_URL is set but this build has no Redis backend; using memory sessions");
  }
  return {};
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
