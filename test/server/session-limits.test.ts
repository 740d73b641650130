/**
 * Sessions are bounded: a page view alone starts none, `maxSessions` caps what is held, and one
 * client address can start only so many sessions and send only so many HTTP actions.
 */
import { once } from "node:events";
import type http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createLiveHandler } from "../../src/server/live-handler.js";
import { silentLogger, type LiveHandlerOptions } from "../../src/server/options.js";
import { MemorySessionStore } from "../../src/server/session-store.js";
import { Counter, counterView } from "./fixtures.js";
import { serve, sessionCookie, TestClient, type Served } from "./harness.js";

let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

class Seeded extends Counter {
  init(): void {
    this.count = 50;
  }
}

async function start(options: LiveHandlerOptions = {}): Promise<{ s: Served; store: MemorySessionStore }> {
  const store = new MemorySessionStore(options.maxSessions === undefined ? {} : { maxSessions: options.maxSessions });
  const s = (served = await serve(
    createLiveHandler(counterView(), Seeded, { logger: silentLogger, rateLimit: false, sessionStore: store, ...options }),
  ));
  return { s, store };
}

const postJSON = (url: string, body: object, cookie?: string): Promise<Response> =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(cookie === undefined ? {} : { cookie }) },
    body: JSON.stringify(body),
  });

describe("session limits", () => {
  it("starts no session for a visitor who only views the page", async () => {
    const { s, store } = await start({ sessionRateLimit: false });
    for (let i = 0; i < 200; i++) {
      const res = await fetch(s.url);
      expect(await res.text()).toContain("<p>50</p>");
    }
    expect(store.size).toBe(0);
    expect(s.handler.sessionCount).toBe(0);
  });

  it("starts the session at the visitor's first action, from the state the page showed", async () => {
    const { s, store } = await start();
    const cookie = await sessionCookie(s.url);
    expect(store.size).toBe(0);
    const reply = (await (await postJSON(s.url, { action: "increment" }, cookie)).json()) as { tree: Record<string, unknown> };
    expect(reply.tree).toMatchObject({ 0: "51" });
    expect(store.size).toBe(1);
    const tab = await TestClient.open(s.wsUrl, { headers: { cookie } });
    expect((await tab.next())["tree"]).toMatchObject({ 0: "51" });
    tab.close();
  });

  it("holds at most maxSessions groups in memory and in the store", async () => {
    const { s, store } = await start({ maxSessions: 5 });
    for (let i = 0; i < 20; i++) expect((await postJSON(s.url, { action: "increment" })).status).toBe(200);
    expect(s.handler.sessionCount).toBeLessThanOrEqual(5);
    expect(store.size).toBeLessThanOrEqual(5);
  });

  it("refuses a client that starts too many sessions with 429, over HTTP and WebSocket", async () => {
    const { s } = await start({ sessionRateLimit: { perMinute: 1, burst: 3 } });
    const cookie = await sessionCookie(s.url);
    for (let i = 0; i < 2; i++) expect((await fetch(s.url)).status).toBe(200);
    const refused = await fetch(s.url);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ type: "error", code: "LT_ERR_PROTOCOL_RATE_LIMIT" });
    const ws = new TestClient(s.wsUrl);
    const [, res] = (await once(ws.ws, "unexpected-response")) as [http.ClientRequest, http.IncomingMessage];
    expect(res.statusCode).toBe(429);
    // A browser that already has its session is not affected.
    expect((await fetch(s.url, { headers: { cookie } })).status).toBe(200);
  });

  it("limits HTTP actions per client", async () => {
    const { s } = await start({ rateLimit: { perSecond: 1, burst: 3 } });
    const cookie = await sessionCookie(s.url);
    for (let i = 0; i < 3; i++) expect((await postJSON(s.url, { action: "increment" }, cookie)).status).toBe(200);
    const refused = await postJSON(s.url, { action: "increment" }, cookie);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ meta: { success: false, errors: { _rate_limit: expect.any(String) } } });
  });
});
