import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createLiveHandler } from "../../src/server/live-handler.js";
import { silentLogger } from "../../src/server/options.js";
import { Counter, counterView } from "./fixtures.js";
import { TestClient } from "./harness.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe("attaching handlers to a server", () => {
  it("routes upgrades by path when several handlers share a server", async () => {
    const a = createLiveHandler(counterView(), () => new Counter(), { logger: silentLogger, path: "/a" });
    const b = createLiveHandler(counterView(), () => Object.assign(new Counter(), { count: 100 }), { logger: silentLogger, path: "/b" });
    const server = http.createServer((req, res) => (req.url?.startsWith("/a") ? a(req, res) : b(req, res)));
    a.attach(server);
    const detachB = b.attach(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    cleanups.push(async () => {
      await a.close();
      await b.close();
      server.closeAllConnections();
      server.close();
    });
    const port = (server.address() as AddressInfo).port;
    const ca = await TestClient.open(`ws://127.0.0.1:${port}/a`);
    const cb = await TestClient.open(`ws://127.0.0.1:${port}/b?x=1`);
    expect((await ca.next())["tree"]).toMatchObject({ 0: "0" });
    expect((await cb.next())["tree"]).toMatchObject({ 0: "100" });
    expect(a.connectionCount).toBe(1);
    expect(b.connectionCount).toBe(1);
    detachB();
    expect(server.listenerCount("upgrade")).toBe(1);
  });

  it("sets the session cookie on the 101 response of a cookieless upgrade, and that cookie joins the group", async () => {
    const h = createLiveHandler(counterView(), () => new Counter(), { logger: silentLogger });
    const server = http.createServer(h);
    h.attach(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    cleanups.push(async () => {
      await h.close();
      server.closeAllConnections();
      server.close();
    });
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const first = new TestClient(url);
    const [res] = (await once(first.ws, "upgrade")) as [http.IncomingMessage];
    const cookie = String(res.headers["set-cookie"]).split(";")[0]!;
    expect(cookie).toMatch(/^livetemplate-id=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/);
    await first.next();
    await first.action("increment", { by: 4 });
    const second = await TestClient.open(url, { headers: { cookie } });
    expect((await second.next())["tree"]).toMatchObject({ 0: "4" });
  });

  it("works as a plain request listener without attach for HTTP only", async () => {
    const h = createLiveHandler(counterView(), () => new Counter(), { logger: silentLogger, webSocket: false });
    const server = http.createServer((req, res) => h(req, res, (err) => res.writeHead(599).end(String(err))));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    cleanups.push(async () => {
      await h.close();
      server.close();
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const res = await fetch(url, { headers: { accept: "application/json" } });
    expect(res.headers.get("x-livetemplate-websocket")).toBe("disabled");
    expect(await res.json()).toMatchObject({ tree: { 0: "0" } });
  });
});
