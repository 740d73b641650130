/**
 * The browser client in Chromium against a hand-written test server: what it sends, how it
 * patches, and which DOM nodes survive a patch.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { ClientMessage } from "../../src/protocol/messages.js";
import { chromiumAvailable, clientBundle, launchBrowser, until } from "./harness.js";
import { startTestServer } from "./test-server.js";
import type { TestApp, TestServer, TestServerOptions } from "./test-server.js";

const run = chromiumAvailable();

/** A keyed list node: `<li data-key="K">TEXT</li>` per item. */
const rows = (items: Array<[string, string]>) => ({
  s: ['<li data-key="', '">', "</li>"],
  d: items.map(([k, t]) => ({ 0: k, 1: t })),
  m: { idKey: "0" },
});
const range = (n: number, from = 1) => Array.from({ length: n }, (_, i): [string, string] => [String(from + i), `row ${from + i}`]);

// The browser is shared by the whole file; each test gets a fresh context and server.
describe.skipIf(!run)("browser client against the test server", () => {
  let browser: Browser;
  let context: BrowserContext;
  let server: TestServer | undefined;
  let script: string;

  beforeAll(async () => {
    [browser, script] = await Promise.all([launchBrowser(), clientBundle()]);
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await context?.close();
    await server?.close();
    server = undefined;
  });

  async function open(app: TestApp, opts: Partial<TestServerOptions> = {}): Promise<Page> {
    server = await startTestServer({ app, script, ...opts });
    context = await browser.newContext();
    const page = await context.newPage();
    page.on("pageerror", (err) => {
      throw err;
    });
    await page.goto(server.url);
    return page;
  }
  const connected = (page: Page) => page.waitForSelector("[data-lvt-id].lvt-connected");
  const js = <T>(page: Page, expr: string) => page.evaluate(expr) as Promise<T>;
  const sent = (action: string) => (server?.received ?? []).filter((m) => m.action === action);

  it("shows the loading state until the first tree, then enables forms and marks the wrapper connected", async () => {
    let release = (): void => {};
    const gate = new Promise<void>((r) => (release = r));
    const app: TestApp = { tree: () => ({ s: ['<form><input name="q"><button>Go</button></form><p>', "</p>"], 0: "ready" }) };
    const page = await open(app, { firstTreeGate: () => gate });
    await page.waitForSelector(".lvt-loading-bar");
    expect(await page.getAttribute("[data-lvt-id]", "data-lvt-loading")).toBe("true");
    expect(await page.isDisabled("input[name=q]")).toBe(true);
    expect(await page.isDisabled("button")).toBe(true);
    await js(page, `document.querySelector("[data-lvt-id]").addEventListener("lvt:connected", () => (window.__up = true))`);
    release();
    await connected(page);
    expect(await page.$(".lvt-loading-bar")).toBeNull();
    expect(await page.getAttribute("[data-lvt-id]", "data-lvt-loading")).toBeNull();
    expect(await page.isDisabled("input[name=q]")).toBe(false);
    expect(await page.isDisabled("button")).toBe(false);
    expect(await js(page, "window.__up")).toBe(true);
  });

  it("as an ES module boots only when the page calls connect", async () => {
    const app: TestApp = { tree: () => ({ s: ['<button lvt-click="go">go</button>'] }) };
    const main = `import { connect, hooks } from "/livetemplate.esm.mjs";
      window.__before = document.querySelector("[data-lvt-id]").hasAttribute("data-lvt-loading");
      window.__global = typeof window.LiveTemplate;
      hooks.X = {};
      window.__client = connect();`;
    const page = await open(app, { script: "", scripts: { "/livetemplate.esm.mjs": await clientBundle("esm"), "/main.mjs": main } });
    await connected(page);
    expect(await js(page, "[window.__before, window.__global, window.__client.wrapper.tagName]")).toEqual([true, "undefined", "DIV"]);
    await page.click("button");
    await until(() => sent("go").length === 1, "action from the module build");
  });

  it("sends clicks with typed data attributes and applies the reply", async () => {
    let n = 0;
    const app: TestApp = {
      tree: () => ({ s: ['<button lvt-click="inc" data-by="2" data-flag="true" data-id="007">+</button><output>', "</output>"], 0: n }),
      handle: (msg) => {
        n += Number((msg.data ?? {})["by"]);
        return { tree: { 0: n } };
      },
    };
    const page = await open(app);
    await connected(page);
    await js(page, `window.__updated = []; document.addEventListener("lvt:updated", (e) => window.__updated.push(e.detail.action))`);
    await page.click("button");
    await page.click("button");
    await until(async () => (await page.textContent("output")) === "4", "count 4");
    expect(await js(page, "window.__updated")).toEqual(["inc", "inc"]);
    expect(server?.received[0]).toEqual({ action: "inc", data: { by: 2, flag: true, id: "007" } });
    expect(server?.via).toEqual(["ws", "ws"]);
  });

  it("keeps every row element when one row changes", async () => {
    const app: TestApp = { tree: () => ({ s: ["<ul>", "</ul>"], 0: rows(range(5)) }) };
    const page = await open(app);
    await connected(page);
    await js(page, `window.__rows = Array.from(document.querySelectorAll("li"))`);
    server?.push({ 0: [["u", "3", { 1: "changed" }]] });
    await until(async () => (await page.textContent('li[data-key="3"]')) === "changed", "row 3 patched");
    expect(await js(page, `window.__rows.every((el, i) => el === document.querySelectorAll("li")[i] && el.isConnected)`)).toBe(true);
    server?.push({ 0: [["r", "1"], ["a", [{ 0: "6", 1: "row 6" }]]] });
    await until(async () => (await page.locator("li").count()) === 5 && (await page.textContent("li:last-child")) === "row 6", "row 6 appended");
    expect(await js(page, `window.__rows.slice(1).every((el, i) => el === document.querySelectorAll("li")[i])`)).toBe(true);
    expect(await js(page, `window.__rows[0].isConnected`)).toBe(false);
  });

  it("replaces a list whose keys all changed and keeps rows whose keys stay", async () => {
    const app: TestApp = { tree: () => ({ s: ["<ul>", "</ul><p>", "</p>"], 0: rows(range(20)), 1: "x" }) };
    const page = await open(app);
    await connected(page);
    server?.push({ 0: rows(range(20, 100)), 1: "y" });
    await until(async () => (await page.textContent("p")) === "y", "replaced");
    expect(await page.locator("li").allTextContents()).toEqual(range(20, 100).map(([, t]) => t));
    await js(page, `window.__kept = document.querySelector('li[data-key="110"]')`);
    server?.push({ 0: rows(range(20, 110)), 1: "z" });
    await until(async () => (await page.textContent("p")) === "z", "shifted");
    expect(await page.locator("li").allTextContents()).toEqual(range(20, 110).map(([, t]) => t));
    expect(await js(page, `window.__kept === document.querySelector('li[data-key="110"]')`)).toBe(true);
  });

  it("patches rows holding forms with a field named id without duplicating anything", async () => {
    // A form's .id property is its control named "id"; keys must come from the attribute.
    const item = (k: string, t: string) => ({ 0: k, 1: k, 2: t });
    const statics = ['<li data-key="', '"><form><input type="hidden" name="id" value="', '"><button name="toggle">t</button></form><span>', "</span></li>"];
    const app: TestApp = { tree: () => ({ s: ["<p>", '</p><ul>', "</ul>"], 0: "a", 1: { s: statics, d: [item("1", "x"), item("2", "y")], m: { idKey: "0" } } }) };
    const page = await open(app);
    await connected(page);
    server?.push({ 0: "b" });
    server?.push({ 0: "c", 1: [["u", "2", { 2: "z" }]] });
    await until(async () => (await page.textContent("p")) === "c", "patched");
    expect(await page.locator("form").count()).toBe(2);
    expect(await page.locator("li span").allTextContents()).toEqual(["x", "z"]);
  });

  it("keeps the focused input, its value, caret and selection while updates arrive", async () => {
    let ticks = 0;
    const app: TestApp = {
      tree: () => ({ s: ['<p class="', '">', '</p><input id="msg" name="msg" value="', '" class="', '"><textarea id="note">', "</textarea>"], 0: "a", 1: ticks, 2: "server", 3: "x", 4: "" }),
    };
    const page = await open(app);
    await connected(page);
    await js(page, `window.__input = document.querySelector("#msg")`);
    await page.fill("#msg", "");
    await page.type("#msg", "hello");
    server?.push({ 1: ++ticks, 2: "overwritten", 3: "y" });
    await until(async () => (await page.textContent("p")) === "1", "tick 1");
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft");
    server?.push({ 0: "b", 1: ++ticks, 2: "again" });
    await until(async () => (await page.textContent("p")) === "2", "tick 2");
    await page.keyboard.type("X");
    expect(await page.inputValue("#msg")).toBe("helXlo");
    expect(await page.getAttribute("#msg", "class")).toBe("y");
    await js(page, `document.querySelector("#msg").setSelectionRange(1, 4)`);
    server?.push({ 1: ++ticks, 2: "third" });
    await until(async () => (await page.textContent("p")) === "3", "tick 3");
    expect(await js(page, `[document.activeElement === window.__input, window.__input.isConnected, window.__input.selectionStart, window.__input.selectionEnd]`)).toEqual([true, true, 1, 4]);
    // A textarea behaves the same.
    await page.fill("#note", "typed");
    server?.push({ 1: ++ticks, 4: "server text" });
    await until(async () => (await page.textContent("p")) === "4", "tick 4");
    expect(await page.inputValue("#note")).toBe("typed");
    // Once the field loses focus the server's value applies again.
    await page.focus("p").catch(() => undefined);
    await js(page, `document.activeElement.blur()`);
    server?.push({ 1: ++ticks, 2: "final" });
    await until(async () => (await page.inputValue("#msg")) === "final", "server value after blur");
    server?.push({ 1: ++ticks, 4: "server again" });
    await until(async () => (await page.inputValue("#note")) === "server again", "server text after blur");
  });

  it("gives focus, typed text and caret back when the focused field's row is replaced", async () => {
    const app: TestApp = { tree: () => ({ s: ['<div data-key="', '"><input name="title" value="server"></div>'], 0: "v1" }) };
    const page = await open(app);
    await connected(page);
    await page.fill("input", "");
    await page.type("input", "typed");
    await page.keyboard.press("ArrowLeft");
    server?.push({ 0: "v2" });
    await page.waitForSelector('[data-key="v2"]');
    expect(await js(page, `[document.activeElement.name, document.activeElement.value, document.activeElement.selectionStart]`)).toEqual(["title", "typed", 4]);
  });

  it("debounces input and throttles clicks, sending fewer messages than events", async () => {
    const app: TestApp = {
      tree: () => ({ s: ['<input name="q" lvt-input="search" lvt-debounce="150"><button lvt-click="tick" lvt-mod:throttle="200">t</button>'] }),
    };
    const page = await open(app);
    await connected(page);
    await page.type("input", "abcdefghij");
    await until(() => sent("search").some((m) => m.data?.["q"] === "abcdefghij"), "final search");
    expect(sent("search").length).toBeLessThan(10);
    for (let i = 0; i < 10; i++) await page.click("button");
    // The last click of a burst is sent when the window closes.
    await until(() => sent("tick").length >= 2, "trailing tick");
    await new Promise((r) => setTimeout(r, 500));
    expect(sent("tick").length).toBeLessThan(10);
  });

  it("filters keys: Enter, Escape, Mod+Enter and window shortcuts", async () => {
    const app: TestApp = {
      tree: () => ({
        s: [
          '<input id="a" name="text" lvt-keydown="send" lvt-key="Enter" data-k="1">' +
            '<input id="c" lvt-keyup="cancel" lvt-key="Escape">' +
            '<textarea id="b" name="body" lvt-on:keydown="post" lvt-key="Mod+Enter"></textarea>' +
            '<span lvt-on:window:keydown="help" lvt-key="?"></span>',
        ],
      }),
    };
    const page = await open(app);
    await connected(page);
    await page.type("#a", "abc");
    expect(server?.received).toEqual([]);
    await page.keyboard.press("Enter");
    await until(() => sent("send").length === 1, "send on Enter");
    expect(sent("send")[0]?.data).toEqual({ text: "abc", k: 1 });
    await page.focus("#b");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Control+Enter");
    await until(() => sent("post").length === 1, "post on Mod+Enter");
    expect(await page.inputValue("#b")).toBe("\n");
    await page.focus("#c");
    await page.keyboard.press("x");
    await page.keyboard.press("Escape");
    await until(() => sent("cancel").length === 1, "cancel on Escape");
    await js(page, `document.activeElement.blur()`);
    await page.keyboard.press("?");
    await until(() => sent("help").length === 1, "window shortcut");
    expect(server?.received.map((m) => m.action)).toEqual(["send", "post", "cancel", "help"]);
  });

  it("fires focus and blur on the element itself and generic lvt-on events", async () => {
    const app: TestApp = {
      tree: () => ({ s: ['<div lvt-focus="outer"><input id="f" lvt-focus="in" lvt-blur="out"></div><p lvt-on:dblclick="dbl">x</p>'] }),
    };
    const page = await open(app);
    await connected(page);
    await page.focus("#f");
    await js(page, `document.activeElement.blur()`);
    await page.dblclick("p");
    await until(() => sent("dbl").length === 1, "dblclick");
    expect(server?.received.map((m) => m.action)).toEqual(["in", "out", "dbl"]);
  });

  it("runs the form lifecycle: pending, error with field marks, then success and reset", async () => {
    const app: TestApp = {
      tree: () => ({
        s: [
          '<form lvt-submit="save"><input name="title"><input name="qty" value="3"><input type="password" name="pw" value="123">' +
            '<input type="checkbox" name="done" checked><input type="checkbox" name="tags" value="a" checked><input type="checkbox" name="tags" value="b"><input type="checkbox" name="tags" value="c" checked>' +
            '<select name="colors" multiple><option selected>red</option><option>green</option><option selected>blue</option></select>' +
            '<button name="go" value="1" lvt-form:disable-with="Saving">Save</button></form>',
        ],
      }),
      handle: (msg) => (msg.data?.["title"] ? { tree: {} } : { tree: {}, meta: { success: false, errors: { title: "required" } } }),
    };
    const page = await open(app);
    await connected(page);
    await js(page, `window.__ev = []; for (const t of ["lvt:pending","lvt:success","lvt:error","lvt:done"]) document.addEventListener(t, (e) => window.__ev.push([t, e.detail && e.detail.errors]))`);
    let release = (): void => {};
    if (server) server.hold = new Promise<void>((r) => (release = r));
    await page.click("button");
    await until(async () => (await page.textContent("button")) === "Saving", "disable-with text");
    expect(await page.isDisabled("button")).toBe(true);
    expect(await page.getAttribute("form", "aria-busy")).toBe("true");
    release();
    if (server) server.hold = null;
    await until(async () => (await page.getAttribute("input[name=title]", "aria-invalid")) === "true", "field marked invalid");
    expect(await page.textContent("button")).toBe("Save");
    expect(await page.isDisabled("button")).toBe(false);
    expect(await js(page, "window.__ev")).toEqual([["lvt:pending", undefined], ["lvt:error", { title: "required" }], ["lvt:done", { title: "required" }]]);
    await page.fill("input[name=title]", "Milk");
    await page.click("button");
    await until(async () => (await js<unknown[]>(page, "window.__ev")).length === 6, "second submission settled");
    expect(await page.getAttribute("input[name=title]", "aria-invalid")).toBeNull();
    expect(await page.inputValue("input[name=title]")).toBe("");
    expect(server?.received[1]).toEqual({
      action: "save",
      submitter: "go",
      data: { title: "Milk", qty: 3, pw: "123", done: true, tags: ["a", "c"], colors: ["red", "blue"], value: 1 },
    } satisfies ClientMessage);
  });

  it("reconnects after the server restarts and resyncs the whole tree", async () => {
    let label = "before";
    const app: TestApp = { tree: () => ({ s: ['<button lvt-click="ping">', "</button>"], 0: label }) };
    const page = await open(app);
    await connected(page);
    await js(page, `window.__log = []; for (const t of ["lvt:connected","lvt:disconnected"]) document.addEventListener(t, (e) => window.__log.push(t + ":" + e.detail.transport))`);
    await server?.stop();
    await page.waitForSelector("[data-lvt-id].lvt-disconnected");
    label = "after";
    await server?.restart();
    await page.waitForSelector("[data-lvt-id].lvt-connected", { timeout: 10_000 });
    await until(async () => (await page.textContent("button")) === "after", "resynced tree");
    await page.click("button");
    await until(() => sent("ping").length === 1, "action after reconnect");
    expect(server?.via).toEqual(["ws"]);
    expect(await js(page, "window.__log")).toEqual(["lvt:disconnected:websocket", "lvt:connected:websocket"]);
  });

  it("pings on the heartbeat and replaces a socket whose pings go unanswered", async () => {
    const app: TestApp = { tree: () => ({ s: ["<p>live</p>"] }) };
    const page = await open(app, { wrapperAttrs: 'data-lvt-heartbeat-ms="100"' });
    await connected(page);
    await until(() => (server?.pings ?? 0) >= 2, "two pings");
    expect(server?.connections).toBe(1);
    if (server) server.ignorePings = true;
    await until(() => (server?.connections ?? 0) === 2, "a new socket after unanswered pings");
    if (server) server.ignorePings = false;
    await page.waitForSelector("[data-lvt-id].lvt-connected");
  });

  it("falls back to HTTP when WebSocket is disabled", async () => {
    let n = 0;
    const app: TestApp = {
      tree: () => ({ s: ['<button lvt-click="inc">+</button><output>', "</output>"], 0: n }),
      handle: () => ({ tree: { 0: ++n } }),
    };
    const page = await open(app, { websocket: false });
    await connected(page);
    await page.click("button");
    await until(async () => (await page.textContent("output")) === "1", "count 1");
    await page.click("button");
    await until(async () => (await page.textContent("output")) === "2", "count 2");
    expect(server?.via).toEqual(["http", "http"]);
    expect(server?.sockets.size).toBe(0);
  });

  it("posts over HTTP while the socket is down", async () => {
    let n = 0;
    const app: TestApp = {
      tree: () => ({ s: ['<button lvt-click="inc">+</button><output>', "</output>"], 0: n }),
      handle: () => ({ tree: { 0: ++n } }),
    };
    const page = await open(app);
    await connected(page);
    if (server) server.refuseUpgrade = true;
    for (const ws of server?.sockets ?? []) ws.terminate();
    await page.waitForSelector("[data-lvt-id].lvt-disconnected");
    await page.click("button");
    await until(async () => (await page.textContent("output")) === "1", "count 1 over HTTP");
    expect(server?.via).toEqual(["http"]);
  });

  it("loads more rows when the sentinel scrolls into view, one request at a time", async () => {
    let count = 10;
    const sentinel = () => (count < 30 ? { s: ['<div lvt-scroll-sentinel style="height:10px"></div>'] } : "");
    const app: TestApp = {
      tree: () => ({ s: ['<ul style="margin:0">', "</ul>", ""], 0: rows(range(count)), 1: sentinel() }),
      handle: (msg) => {
        if (msg.action !== "load_more") return undefined;
        const from = count + 1;
        count += 10;
        return { tree: { 0: [["a", rows(range(10, from)).d]], 1: sentinel() } };
      },
    };
    const page = await open(app, { head: "<style>li { height: 120px }</style>" });
    await connected(page);
    await new Promise((r) => setTimeout(r, 200));
    expect(sent("load_more")).toEqual([]);
    if (server) server.hold = new Promise<void>((r) => setTimeout(r, 300));
    await js(page, "window.scrollTo(0, document.body.scrollHeight)");
    await js(page, "window.scrollTo(0, document.body.scrollHeight - 1)");
    await until(async () => (await page.locator("li").count()) === 20, "second page");
    if (server) server.hold = null;
    expect(sent("load_more").length).toBe(1);
    await js(page, "window.scrollTo(0, document.body.scrollHeight)");
    await until(async () => (await page.locator("li").count()) === 30, "third page");
    await js(page, "window.scrollTo(0, document.body.scrollHeight)");
    await new Promise((r) => setTimeout(r, 200));
    expect(sent("load_more").length).toBe(2);
    expect(await page.$("[lvt-scroll-sentinel]")).toBeNull();
  });

  it("runs hooks from the registry on mount, update and removal under a strict CSP", async () => {
    let shown = true;
    let text = "one";
    const node = () => (shown ? { s: ['<canvas lvt-hook="Chart" data-v="', '"></canvas>'], 0: text } : "");
    let ignored = "server";
    const app: TestApp = { tree: () => ({ s: ["<div>", "</div><i lvt-ignore>", "</i>"], 0: node(), 1: ignored }) };
    const hooksJs = `
      window.__hook = [];
      LiveTemplate.hooks.Chart = {
        mounted() { window.__hook.push("mounted:" + this.el.dataset.v); this.pushEvent("chart-ready", { v: this.el.dataset.v }); },
        updated() { window.__hook.push("updated:" + this.el.dataset.v); },
        destroyed() { window.__hook.push("destroyed"); },
      };`;
    const page = await open(app, { scripts: { "/hooks.js": hooksJs } });
    await connected(page);
    await until(() => sent("chart-ready").length === 1, "hook pushEvent");
    expect(sent("chart-ready")[0]?.data).toEqual({ v: "one" });
    await js(page, `document.querySelector("i").textContent = "client"`);
    text = "two";
    server?.push({ 0: { 0: text } });
    await until(async () => (await js<string[]>(page, "window.__hook")).length === 2, "updated hook");
    shown = false;
    ignored = "changed";
    server?.push({ 0: "", 1: ignored });
    await until(async () => (await js<string[]>(page, "window.__hook")).length === 3, "destroyed hook");
    expect(await js(page, "window.__hook")).toEqual(["mounted:one", "updated:two", "destroyed"]);
    expect(await page.textContent("i")).toBe("client");
  });
});
