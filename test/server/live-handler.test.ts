import { createRequire } from "node:module";
import { afterEach, describe, expect, it } from "vitest";
import { BasicAuthenticator } from "../../src/server/authenticator.js";
import { createLiveHandler } from "../../src/server/live-handler.js";
import type { LiveHandlerOptions } from "../../src/server/options.js";
import { silentLogger } from "../../src/server/options.js";
import { FakeView } from "./fake-view.js";
import { Counter, counterView } from "./fixtures.js";
import { serve, sessionCookie, TestClient, type Served } from "./harness.js";

const require = createRequire(import.meta.url);
const { TreeRenderer } = require("@livetemplate/client/dist/state/tree-renderer.js") as {
  TreeRenderer: new (logger: object) => { applyUpdate(u: object): { html: string } };
};

let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

async function start(options: LiveHandlerOptions = {}, store: object = new Counter()): Promise<Served> {
  served = await serve(createLiveHandler(counterView(), store, { logger: silentLogger, ...options }));
  return served;
}

async function open(s: Served, cookie?: string): Promise<TestClient> {
  return TestClient.open(s.wsUrl, cookie ? { headers: { cookie } } : {});
}

describe("HTTP page", () => {
  it("serves the page with the wrapper, the client script tag and a session cookie", async () => {
    const s = await start();
    const res = await fetch(s.url);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get("x-livetemplate-websocket")).toBe("enabled");
    expect(res.headers.get("set-cookie")).toMatch(/^livetemplate-id=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}; Path=\/; Max-Age=31536000; HttpOnly; SameSite=Lax$/);
    expect(html).toMatch(/<div data-lvt-id="lvt-[0-9a-f]{16}" data-lvt-loading="true"><p>0<\/p>/);
    expect(html).toMatch(/<script src="\/\?lvt-client=[^"]+" defer><\/script><\/body>/);
  });

  it("does not set a new cookie when the browser sends one", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const res = await fetch(s.url, { headers: { cookie } });
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("honours the loading-indicator and script options", async () => {
    const s = await start({ loadingIndicator: false, clientScript: { src: "/static/lt.js" } });
    const html = await (await fetch(s.url)).text();
    expect(html).not.toContain("data-lvt-loading");
    expect(html).toContain('<script src="/static/lt.js" defer></script>');
  });

  it("answers the HEAD probe with the WebSocket header and no body", async () => {
    const s = await start({ webSocket: false });
    const res = await fetch(s.url, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-livetemplate-websocket")).toBe("disabled");
    expect(await res.text()).toBe("");
  });

  it("refuses other methods with 405", async () => {
    const s = await start();
    const res = await fetch(s.url, { method: "PUT" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD, POST");
  });

  it("serves the client bundle with an ETag, or a clear 404 when it is missing", async () => {
    const s = await start({ clientScript: { file: require.resolve("@livetemplate/client/dist/livetemplate-client.browser.js") } });
    const res = await fetch(`${s.url}?lvt-client=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/javascript/);
    expect(res.headers.get("cache-control")).toContain("immutable");
    const etag = res.headers.get("etag")!;
    expect((await res.text()).length).toBeGreaterThan(1000);
    const again = await fetch(`${s.url}?lvt-client=1`, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    await s.stop();
    served = undefined;
    const missing = await start({ clientScript: { file: "/nonexistent/livetemplate.min.js" } });
    const res404 = await fetch(`${missing.url}?lvt-client=1`);
    expect(res404.status).toBe(404);
    expect(await res404.text()).toContain("npm run build");
  });
});

describe("WebSocket", () => {
  it("sends the full tree with statics and capabilities first", async () => {
    const s = await start({ capabilities: ["change"] });
    const c = await open(s);
    expect(await c.next()).toEqual({
      tree: { s: ["<p>", "</p><h1>", "</h1><ul>", "</ul>"], 0: "0", 1: "", 2: "" },
      meta: { success: true, errors: {}, capabilities: ["change"] },
    });
  });

  it("replies to an action with the diff and echoes the action", async () => {
    const s = await start();
    const c = await open(s);
    await c.next();
    expect(await c.action("increment", { by: 5 })).toEqual({ tree: { 0: "5" }, meta: { success: true, errors: {}, action: "increment" } });
    expect(await c.action("increment", { by: 0 })).toEqual({ tree: {}, meta: { success: true, errors: {}, action: "increment" } });
  });

  it("answers __ping__ with a pong and no render", async () => {
    const s = await start();
    const c = await open(s);
    await c.next();
    expect(await c.action("__ping__")).toEqual({ pong: true });
  });

  it("keeps two tabs with one cookie in sync", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const a = await open(s, cookie);
    const b = await open(s, cookie);
    await a.next();
    await b.next();
    await a.action("increment");
    expect(await b.next()).toEqual({ tree: { 0: "1" }, meta: { success: true, errors: {} } });
    // A tab opened later sees the shared state in its full tree.
    const c = await open(s, cookie);
    expect((await c.next())["tree"]).toMatchObject({ 0: "1" });
  });

  it("isolates two cookies", async () => {
    const s = await start();
    const a = await open(s, await sessionCookie(s.url));
    const b = await open(s, await sessionCookie(s.url));
    await a.next();
    await b.next();
    await a.action("increment");
    expect(await b.idle()).toBe(true);
    const fresh = await b.action("increment", { by: 0 });
    expect(fresh["tree"]).toEqual({});
  });

  it("gives a restarted connection a full tree of the current state", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const a = await open(s, cookie);
    await a.next();
    await a.action("increment", { by: 3 });
    a.close();
    await a.closed;
    const again = await open(s, cookie);
    expect((await again.next())["tree"]).toEqual({ s: ["<p>", "</p><h1>", "</h1><ul>", "</ul>"], 0: "3", 1: "", 2: "" });
  });

  it("re-sends the full tree on __navigate__", async () => {
    const s = await start();
    const c = await open(s);
    await c.next();
    await c.action("increment");
    expect((await c.action("__navigate__", { tab: "2" }))["tree"]).toMatchObject({ s: expect.any(Array), 0: "1" });
  });

  it("rolls the store back when an action throws and reports a general error", async () => {
    const s = await start();
    const c = await open(s);
    await c.next();
    await c.action("increment", { by: 2 });
    expect(await c.action("boom")).toEqual({ tree: {}, meta: { success: false, errors: { _general: "internal error" }, action: "boom" } });
    expect(await c.action("increment", { by: 0 })).toMatchObject({ tree: {} });
    expect(await c.action("increment")).toMatchObject({ tree: { 0: "3" } });
  });

  it("sends the thrown message to the client in dev mode", async () => {
    const s = await start({ dev: true });
    const c = await open(s);
    await c.next();
    expect((await c.action("boom"))["meta"]).toEqual({ success: false, errors: { _general: "internal error: kaboom" }, action: "boom" });
  });

  it("reports validation errors by field", async () => {
    const s = await start();
    const c = await open(s);
    await c.next();
    expect((await c.action("save", { title: " " }))["meta"]).toEqual({ success: false, errors: { title: "title is required" }, action: "save" });
    expect(await c.action("save", { title: "Milk" })).toEqual({
      tree: { 1: "Milk", 2: "<li>Milk</li>" },
      meta: { success: true, errors: {}, action: "save" },
    });
  });

  it("serializes async actions of one group across tabs", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const a = await open(s, cookie);
    const b = await open(s, cookie);
    await a.next();
    await b.next();
    for (let i = 0; i < 3; i++) {
      a.send({ action: "slowIncrement", data: { ms: 30 } });
      b.send({ action: "slowIncrement", data: { ms: 10 } });
    }
    const seen: unknown[] = [];
    for (let i = 0; i < 6; i++) seen.push((await a.next())["tree"]);
    expect(seen.map((t) => (t as Record<string, string>)["0"])).toEqual(["1", "2", "3", "4", "5", "6"]);
  });

  it("serializes async actions arriving over HTTP and WebSocket at the same time", async () => {
    const s = await start({ rateLimit: false });
    const cookie = await sessionCookie(s.url);
    const tab = await open(s, cookie);
    await tab.next();
    const posts = Array.from({ length: 10 }, () =>
      fetch(s.url, {
        method: "POST",
        headers: { cookie, "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ action: "slowIncrement", data: { ms: 2 } }),
      }).then((r) => r.json()),
    );
    for (let i = 0; i < 10; i++) tab.send({ action: "slowIncrement", data: { ms: 1 } });
    await Promise.all(posts);
    // The tab's own replies carry meta.action; pushes caused by the HTTP actions do not.
    for (let replies = 0; replies < 10; ) {
      const m = await tab.next();
      if ((m["meta"] as { action?: string }).action === "slowIncrement") replies++;
    }
    const json = await (await fetch(s.url, { headers: { cookie, accept: "application/json" } })).json();
    expect((json as { tree: Record<string, unknown> }).tree["0"]).toBe("20");
  });

  it("produces frames that rebuild the right HTML with the published client's TreeRenderer", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const a = await open(s, cookie);
    const b = await open(s, cookie);
    const logger = { debug() {}, info() {}, warn() {}, error() {} };
    const ra = new TreeRenderer(logger);
    const rb = new TreeRenderer(logger);
    ra.applyUpdate((await a.next())["tree"] as object);
    rb.applyUpdate((await b.next())["tree"] as object);
    const view = counterView();
    const model = new Counter();
    const steps: [string, Record<string, unknown>, (m: Counter) => void][] = [
      ["increment", { by: 2 }, (m) => (m.count += 2)],
      ["save", { title: "a<b" }, (m) => { m.title = "a<b"; m.items.push("a<b"); }],
      ["save", { title: "c" }, (m) => { m.title = "c"; m.items.push("c"); }],
      ["reset", {}, (m) => (m.count = 0)],
    ];
    for (const [action, data, apply] of steps) {
      const reply = await a.action(action, data);
      apply(model);
      const htmlA = ra.applyUpdate(reply["tree"] as object).html;
      expect(htmlA).toBe(view.html(model));
      const pushed = await b.next();
      expect(rb.applyUpdate(pushed["tree"] as object).html).toBe(view.html(model));
    }
  });

  it("calls onConnect with a broadcaster whose send() pushes changes made outside actions, and onDisconnect", async () => {
    const events: string[] = [];
    let tick: (() => Promise<void>) | undefined;
    class Live extends Counter {
      onConnect(_ctx: unknown, b: { send(): Promise<void> }): void {
        events.push("connect");
        tick = async () => {
          this.count += 10;
          await b.send();
        };
      }
      onDisconnect(): void {
        events.push("disconnect");
      }
    }
    const s = await start({}, () => new Live());
    const cookie = await sessionCookie(s.url);
    const a = await open(s, cookie);
    const b = await open(s, cookie);
    await a.next();
    await b.next();
    expect(events).toEqual(["connect", "connect"]);
    await tick!();
    expect(await a.next()).toEqual({ tree: { 0: "10" }, meta: { success: true, errors: {} } });
    expect(await b.next()).toEqual({ tree: { 0: "10" }, meta: { success: true, errors: {} } });
    a.close();
    await a.closed;
    await new Promise((r) => setTimeout(r, 50));
    expect(events).toEqual(["connect", "connect", "disconnect"]);
  });
});

describe("broadcaster.send() awaited by store code of the same group", () => {
  const pushed = (n: number) => ({ tree: { 0: String(n) }, meta: { success: true, errors: {} } });

  it("an onConnect hook that awaits send() finishes, and the others see its change", async () => {
    class Greeter extends Counter {
      async onConnect(_ctx: unknown, b: { send(): Promise<void> }): Promise<void> {
        this.count += 1;
        await b.send();
      }
    }
    const s = await start({}, () => new Greeter());
    const cookie = await sessionCookie(s.url);
    const a = await open(s, cookie);
    expect((await a.next())["tree"]).toMatchObject({ 0: "1" });
    const b = await open(s, cookie);
    expect(await a.next()).toEqual(pushed(2));
    expect((await b.next())["tree"]).toMatchObject({ 0: "2" });
    expect(await a.idle()).toBe(true);
  });

  it("an action that awaits send() of a broadcaster kept from onConnect finishes", async () => {
    let kept: { send(): Promise<void> } | undefined;
    class Keeper extends Counter {
      onConnect(_ctx: unknown, b: { send(): Promise<void> }): void {
        kept = b;
      }
      async bump(): Promise<void> {
        this.count += 5;
        await kept!.send();
      }
    }
    const s = await start({}, () => new Keeper());
    const cookie = await sessionCookie(s.url);
    const a = await open(s, cookie);
    await a.next();
    const b = await open(s, cookie);
    await b.next();
    // The send inside the action pushes the change to everybody; the reply carries what is left.
    expect(await a.action("bump")).toEqual(pushed(5));
    expect(await a.next()).toEqual({ tree: {}, meta: { success: true, errors: {}, action: "bump" } });
    expect(await b.next()).toEqual(pushed(5));
  });
});

describe("store lifecycle", () => {
  it("calls init once per session group, awaiting an async init before the first render", async () => {
    let inits = 0;
    class Seeded extends Counter {
      async init(): Promise<void> {
        inits++;
        await new Promise((r) => setTimeout(r, 5));
        this.count = 50;
      }
    }
    const s = await start({}, new Seeded());
    const cookie = await sessionCookie(s.url);
    const a = await open(s, cookie);
    const b = await open(s, cookie);
    expect((await a.next())["tree"]).toMatchObject({ 0: "50" });
    expect((await b.next())["tree"]).toMatchObject({ 0: "50" });
    expect(inits).toBe(1);
    const other = await open(s, await sessionCookie(s.url));
    await other.next();
    expect(inits).toBe(2);
  });
});

describe("render failures", () => {
  it("answers an action whose new state cannot be rendered and keeps the connection usable", async () => {
    const view = new FakeView(["<p>", "</p>"], (data) => {
      const n = (data as Counter).count;
      if (n === 13) throw new Error("unlucky");
      return [String(n)];
    });
    served = await serve(createLiveHandler(view, () => new Counter(), { logger: silentLogger }));
    const c = await TestClient.open(served.wsUrl);
    await c.next();
    expect(await c.action("increment", { by: 13 })).toEqual({
      tree: {},
      meta: { success: false, errors: { _general: "the update could not be rendered" }, action: "increment" },
    });
    // The unrenderable state (13) was rolled back, so the next increment starts from 0.
    expect(await c.action("increment")).toEqual({ tree: { 0: "1" }, meta: { success: true, errors: {}, action: "increment" } });
  });
});

describe("HTTP fallback", () => {
  it("returns the full tree on a JSON GET and diffs on JSON POSTs", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const get = await fetch(s.url, { headers: { cookie, accept: "application/json" } });
    expect(await get.json()).toEqual({
      tree: { s: ["<p>", "</p><h1>", "</h1><ul>", "</ul>"], 0: "0", 1: "", 2: "" },
      meta: { success: true, errors: {}, capabilities: [] },
    });
    const post = (body: object) =>
      fetch(s.url, { method: "POST", headers: { cookie, "content-type": "application/json", accept: "application/json" }, body: JSON.stringify(body) });
    expect(await (await post({ action: "increment", data: { by: 4 } })).json()).toEqual({
      tree: { 0: "4" },
      meta: { success: true, errors: {}, action: "increment" },
    });
    expect(await (await post({ action: "save", data: { title: "" } })).json()).toEqual({
      tree: {},
      meta: { success: false, errors: { title: "title is required" }, action: "save" },
    });
    expect(await (await post({ action: "__ping__" })).json()).toEqual({ pong: true });
    const bad = await post({ data: {} });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ type: "error", code: "LT_ERR_PROTOCOL_MALFORMED" });
  });

  it("pushes an HTTP action to the group's live tabs", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const tab = await open(s, cookie);
    await tab.next();
    await fetch(s.url, { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify({ action: "increment" }) });
    expect(await tab.next()).toEqual({ tree: { 0: "1" }, meta: { success: true, errors: {} } });
  });

  it("redirects a successful no-JS form post and re-renders the page on validation errors", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const form = (body: string, path = "") =>
      fetch(s.url + path, { method: "POST", redirect: "manual", headers: { cookie, "content-type": "application/x-www-form-urlencoded", accept: "text/html" }, body });
    const ok = await form("lvt-action=save&title=Bread", "?tab=2");
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/?tab=2");
    const byButton = await form("title=Jam&save=");
    expect(byButton.status).toBe(303);
    const page = await (await fetch(s.url, { headers: { cookie } })).text();
    expect(page).toContain("<li>Bread</li><li>Jam</li>");
    const invalid = await form("lvt-action=save&title=");
    expect(invalid.status).toBe(422);
    expect(await invalid.text()).toContain("<h1>Jam</h1>");
    const none = await form("title=x");
    expect(none.status).toBe(400);
  });

  it("accepts multipart form posts", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const body = new FormData();
    body.set("lvt-action", "save");
    body.set("title", "Tea");
    const res = await fetch(s.url, { method: "POST", headers: { cookie, accept: "application/json" }, body });
    expect(await res.json()).toMatchObject({ meta: { success: true, action: "save" } });
  });
});

describe("Basic authentication", () => {
  it("challenges anonymous requests and upgrades, and admits valid users", async () => {
    const s = await start({ authenticator: BasicAuthenticator.fromUsers({ alice: "pw" }) });
    const res = await fetch(s.url);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
    const bad = new TestClient(s.wsUrl);
    await expect(new Promise((_, reject) => bad.ws.on("unexpected-response", (_r, r) => reject(new Error(String(r.statusCode)))))).rejects.toThrow("401");
    const authorization = `Basic ${Buffer.from("alice:pw").toString("base64")}`;
    const ok = await fetch(s.url, { headers: { authorization } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("set-cookie")).toBeNull();
    const c = await TestClient.open(s.wsUrl, { headers: { authorization } });
    expect((await c.next())["tree"]).toMatchObject({ 0: "0" });
  });
});
