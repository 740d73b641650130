/**
 * Client commands (src/client/commands/) in Chromium, against the real handler under
 * `Content-Security-Policy: script-src 'self'`: every command from a JSON list (`lvt-js:*`), the
 * published client's `lvt-el:*` spelling, targets by selector, `closest:` and `inner:`, lifecycle
 * and click-away triggers, commands pushed by the server, and classes, attributes and visibility
 * set by commands surviving the next patch.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Template } from "../../src/index.js";
import type { ActionContext } from "../../src/index.js";
import { ValidationError } from "../../src/session/action-errors.js";
import { chromiumAvailable, launchBrowser, until } from "./harness.js";
import { clientFile, CSP_WATCH, serveLive, type LiveApp } from "./live-app.js";

const run = chromiumAvailable();
const silent = { debug() {}, info() {}, warn() {}, error() {} };

class Cmds {
  n = 0;
  tone = "calm";
  inc(ctx: ActionContext): void {
    this.n += ctx.data.getInt("by") || 1;
    this.tone = this.tone === "calm" ? "loud" : "calm";
  }
  save(ctx: ActionContext): void {
    if (ctx.data.getString("title") === "") throw new ValidationError("title", "required");
    this.n++;
  }
  notify(ctx: ActionContext): void {
    ctx.pushEvent("note", { text: "saved" }, { commands: [["show", { to: "#toast" }], ["add_class", { to: "#toast", names: "shown" }]] });
  }
}

// Command lists are attribute values in single quotes, so their JSON needs no escaping.
const template = `<html><body>
<p id="n">{{.n}}</p>
<div id="box" class="box {{.tone}}" data-n="{{.n}}" hidden>box {{.n}}</div>
<button id="show" lvt-js:click='[["show", {"to": "#box"}]]'>show</button>
<button id="hide" lvt-js:click='[["hide", {"to": "#box"}]]'>hide</button>
<button id="toggle" lvt-js:click='[["toggle", {"to": "#box", "display": "flex"}]]'>toggle</button>
<button id="add" lvt-js:click='[["add_class", {"to": "#box", "names": "open wide"}]]'>add</button>
<button id="remove" lvt-js:click='[["remove_class", {"to": "#box", "names": "wide box"}]]'>remove</button>
<button id="toggle-class" lvt-js:click='[["toggle_class", {"to": "#box", "names": "open"}]]'>toggle class</button>
<button id="set-attr" lvt-js:click='[["set_attr", {"to": "#box", "name": "aria-expanded", "value": "true"}]]'>set</button>
<button id="remove-attr" lvt-js:click='[["remove_attr", {"to": "#box", "name": "data-n"}]]'>remove attr</button>
<button id="toggle-attr" lvt-js:click='[["toggle_attr", {"to": "#box", "name": "data-flag", "value": "yes"}]]'>toggle attr</button>
<button id="transition" lvt-js:click='[["transition", {"to": "#box", "names": "fading", "start": "t-from", "end": "t-to", "time": 400}]]'>transition</button>
<input id="q" name="q">
<button id="focus" lvt-js:click='[["focus", {"to": "#q"}]]'>focus</button>
<button id="dispatch" lvt-js:click='[["dispatch", {"to": "#box", "event": "box-ping", "detail": {"x": 1}}]]'>dispatch</button>
<button id="push" lvt-js:click='[["push", {"action": "inc", "data": {"by": 5}}]]'>push</button>
<button id="composed" lvt-js:click='[["show", {"to": "#box"}], ["add_class", {"to": "#box", "names": "composed"}], ["set_attr", {"to": "#box", "name": "data-step", "value": "2"}], ["focus", {"to": "#q"}]]'>composed</button>
<button id="later" lvt-js:click='[["add_class", {"to": "#box", "names": "later", "delay": 300}]]'>later</button>
<section class="card" id="card"><div><button id="pick" lvt-js:click='[["add_class", {"to": "closest:.card", "names": "picked"}]]'>pick</button></div>
<span class="dot"></span><span class="dot"></span>
<button id="light" lvt-js:click='[["add_class", {"to": "inner:span", "names": "lit"}]]'><span class="a"></span><span class="b"></span></button></section>
<button id="self" lvt-js:click='[["toggle_class", {"names": "me"}]]'>self</button>
<button id="bump" lvt-click="inc">bump</button>
<button id="notify" lvt-click="notify">notify</button>
<div id="toast" hidden>toast</div>
<div id="menu" lvt-js:click-away='[["add_class", {"names": "away"}]]' lvt-el:removeClass:on:click-away="inside">menu <b id="in-menu" lvt-el:addClass:on:click="inside">in</b></div>
<div id="hover" lvt-el:addClass:on:mouseenter="hovered" lvt-el:removeClass:on:mouseleave="hovered">hover</div>
<button id="el-toggle" lvt-el:toggleClass:on:click="open" data-lvt-target="#box">el toggle</button>
<button id="el-set" lvt-el:setAttr:on:click="data-state:on" lvt-el:toggleAttr:on:click="data-pressed">el set</button>
<div class="panel"><button id="el-closest" lvt-el:addClass:on:click="chosen" data-lvt-target="closest:.panel">el closest</button></div>
<form id="save" lvt-submit="save" lvt-form:preserve lvt-el:reset:on:save:success lvt-el:addClass:on:pending="sending" lvt-el:removeClass:on:done="sending"
  lvt-js:save:error='[["add_class", {"to": "#save-state", "names": "failed"}]]' lvt-js:success='[["remove_class", {"to": "#save-state", "names": "failed"}], ["add_class", {"to": "#save-state", "names": "ok"}]]'>
  <input id="title" name="title"><button id="save-go">Save</button></form>
<p id="save-state"></p>
<script src="/watch.js"></script><script src="/listen.js"></script>
</body></html>`;

const listen = `
window.seen = [];
document.addEventListener("box-ping", (e) => seen.push(["box-ping", e.target.id, e.detail]));
window.addEventListener("lvt:note", (e) => seen.push(["note", e.detail, document.getElementById("toast").className, document.getElementById("toast").hidden]));`;

let browser: Browser;
let app: LiveApp;
let context: BrowserContext;
let p: Page;
let chunkRequests = 0;
let warnings: string[] = [];

beforeAll(async () => {
  if (!run) return;
  const file = await clientFile();
  const handler = new Template("commands").parse(template).handle(() => new Cmds(), { logger: silent, rateLimit: false, clientScript: { file } });
  app = await serveLive(handler, { "/watch.js": CSP_WATCH, "/listen.js": listen });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});
afterEach(async () => {
  expect(await p.evaluate("window.cspViolations")).toBe(0);
  expect(warnings).toEqual([]);
  await context?.close();
});

/** A fresh page, with the commands chunk loaded (it is fetched after the first render). */
async function page(): Promise<Page> {
  context = await browser.newContext();
  p = await context.newPage();
  warnings = [];
  chunkRequests = 0;
  p.on("pageerror", (err) => {
    throw err;
  });
  p.on("console", (m) => {
    if (m.type() === "warning" || m.type() === "error") warnings.push(m.text());
  });
  p.on("request", (r) => {
    if (r.url().includes("lvt-chunk=commands")) chunkRequests++;
  });
  await p.goto(app.url);
  await p.waitForSelector("[data-lvt-id].lvt-connected");
  await p.waitForFunction("!!(window.__lvtChunks && window.__lvtChunks.commands)");
  return p;
}
const cls = (sel: string) => p.locator(sel).getAttribute("class");
const at = (sel: string, name: string) => p.locator(sel).getAttribute(name);
const visible = (sel: string) => p.locator(sel).isVisible();
const js = <T>(expr: string) => p.evaluate(expr) as Promise<T>;

