/**
 * Action ids (our client sends `"id"` with each action): a session group remembers the last ids
 * and answers a repeated one with the first try's outcome instead of running the action again,
 * over WebSocket and HTTP alike; and an unknown action is logged once per name.
 */
import { createRequire } from "node:module";
import { afterEach, describe, expect, it } from "vitest";
import { createLiveHandler } from "../../src/server/live-handler.js";
import type { LiveHandlerOptions } from "../../src/server/options.js";
import { silentLogger } from "../../src/server/options.js";
import { HEADER_ACTION_IDS, HEADER_RENDER } from "../../src/protocol/wire.js";
import type { Logger } from "../../src/session/types.js";
import { Counter, counterView } from "./fixtures.js";
import { serve, sessionCookie, TestClient, type Served } from "./harness.js";

const require = createRequire(import.meta.url);
const { TreeRenderer } = require("@livetemplate/client/dist/state/tree-renderer.js") as {
  TreeRenderer: new (logger: object) => { applyUpdate(u: object): { html: string } };
};
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

/** A store without `change`: an action it has no method for is unknown. */
class Strict {
  count = 0;
  title = "";
  items: string[] = [];
  increment(): void {
    this.count++;
  }
}

async function start(options: LiveHandlerOptions = {}, store: new () => object = Counter): Promise<Served> {
  served = await serve(createLiveHandler(counterView(), store, { logger: silentLogger, rateLimit: false, ...options }));
  return served;
}

function post(s: Served, cookie: string, body: object, render?: string): Promise<Response> {
  const headers: Record<string, string> = { cookie, "content-type": "application/json", accept: "application/json" };
  if (render !== undefined) headers[HEADER_RENDER] = render;
  return fetch(s.url, { method: "POST", headers, body: JSON.stringify(body) });
}

async function count(s: Served, cookie: string): Promise<string> {
  const json = (await (await fetch(s.url, { headers: { cookie, accept: "application/json" } })).json()) as { tree: Record<string, unknown> };
  return String(json.tree["0"]);
}

describe("action ids", () => {
  it("announces how many action ids a group remembers on every response", async () => {
    const s = await start();
    const res = await fetch(s.url, { method: "HEAD" });
    expect(res.headers.get(HEADER_ACTION_IDS)).toBe("256");
  });

  it("runs a WebSocket action sent twice with one id once, and repeats the first reply's meta", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const c = await TestClient.open(s.wsUrl, { headers: { cookie } });
    await c.next();
    const first = await c.action("increment", { by: 5 }, );
    c.send({ action: "increment", data: { by: 5 }, id: "t1.1" });
    const once = await c.next();
    c.send({ action: "increment", data: { by: 5 }, id: "t1.1" });
    const again = await c.next();
    expect(first).toEqual({ tree: { 0: "5" }, meta: { success: true, errors: {}, action: "increment" } });
    expect(once).toEqual({ tree: { 0: "10" }, meta: { success: true, errors: {}, action: "increment" } });
    expect(again).toEqual({ tree: {}, meta: { success: true, errors: {}, action: "increment" } });
    expect(await count(s, cookie)).toBe("10");
    c.close();
  });

  it("repeats a failed action's errors for its id without running it again", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const c = await TestClient.open(s.wsUrl, { headers: { cookie } });
    await c.next();
    c.send({ action: "save", data: { title: "" }, id: "t.1" });
    const first = await c.next();
    c.send({ action: "save", data: { title: "" }, id: "t.1" });
    const again = await c.next();
    expect(again).toEqual({ tree: {}, meta: first["meta"] });
    expect(first["meta"]).toEqual({ success: false, errors: { title: "title is required" }, action: "save" });
    c.close();
  });

  it("runs an HTTP action retried with its id once and answers the retry with an exact tree", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const r = new TreeRenderer(quiet);
    const get = await fetch(s.url, { headers: { cookie, accept: "application/json" } });
    const held = get.headers.get(HEADER_RENDER) ?? "";
    r.applyUpdate(((await get.json()) as { tree: object }).tree);
    const body = { action: "save", data: { title: "Milk" }, id: "h.1" };
    const first = (await (await post(s, cookie, body, held)).json()) as { tree: object; meta: object };
    // The reply was lost: the client still holds the tree before it and sends the action again.
    const retry = (await (await post(s, cookie, body, held)).json()) as { tree: object; meta: object };
    expect(retry.meta).toEqual(first.meta);
    expect(r.applyUpdate(retry.tree).html).toBe("<p>0</p><h1>Milk</h1><ul><li>Milk</li></ul>");
    expect(await count(s, cookie)).toBe("0");
    const page = await (await fetch(s.url, { headers: { cookie } })).text();
    expect(page.match(/<li>Milk<\/li>/g)).toHaveLength(1);
  });

  it("does not run an action sent over WebSocket again when its id comes back over HTTP", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const c = await TestClient.open(s.wsUrl, { headers: { cookie } });
    await c.next();
    c.send({ action: "increment", id: "x.7" });
    await c.next();
    c.close();
    await c.closed;
    const res = (await (await post(s, cookie, { action: "increment", id: "x.7" })).json()) as { meta: object };
    expect(res.meta).toEqual({ success: true, errors: {}, action: "increment" });
    expect(await count(s, cookie)).toBe("1");
  });

  it("keeps ids per session group: another group's equal id runs", async () => {
    const s = await start();
    const one = await sessionCookie(s.url);
    const two = await sessionCookie(s.url);
    await post(s, one, { action: "increment", id: "same" });
    await post(s, two, { action: "increment", id: "same" });
    expect([await count(s, one), await count(s, two)]).toEqual(["1", "1"]);
  });

  it("waits for a first try still running and answers the repeat with its outcome", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const [a, b] = await Promise.all([
      post(s, cookie, { action: "slowIncrement", data: { ms: 50 }, id: "slow" }),
      post(s, cookie, { action: "slowIncrement", data: { ms: 50 }, id: "slow" }),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(await count(s, cookie)).toBe("1");
  });
});

