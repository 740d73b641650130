/**
 * Session ids over real sockets: the server never runs a session under an id it did not issue
 * (session fixation), and `rotateSession` moves a browser's session to a fresh id after a login.
 */
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createLiveHandler, type LiveHandler } from "../../src/server/live-handler.js";
import { silentLogger } from "../../src/server/options.js";
import { MemorySessionStore } from "../../src/server/session-store.js";
import { Counter, counterView } from "./fixtures.js";
import { TestClient } from "./harness.js";

const CHOSEN = "AttackerChosenId_____0";
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A handler on `/`, plus an app route `/login` that rotates the session. */
async function app(): Promise<{ url: string; ws: string; store: MemorySessionStore; handler: LiveHandler }> {
  const store = new MemorySessionStore();
  const handler = createLiveHandler(counterView(), () => new Counter(), { logger: silentLogger, sessionStore: store, rateLimit: false });
  const server = http.createServer((req, res) => {
    if (req.url === "/login") {
      handler.rotateSession(req, res).then(
        () => res.end("ok"),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
      return;
    }
    handler(req, res);
  });
  handler.attach(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanups.push(async () => {
    await handler.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/`, ws: `ws://127.0.0.1:${port}/`, store, handler };
}

const cookieOf = (setCookie: string | null | undefined): string => String(setCookie).split(";")[0]!;

describe("session ids", () => {
  it("ignores an id the server did not issue over HTTP: a fresh cookie is set and no session runs under the chosen id", async () => {
    const a = await app();
    const res = await fetch(a.url, {
      method: "POST",
      headers: { cookie: `livetemplate-id=${CHOSEN}`, "content-type": "application/json" },
      body: JSON.stringify({ action: "increment" }),
    });
    expect(res.status).toBe(200);
    const fresh = cookieOf(res.headers.get("set-cookie"));
    expect(fresh).toMatch(/^livetemplate-id=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/);
    expect(fresh).not.toContain(CHOSEN);
    expect(await a.store.list()).not.toContain(CHOSEN);
  });

  it("ignores an id the server did not issue over WebSocket: the 101 sets a fresh cookie", async () => {
    const a = await app();
    const c = new TestClient(a.ws, { headers: { cookie: `livetemplate-id=${CHOSEN}` } });
    const [res] = (await once(c.ws, "upgrade")) as [http.IncomingMessage];
    expect(cookieOf(res.headers["set-cookie"]?.[0])).toMatch(/^livetemplate-id=[A-Za-z0-9_-]{22}\./);
    await c.next();
    await c.action("increment");
    expect(await a.store.list()).not.toContain(CHOSEN);
    c.close();
  });

  it("lets several handlers of one process share the session cookie", async () => {
    const a = await app();
    const b = await app();
    const first = await fetch(a.url);
    await first.text();
    const cookie = cookieOf(first.headers.get("set-cookie"));
    const res = await fetch(b.url, { headers: { cookie } });
    await res.text();
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("rotateSession moves the state and the open tabs to a fresh id and forgets the old one", async () => {
    const a = await app();
    const first = await fetch(a.url);
    await first.text();
    const before = cookieOf(first.headers.get("set-cookie"));
    const tab = await TestClient.open(a.ws, { headers: { cookie: before } });
    await tab.next();
    await tab.action("increment", { by: 3 });

    const login = await fetch(a.url + "login", { headers: { cookie: before } });
    expect(await login.text()).toBe("ok");
    const after = cookieOf(login.headers.get("set-cookie"));
    expect(after).toMatch(/^livetemplate-id=/);
    expect(after).not.toBe(before);

    // The open tab now works on the rotated session.
    expect(await tab.action("increment")).toMatchObject({ tree: { 0: "4" } });
    const rotated = await TestClient.open(a.ws, { headers: { cookie: after } });
    expect((await rotated.next())["tree"]).toMatchObject({ 0: "4" });
    // The old id now names nothing: it starts from scratch.
    const stale = await TestClient.open(a.ws, { headers: { cookie: before } });
    expect((await stale.next())["tree"]).toMatchObject({ 0: "0" });
    for (const c of [tab, rotated, stale]) c.close();
  });
});