describe.skipIf(!run)("client commands from JSON lists", () => {
  it("shows, hides and toggles", async () => {
    await page();
    expect(chunkRequests).toBe(1);
    expect(await visible("#box")).toBe(false);
    await p.click("#show");
    expect(await visible("#box")).toBe(true);
    expect(await at("#box", "hidden")).toBeNull();
    await p.click("#hide");
    expect(await visible("#box")).toBe(false);
    await p.click("#toggle");
    expect(await js("getComputedStyle(document.getElementById('box')).display")).toBe("flex");
    await p.click("#toggle");
    expect(await visible("#box")).toBe(false);
  });

  it("adds, removes and toggles classes and attributes", async () => {
    await page();
    await p.click("#add");
    expect(await cls("#box")).toBe("box calm open wide");
    await p.click("#remove");
    expect(await cls("#box")).toBe("calm open");
    await p.click("#toggle-class");
    expect(await cls("#box")).toBe("calm");
    await p.click("#toggle-class");
    expect(await cls("#box")).toBe("calm open");
    await p.click("#set-attr");
    expect(await at("#box", "aria-expanded")).toBe("true");
    await p.click("#remove-attr");
    expect(await at("#box", "data-n")).toBeNull();
    await p.click("#toggle-attr");
    expect(await at("#box", "data-flag")).toBe("yes");
    await p.click("#toggle-attr");
    expect(await at("#box", "data-flag")).toBeNull();
  });

  it("runs a transition: start classes swapped for end classes, all gone after the duration", async () => {
    await page();
    // Record the box's classes at every change, from the click on.
    await js(`(window.trail = [], new MutationObserver(() => trail.push(document.getElementById("box").className))
      .observe(document.getElementById("box"), { attributes: true, attributeFilter: ["class"] }))`);
    const t = Date.now();
    await p.click("#transition");
    await until(async () => (await cls("#box"))!.includes("t-to"), "the end classes");
    expect(await cls("#box")).toBe("box calm fading t-to");
    await until(async () => (await cls("#box")) === "box calm", "the transition ends", 2000);
    expect(Date.now() - t).toBeGreaterThanOrEqual(400);
    // (The swap of start for end classes is one change to the observer.)
    expect(await js("trail")).toEqual(["box calm fading t-from", "box calm fading t-to", "box calm"]);
  });

  it("focuses, dispatches a DOM event and pushes an action", async () => {
    await page();
    await p.click("#focus");
    expect(await js("document.activeElement.id")).toBe("q");
    await p.click("#dispatch");
    expect(await js("seen")).toEqual([["box-ping", "box", { x: 1 }]]);
    await p.click("#push");
    await until(async () => (await p.textContent("#n")) === "5", "the pushed action's reply");
  });

  it("composes commands with their own targets, and delays one", async () => {
    await page();
    await p.click("#composed");
    expect(await visible("#box")).toBe(true);
    expect(await cls("#box")).toBe("box calm composed");
    expect(await at("#box", "data-step")).toBe("2");
    expect(await js("document.activeElement.id")).toBe("q");
    await p.click("#later");
    expect(await cls("#box")).not.toContain("later");
    await until(async () => (await cls("#box"))!.includes("later"), "the delayed command", 2000);
  });

  it("aims at the closest ancestor, at descendants, and at the element itself", async () => {
    await page();
    await p.click("#pick");
    expect(await cls("#card")).toBe("card picked");
    await p.click("#light");
    expect(await cls("#light .a")).toBe("a lit");
    expect(await cls("#light .b")).toBe("b lit");
    expect(await p.locator(".dot.lit").count()).toBe(0);
    await p.click("#self");
    expect(await cls("#self")).toBe("me");
  });

  it("runs commands a pushed event carries before the event is dispatched", async () => {
    await page();
    await p.click("#notify");
    await until(async () => (await js<unknown[]>("seen")).length > 0, "the pushed event");
    expect(await js("seen")).toEqual([["note", { text: "saved" }, "shown", false]]);
    expect(await visible("#toast")).toBe(true);
  });
});

