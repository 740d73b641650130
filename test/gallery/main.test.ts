/**
 * `npm start` as a new user meets it: the built gallery (dist/examples/gallery/main.js) says which
 * backends it uses, serves /metrics and /healthz, and a busy port ends it with one line.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGallery, type Gallery } from "../../examples/gallery/app.js";

const main = new URL("../../dist/examples/gallery/main.js", import.meta.url).pathname;

function run(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [main], { env: { ...process.env, ...env, REDIS_URL: "" }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
    if (stdout.includes("\n")) child.kill("SIGTERM");
  });
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return once(child, "exit").then(([code]) => ({ code: code as number | null, stdout, stderr }));
}

describe("npm start", () => {
  it("ends with one line, not a stack, when the port is busy", async () => {
    const busy = net.createServer();
    busy.listen(0, "127.0.0.1");
    await once(busy, "listening");
    const port = (busy.address() as net.AddressInfo).port;
    const r = await run({ PORT: String(port), HOST: "127.0.0.1" });
    busy.close();
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      `livetemplate gallery: port ${port} on 127.0.0.1 is already in use; set PORT to another one (PORT=0 picks a free port)`,
    ]);
  });

  it("says which session store and bus it uses", async () => {
    const r = await run({ PORT: "0", HOST: "127.0.0.1" });
    expect(r.stdout).toMatch(/^livetemplate gallery on http:\/\/127\.0\.0\.1:\d+ \(sessions: MemorySessionStore, bus: none; metrics at \/metrics, health at \/healthz\)/);
  });
});

describe("gallery endpoints", () => {
  let gallery: Gallery;
  beforeAll(async () => {
    gallery = await createGallery({ port: 0 });
  });
  afterAll(() => gallery.close());

  it("serves Prometheus metrics of every demo and a health report", async () => {
    const text = await (await fetch(`${gallery.url}/metrics`)).text();
    for (const demo of ["counter", "todos", "chat"]) expect(text).toContain(`livetemplate_actions_total{handler="${demo}"} 0`);
    const health = await fetch(`${gallery.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, demos: { counter: { sessionStore: { name: "MemorySessionStore", ok: true } } } });
  });

  it("asks for no favicon, and a handler serving a whole server answers one with 204", async () => {
    const page = await (await fetch(`${gallery.url}/counter`)).text();
    expect(page).toContain('<link rel="icon" href="data:,">');
    // The counter's handler as the whole server, as `http.createServer(handler)` does.
    const server = http.createServer(gallery.handlers.counter);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const icon = await fetch(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}/favicon.ico`);
    server.close();
    expect(icon.status).toBe(204);
    expect(icon.headers.get("set-cookie")).toBeNull();
  });
});
