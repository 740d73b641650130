/**
 * Upgrades on a server shared by several handlers: each path reaches its handler once, and an
 * upgrade no handler takes is answered (404) instead of being left open.
 */
import { once } from "node:events";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createLiveHandler, type LiveHandler } from "../../src/server/live-handler.js";
import { silentLogger } from "../../src/server/options.js";
import { Counter, counterView } from "./fixtures.js";
import { TestClient } from "./harness.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function listen(handlers: LiveHandler[]): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanups.push(async () => {
    for (const h of handlers) await h.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/** Sends a raw upgrade request and resolves with the status line, or "no answer" after `ms`. */
function rawUpgrade(port: number, path: string, ms = 1000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let data = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve("no answer");
    }, ms);
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
      if (data.includes("\r\n")) {
        clearTimeout(timer);
        socket.destroy();
        resolve(data.slice(0, data.indexOf("\r\n")));
      }
    });
    socket.on("error", () => {});
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    );
  });
}

const handler = (path?: string, count = 0): LiveHandler =>
  createLiveHandler(counterView(), () => Object.assign(new Counter(), { count }), {
    logger: silentLogger,
    ...(path === undefined ? {} : { path }),
  });

describe("upgrades on a server shared by several handlers", () => {
  it("answers an upgrade to a path no handler serves with 404", async () => {
    const a = handler("/a");
    const b = handler("/b");
    const { server, port } = await listen([a, b]);
    a.attach(server);
    b.attach(server);
    expect(await rawUpgrade(port, "/elsewhere")).toMatch(/^HTTP\/1\.1 404 /);
    expect(await rawUpgrade(port, "/a/deeper")).toMatch(/^HTTP\/1\.1 404 /);
    expect(await rawUpgrade(port, "/a")).toMatch(/^HTTP\/1\.1 101 /);
  });

  it("answers an unmatched upgrade with 404 for a single handler with a path", async () => {
    const a = handler("/a");
    const { server, port } = await listen([a]);
    a.attach(server);
    expect(await rawUpgrade(port, "/b")).toMatch(/^HTTP\/1\.1 404 /);
  });

  it("gives an upgrade to its path's handler only, and every other one to the handler without a path", async () => {
    const all = handler(undefined, 1);
    const b = handler("/b", 2);
    const { server, port } = await listen([all, b]);
    all.attach(server);
    b.attach(server);
    const cb = await TestClient.open(`ws://127.0.0.1:${port}/b`);
    const other = await TestClient.open(`ws://127.0.0.1:${port}/anything`);
    expect((await cb.next())["tree"]).toMatchObject({ 0: "2" });
    expect((await other.next())["tree"]).toMatchObject({ 0: "1" });
    expect(all.connectionCount).toBe(1);
    expect(b.connectionCount).toBe(1);
  });

  it("keeps one upgrade listener per server and removes it when the last handler detaches", async () => {
    const a = handler("/a");
    const b = handler("/b");
    const { server, port } = await listen([a, b]);
    const detachA = a.attach(server);
    const detachB = b.attach(server);
    expect(server.listenerCount("upgrade")).toBe(1);
    detachA();
    expect(await rawUpgrade(port, "/a")).toMatch(/^HTTP\/1\.1 404 /);
    expect(await rawUpgrade(port, "/b")).toMatch(/^HTTP\/1\.1 101 /);
    detachB();
    expect(server.listenerCount("upgrade")).toBe(0);
    // Attaching again after everything detached works.
    a.attach(server);
    expect(await rawUpgrade(port, "/a")).toMatch(/^HTTP\/1\.1 101 /);
  });

  it("leaves unmatched upgrades to the application's own upgrade listeners", async () => {
    const a = handler("/a");
    const { server, port } = await listen([a]);
    a.attach(server);
    server.on("upgrade", (req, socket) => {
      if (req.url === "/mine") socket.end("HTTP/1.1 418 I'm a teapot\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    });
    expect(await rawUpgrade(port, "/mine")).toMatch(/^HTTP\/1\.1 418 /);
  });
});