describe.skipIf(!run)("client commands in the published client's lvt-el spelling, and triggers", () => {
  it("runs lvt-el methods on data-lvt-target, closest and the element itself", async () => {
    await page();
    await p.click("#el-toggle");
    expect(await cls("#box")).toBe("box calm open");
    await p.click("#el-toggle");
    expect(await cls("#box")).toBe("box calm");
    await p.click("#el-set");
    expect(await at("#el-set", "data-state")).toBe("on");
    expect(await at("#el-set", "data-pressed")).toBe("");
    await p.click("#el-set");
    expect(await at("#el-set", "data-pressed")).toBeNull();
    await p.click("#el-closest");
    expect(await cls(".panel")).toBe("panel chosen");
  });

  it("runs click-away and mouseenter/mouseleave bindings", async () => {
    await page();
    await p.click("#in-menu");
    expect(await cls("#in-menu")).toBe("inside");
    expect(await cls("#menu")).toBeNull();
    await p.click("#n");
    expect(await cls("#menu")).toBe("away");
    await p.hover("#hover");
    expect(await cls("#hover")).toBe("hovered");
    await p.hover("#n");
    expect(await cls("#hover")).toBe("");
  });

  it("runs lifecycle bindings: pending and done, scoped success and error", async () => {
    await page();
    // The form's classes while the reply is handled: its loading class and the one the pending binding added.
    await js(`document.getElementById("save").addEventListener("lvt:error", (e) => { window.pendingClass = e.currentTarget.className; })`);
    await p.click("#save-go");
    await until(async () => (await cls("#save-state")) === "failed", "the error binding");
    expect(await js("window.pendingClass")).toBe("lvt-submit-loading sending");
    expect(await cls("#save")).toBeNull();
    await p.fill("#title", "Milk");
    await p.click("#save-go");
    await until(async () => (await cls("#save-state")) === "ok", "the success binding");
    // lvt-form:preserve keeps the client from resetting the form; lvt-el:reset:on:save:success did.
    expect(await p.inputValue("#title")).toBe("");
  });
});

describe.skipIf(!run)("what commands set survives patches", () => {
  it("keeps classes, attributes and visibility set by commands through patches of the same element", async () => {
    await page();
    await p.click("#show");
    await p.click("#add");
    await p.click("#set-attr");
    await p.click("#remove-attr");
    await p.click("#el-set");
    expect(await cls("#box")).toBe("box calm open wide");
    await p.click("#bump");
    // The server changed the box's class, data-n and text: its own change applies, the client's stays.
    await until(async () => (await p.textContent("#box")) === "box 1", "the patch");
    expect(await cls("#box")).toBe("box loud open wide");
    expect(await visible("#box")).toBe(true);
    expect(await at("#box", "aria-expanded")).toBe("true");
    expect(await at("#box", "data-n")).toBeNull();
    expect(await at("#el-set", "data-state")).toBe("on");
    // A server class the client removed stays removed too.
    await p.click("#remove");
    expect(await cls("#box")).toBe("loud open");
    await p.click("#bump");
    await until(async () => (await p.textContent("#box")) === "box 2", "the second patch");
    expect(await cls("#box")).toBe("calm open");
    await p.click("#hide");
    await p.click("#bump");
    await until(async () => (await p.textContent("#n")) === "3", "the third patch");
    expect(await visible("#box")).toBe(false);
  });
});
