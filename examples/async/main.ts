/**
 * `npm run build && node dist/examples/async/main.js`: serves the async demo on PORT (default
 * 8080) and HOST (default 127.0.0.1).
 */
import { createAsyncDemo } from "./app.js";

const demo = await createAsyncDemo({ port: Number(process.env["PORT"] ?? 8080), host: process.env["HOST"] ?? "127.0.0.1" });
console.log(`livetemplate async demo on ${demo.url}`);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void demo.close().then(() => process.exit(0)));
