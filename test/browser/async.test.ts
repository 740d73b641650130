/**
 * Async work, pushed events and loading states in Chromium, against the real handler under
 * `script-src 'self'`: a long `ctx.async` call while another tab of the group keeps acting, a
 * failure shown, a restarted key, `pushEvent` both ways between a hook and the server, and the
 * loading classes of an element whose action is in flight.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Template } from "../../src/index.js";
import type { ActionContext } from "../../src/index.js";
import { ValidationError } from "../../src/session/action-errors.js";
import { chromiumAvailable, launchBrowser, until } from "./harness.js";
import { clientFile, CSP_WATCH, serveLive, type LiveApp } from "./live-app.js";

const run = chromiumAvailable();
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** Gates the test opens by hand (the work they hold back never finishes on its own). */
const gates = new Map<string, () => void>();
/** Gates opened before the work reached them. */
const opened = new Set<string>();
const gate = (name: string): Promise<void> => (opened.delete(name) ? Promise.resolve() : new Promise((r) => gates.set(name, r)));
const open = (name: string): void => {
  const g = gates.get(name);
  gates.delete(name);
  if (g) g();
  else opened.add(name);
};
const signals: AbortSignal[] = [];
/** Tags of the calls whose work has returned (applied or not). */
const finished: string[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Page1 {
  report = "none";
  count = 0;
  log: string[] = [];
  /** Two seconds at least, and until the test opens the gate (so the other tab's clicks come first). */
  load(ctx: ActionContext): void {
    const tag = ctx.data.getString("tag") || "slow";
    ctx.async(
      "report",
      async (signal) => {
        signals.push(signal);
        await Promise.all([sleep(2000), gate(tag)]);
        finished.push(tag);
        return `report ${tag}`;
      },
      (store, result, c) => {
        (store as Page1).report = result as string;
        c.pushEvent("ready", { tag });
      },
    );
  }
  broken(ctx: ActionContext): void {
    ctx.async("report", async () => {
      await sleep(10);
      throw new ValidationError("report", "the report service is down");
    });
  }
  bump(): void {
    this.count++;
    this.log.push("bump");
  }
  ask(ctx: ActionContext): void {
    const q = ctx.data.getInt("q");
    if (q < 0) throw new ValidationError("q", "must be positive");
    ctx.pushEvent("ping", { n: q + 5 });
    ctx.reply({ double: q * 2 });
  }
  toast(ctx: ActionContext): void {
    ctx.pushEvent("toast", { text: "hi" }, { commands: [["show", { to: "#toast" }], ["set_attr", { to: "#toast", name: "data-text", value: "hi" }]] });
  }
  async slow(ctx: ActionContext): Promise<void> {
    await gate(ctx.data.getString("g") || "slow-action");
    this.count++;
  }
}

const template = `<html><body>
<p id="report">{{if .lvt.Pending "report"}}loading{{else}}{{.report}}{{end}}</p>
<i id="error">{{.lvt.AsyncError "report"}}</i>
<b id="count">{{.count}}</b>
<button id="load" lvt-click="load">Load</button>
<button id="load-a" lvt-click="load" data-tag="a">A</button>
<button id="load-b" lvt-click="load" data-tag="b">B</button>
<button id="broken" lvt-click="broken">Broken</button>
<button id="bump" lvt-click="bump">+1</button>
<button id="slow" lvt-click="slow">Slow</button>
<button id="held" lvt-click="slow" data-g="held">Held</button>
<form id="slow-form" lvt-submit="slow"><button id="slow-submit">Save</button></form>
<form id="other-form"><button type="button" id="in-form" lvt-click="slow">In a form</button></form>
<button id="fails" lvt-click="ask" data-q="-1">Fails</button>
<button id="toast-go" lvt-click="toast">Toast</button>
<div id="toast" hidden>toast</div>
<div id="hooked" lvt-hook="Echo"></div>
<script src="/watch.js"></script><script src="/hooks.js"></script>
</body></html>`;

// What the hook and the window listeners saw, kept in script (a patch would strip attributes the
// hook set on its element, since the server does not render them).
const hooks = `
window.got = { hook: {}, win: {} };
(window.LiveTemplate = window.LiveTemplate || { hooks: {} }).hooks.Echo = {
  mounted() {
    this.handleEvent("ping", (p) => { got.hook.ping = p.n; });
    this.handleEvent("ready", (p) => { got.hook.ready = p.tag; });
    window.addEventListener("lvt:ready", (e) => { got.win.ready = e.detail.tag; });
    window.addEventListener("lvt:ping", (e) => { got.win.ping = e.detail.n; });
    this.pushEvent("ask", { q: 2 }).then((r) => { got.hook.reply = r; });
    this.pushEvent("ask", { q: -1 }).then(
      () => { got.hook.rejected = "no"; },
      (e) => { got.hook.rejected = e.errors.q; },
    );
  },
};`;

let browser: Browser;
let app: LiveApp;

beforeAll(async () => {
  if (!run) return;
  const file = await clientFile();
  const handler = new Template("async").parse(template).handle(() => new Page1(), { logger: silent, rateLimit: false, clientScript: { file } });
  app = await serveLive(handler, { "/hooks.js": hooks, "/watch.js": CSP_WATCH });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function tabs(n: number): Promise<{ context: BrowserContext; pages: Page[] }> {
  const context = await browser.newContext();
  const pages: Page[] = [];
  for (let i = 0; i < n; i++) {
    const p = await context.newPage();
    p.on("pageerror", (err) => {
      throw err;
    });
    if (process.env["LT_DEBUG"]) p.on("websocket", (ws) => ws.on("framereceived", (f) => console.log("FRAME", String(f.payload).slice(0, 300))));
    await p.goto(app.url);
    await p.waitForSelector("[data-lvt-id].lvt-connected");
    pages.push(p);
  }
  return { context, pages };
}
const text = (p: Page, sel: string) => p.locator(sel).textContent();
const got = (p: Page, path: string) => p.evaluate(`window.got.${path}`);

describe.skipIf(!run)("ctx.async in the browser", () => {
  it("keeps the group answering another tab during a two-second call, then shows the result in both", async () => {
    const { context, pages } = await tabs(2);
    const [a, b] = pages as [Page, Page];
    const started = Date.now();
    await a.click("#load");
    await until(async () => (await text(a, "#report")) === "loading", "tab A shows loading");
    await until(async () => (await text(b, "#report")) === "loading", "tab B shows loading");
    for (let i = 1; i <= 3; i++) {
      const t = Date.now();
      await b.click("#bump");
      await until(async () => (await text(b, "#count")) === String(i), `tab B counts ${i}`);
      // Each of tab B's round trips is answered at once, not after the work.
      expect(Date.now() - t).toBeLessThan(1000);
    }
    expect(Date.now() - started).toBeLessThan(2000);
    // Both tabs are up to date with the clicks, and the work is still running.
    expect(await text(a, "#count")).toBe("3");
    expect(await text(a, "#report")).toBe("loading");
    open("slow");
    await until(async () => (await text(a, "#report")) === "report slow", "tab A shows the result", 15_000);
    await until(async () => (await text(b, "#report")) === "report slow", "tab B shows the result");
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    // The event the result's apply pushed reached the hooks and window of both tabs.
    for (const p of [a, b]) {
      await until(async () => (await got(p, "hook.ready")) === "slow", "the hook got the pushed event");
      expect(await got(p, "win.ready")).toBe("slow");
    }
    expect(await a.evaluate("window.cspViolations")).toBe(0);
    await context.close();
  });

  it("shows a failed call", async () => {
    const { context, pages } = await tabs(1);
    const p = pages[0]!;
    await p.click("#broken");
    await until(async () => (await text(p, "#error")) === "the report service is down", "the error");
    expect(await text(p, "#report")).toBe("none");
    await context.close();
  });

  it("cancels the first call when the key is started again", async () => {
    signals.length = 0;
    finished.length = 0;
    const { context, pages } = await tabs(1);
    const p = pages[0]!;
    await p.click("#load-a");
    await until(() => signals.length === 1, "the first call started");
    await p.click("#load-b");
    await until(() => signals.length === 2, "the second call started");
    expect(signals[0]!.aborted).toBe(true);
    expect(signals[1]!.aborted).toBe(false);
    // The first call's work returns, and its result is dropped: the page still waits for the second.
    open("a");
    await until(() => finished.includes("a"), "the first call returned", 15_000);
    await p.click("#bump");
    await until(async () => (await text(p, "#count")) === "1", "a round trip after it");
    expect(await text(p, "#report")).toBe("loading");
    open("b");
    await until(async () => (await text(p, "#report")) === "report b", "the second result", 15_000);
    await p.click("#bump"); // one more round trip: nothing else arrives
    await until(async () => (await text(p, "#count")) === "2", "a reply");
    expect(await text(p, "#report")).toBe("report b");
    await until(async () => (await got(p, "hook.ready")) === "b", "the second call's event");
    expect(await got(p, "win.ready")).toBe("b");
    await context.close();
  });
});

describe.skipIf(!run)("pushed events and hooks", () => {
  it("loads the commands chunk only when a pushed event carries commands, and runs them", async () => {
    const { context, pages } = await tabs(1);
    const p = pages[0]!;
    const chunks: string[] = [];
    p.on("request", (r) => void (r.url().includes("lvt-chunk=") && chunks.push(r.url())));
    await p.click("#bump");
    await until(async () => (await text(p, "#count")) !== "0", "a reply");
    expect(chunks).toEqual([]);
    await p.click("#toast-go");
    await until(() => p.locator("#toast").isVisible(), "the pushed commands ran");
    expect(await p.locator("#toast").getAttribute("data-text")).toBe("hi");
    expect(chunks.length).toBe(1);
    expect(await p.evaluate("window.cspViolations")).toBe(0);
    await context.close();
  });

  it("hands a server event to the hook and to window, and a hook's pushEvent its reply or its errors", async () => {
    const { context, pages } = await tabs(1);
    const p = pages[0]!;
    await until(async () => (await got(p, "hook.reply")) !== undefined, "the reply");
    expect(await got(p, "hook.reply")).toEqual({ double: 4 });
    expect(await got(p, "hook.ping")).toBe(7);
    expect(await got(p, "win.ping")).toBe(7);
    await until(async () => (await got(p, "hook.rejected")) !== undefined, "the rejection");
    expect(await got(p, "hook.rejected")).toBe("must be positive");
    await context.close();
  });
});

describe.skipIf(!run)("loading states", () => {
  it("marks the element (and its form) whose action is in flight until the reply arrives", async () => {
    const { context, pages } = await tabs(1);
    const p = pages[0]!;
    await p.click("#slow");
    const button = p.locator("#slow");
    await until(async () => (await button.getAttribute("class")) === "lvt-click-loading", "the click loading class");
    expect(await button.getAttribute("aria-busy")).toBe("true");
    open("slow-action");
    await until(async () => (await text(p, "#count")) === "1", "the reply");
    expect(await button.getAttribute("class")).toBeNull();
    expect(await button.getAttribute("aria-busy")).toBeNull();

    await p.click("#slow-submit");
    const form = p.locator("#slow-form");
    await until(async () => (await form.getAttribute("class")) === "lvt-submit-loading", "the submit loading class");
    expect(await form.getAttribute("aria-busy")).toBe("true");
    open("slow-action");
    await until(async () => (await text(p, "#count")) === "2", "the second reply");
    expect(await form.getAttribute("class")).toBeNull();
    expect(await form.getAttribute("aria-busy")).toBeNull();

    // A click inside a form marks the button and its form.
    await p.click("#in-form");
    const other = p.locator("#other-form");
    await until(async () => (await other.getAttribute("class")) === "lvt-click-loading", "the form of the clicked button");
    expect(await p.locator("#in-form").getAttribute("class")).toBe("lvt-click-loading");
    expect(await other.getAttribute("aria-busy")).toBe("true");
    open("slow-action");
    await until(async () => (await text(p, "#count")) === "3", "the third reply");
    expect(await other.getAttribute("class")).toBeNull();
    expect(await p.locator("#in-form").getAttribute("aria-busy")).toBeNull();

    // A patch that arrives while an action is in flight (the reply to the one before) keeps its marks.
    await p.click("#held");
    await until(() => gates.has("held"), "the first action runs");
    await p.click("#slow");
    await until(async () => (await button.getAttribute("class")) === "lvt-click-loading", "the second action in flight");
    open("held");
    await until(async () => (await text(p, "#count")) === "4", "the first reply patched the page");
    expect(await button.getAttribute("class")).toBe("lvt-click-loading");
    expect(await button.getAttribute("aria-busy")).toBe("true");
    expect(await p.locator("#held").getAttribute("class")).toBeNull();
    await until(() => gates.has("slow-action"), "the second action runs");
    open("slow-action");
    await until(async () => (await text(p, "#count")) === "5", "the second reply");
    expect(await button.getAttribute("class")).toBeNull();

    // A failed action clears its loading state too.
    await p.evaluate(`(window.trail = [], new MutationObserver(() => trail.push(document.getElementById("fails").className))
      .observe(document.getElementById("fails"), { attributes: true, attributeFilter: ["class"] }))`);
    await p.click("#fails");
    await until(async () => (await p.evaluate("trail.length")) === 2, "the error reply");
    expect(await p.evaluate("trail")).toEqual(["lvt-click-loading", ""]);
    expect(await p.locator("#fails").getAttribute("class")).toBeNull();
    expect(await p.locator("#fails").getAttribute("aria-busy")).toBeNull();
    await context.close();
  });
});