describe("unknown actions", () => {
  function recording(): { logger: Logger; warnings: string[] } {
    const warnings: string[] = [];
    return { warnings, logger: { ...silentLogger, warn: (m: string) => warnings.push(m) } };
  }

  it("are logged once per name, over WebSocket, JSON POST and form posts", async () => {
    const { logger, warnings } = recording();
    const s = await start({ logger }, Strict);
    const cookie = await sessionCookie(s.url);
    const c = await TestClient.open(s.wsUrl, { headers: { cookie } });
    await c.next();
    expect(await c.action("nope")).toMatchObject({ type: "error", code: "LT_ERR_PROTOCOL_UNKNOWN_ACTION" });
    expect(await c.action("nope")).toMatchObject({ type: "error", code: "LT_ERR_PROTOCOL_UNKNOWN_ACTION" });
    expect((await post(s, cookie, { action: "nope" })).status).toBe(400);
    expect((await post(s, cookie, { action: "other\nforged line" })).status).toBe(400);
    await fetch(s.url, { method: "POST", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: "lvt-action=nope" });
    c.close();
    const unknown = warnings.filter((w) => w.startsWith("LT_ERR_PROTOCOL_UNKNOWN_ACTION"));
    expect(unknown).toEqual([
      'LT_ERR_PROTOCOL_UNKNOWN_ACTION: no store handles action "nope" (logged once)',
      'LT_ERR_PROTOCOL_UNKNOWN_ACTION: no store handles action "other?forged line" (logged once)',
    ]);
  });

  it("stop being logged by name after 256 distinct names", async () => {
    const { logger, warnings } = recording();
    const s = await start({ logger, logLimit: false }, Strict);
    const cookie = await sessionCookie(s.url);
    const c = await TestClient.open(s.wsUrl, { headers: { cookie } });
    await c.next();
    for (let i = 0; i < 300; i++) c.send({ action: `nope${i}` });
    for (let i = 0; i < 300; i++) await c.next();
    c.close();
    const unknown = warnings.filter((w) => w.startsWith("LT_ERR_PROTOCOL_UNKNOWN_ACTION"));
    expect(unknown).toHaveLength(257);
    expect(unknown[256]).toMatch(/no longer logging/);
  });
});
