/**
 * Effects (`lvt-fx:*`, src/client/fx/) in Chromium, against the real handler under
 * `Content-Security-Policy: script-src 'self'`: scroll modes, highlight and entry animations on the
 * first render and after patches, `:on:` triggers (DOM events, form lifecycle), auto-click, and the
 * chunk loaded only by pages that use effects. The same page is driven by the published
 * `@livetemplate/client` 0.25.1 bundle too, and must end up the same.
 */
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Template } from "../../src/index.js";
import type { ActionContext } from "../../src/index.js";
import { ValidationError } from "../../src/session/action-errors.js";
import { chromiumAvailable, launchBrowser, until } from "./harness.js";
import { clientFile, CSP_WATCH, serveLive, type LiveApp } from "./live-app.js";

const run = chromiumAvailable();
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const published = fileURLToPath(new URL("../../node_modules/@livetemplate/client/dist/livetemplate-client.browser.js", import.meta.url));

class Fx {
  msgs = [1, 2, 3].map((id) => ({ id, text: `m${id}` }));
  n = 0;
  doc = "a";
  other = 0;
  toast = false;
  dismissed = 0;
  aim = true;
  add(): void {
    const id = this.msgs.length + 1;
    this.msgs.push({ id, text: `m${id}` });
    this.n++;
  }
  flip(): void {
    this.doc = this.doc === "a" ? "b" : "a";
  }
  bump(): void {
    this.other++;
  }
  toggleAim(): void {
    this.aim = !this.aim;
  }
  showToast(): void {
    this.toast = true;
  }
  dismiss(): void {
    this.toast = false;
    this.dismissed++;
  }
  save(ctx: ActionContext): void {
    if (ctx.data.getString("title") === "") throw new ValidationError("title", "required");
  }
}

const template = `<html><head><style>
#count { --lvt-highlight-duration: 200ms; }
.box { height: 100px; overflow-y: auto; }
.box p { height: var(--row, 40px); margin: 0; }
#pop { --lvt-animate-duration: 150ms; }
#slow { --lvt-animate-duration: 3000ms; }
</style></head><body>
<div id="chat" class="box" lvt-fx:scroll="bottom">{{range .msgs}}<p data-key="c{{.id}}" lvt-fx:animate="slide">{{.text}}</p>{{end}}</div>
<div id="sticky" class="box" lvt-fx:scroll="bottom-sticky" style="--row: 60px">{{range .msgs}}<p data-key="s{{.id}}">{{.text}}</p>{{end}}</div>
<div id="panel" class="box" lvt-fx:scroll="reset-on:data-doc" data-doc="{{.doc}}"><p style="height: 400px">doc {{.doc}}</p></div>
<div id="top" class="box" lvt-fx:scroll="top"><p style="height: 400px">top {{.n}}</p></div>
<span id="count" lvt-fx:highlight="flash">{{.n}}</span>
<span id="quiet" lvt-fx:highlight="">{{.n}}</span>
<span id="other">{{.other}}</span> <span id="dismissed">{{.dismissed}}</span>
<button id="hl" lvt-fx:highlight:on:click data-lvt-target="#target">hl</button>
<div id="target">target</div>
<div id="slow" lvt-fx:animate:on:click="fade">slow</div>
<div id="pop" lvt-fx:animate:on:mouseenter="scale">pop</div>
<p id="any-done" lvt-fx:highlight:on:done>any form done</p><p id="not-save" lvt-fx:highlight:on:publish:success>publish only</p>
<form id="form" lvt-fx:highlight:on:save:success lvt-fx:animate:on:error="fade"><input id="title" name="title"><button id="save" name="save">Save</button></form>
<div id="notices">{{if .toast}}<div id="toast" lvt-fx:auto-click="300:dismiss">toast <button name="dismiss">x</button></div>{{end}}</div>
<button id="add" lvt-on:click="add">add</button>
<button id="flip" lvt-on:click="flip">flip</button>
<button id="bump" lvt-on:click="bump">bump</button>
<button id="show-toast" lvt-on:click="showToast">toast</button>
<div id="spare" lvt-ignore></div>
<button id="aim" lvt-on:click="toggleAim">aim</button>
<div id="far" style="margin-top: 3000px" {{if .aim}}lvt-fx:scroll="into-view"{{end}}>far</div>
<script src="/watch.js"></script><script src="/record.js"></script>
</body></html>`;

/**
 * Records every change of a `style` attribute: `[id or data-key, style, ms]`. Two changes in one
 * task are two records that both see the final value: only the first is kept.
 */
const record = `
window.styles = [];
new MutationObserver(function (ms) {
  for (const m of ms) {
    const el = m.target;
    const who = el.id || el.getAttribute("data-key");
    const now = el.getAttribute("style");
    const last = styles.filter(function (s) { return s[0] === who; }).pop();
    if (who && !(last && last[1] === now)) styles.push([who, now, Math.round(performance.now())]);
  }
}).observe(document.documentElement, { subtree: true, attributes: true, attributeFilter: ["style"] });
window.shown = {};
new MutationObserver(function () {
  if (!shown.toast && document.getElementById("toast")) shown.toast = performance.now();
}).observe(document.documentElement, { subtree: true, childList: true });
window.clicks = [];
document.addEventListener("click", function (e) { clicks.push([e.target.name || e.target.id, performance.now()]); }, true);`;

const plain = `<html><body><p id="n">{{.n}}</p><button id="add" lvt-on:click="add">add</button><script src="/watch.js"></script></body></html>`;

type Which = "ours" | "published";
let browser: Browser;
const apps = new Map<string, LiveApp>();
let context: BrowserContext;
let p: Page;
let requests: string[] = [];
let warnings: string[] = [];

beforeAll(async () => {
  if (!run) return;
  const ours = await clientFile();
  const scripts = { "/watch.js": CSP_WATCH, "/record.js": record };
  const serve = (src: string, file: string) =>
    serveLive(new Template("fx").parse(src).handle(() => new Fx(), { logger: silent, rateLimit: false, clientScript: { file } }), scripts);
  const [a, b, c] = await Promise.all([serve(template, ours), serve(template, published), serve(plain, ours)]);
  apps.set("ours", a).set("published", b).set("plain", c);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await Promise.all(Array.from(apps.values(), (a) => a.close()));
});
afterEach(async () => {
  expect(await p.evaluate("window.cspViolations")).toBe(0);
  expect(warnings).toEqual([]);
  await context?.close();
});

/** A fresh page of app `which`, once its first render is in and the list has been scrolled down. */
async function page(which: Which | "plain"): Promise<Page> {
  context = await browser.newContext();
  p = await context.newPage();
  warnings = [];
  requests = [];
  p.on("pageerror", (err) => {
    throw err;
  });
  p.on("console", (m) => {
    if (m.type() === "warning" || m.type() === "error") warnings.push(m.text());
  });
  p.on("request", (r) => void requests.push(r.url()));
  await p.goto(apps.get(which)!.url);
  await p.waitForSelector("[data-lvt-id]:not([data-lvt-loading])");
  if (which !== "plain") await until(() => atBottom("#chat"), "the first scroll");
  return p;
}

const js = <T>(expr: string): Promise<T> => p.evaluate(expr) as Promise<T>;
const scrollTop = (sel: string) => js<number>(`document.querySelector(${JSON.stringify(sel)}).scrollTop`);
const setScroll = (sel: string, top: number) => js(`document.querySelector(${JSON.stringify(sel)}).scrollTop = ${top}`);
const atBottom = (sel: string) =>
  js<boolean>(`(() => { const e = document.querySelector(${JSON.stringify(sel)}); return e.scrollHeight - e.scrollTop - e.clientHeight < 2; })()`);
/** The recorded styles of one element, in order. */
const styles = async (who: string) => (await js<Array<[string, string | null, number]>>("window.styles")).filter((s) => s[0] === who);
const text = async (sel: string) => (await p.locator(sel).textContent()) ?? "";
/** Waits until `who`'s style attribute has gone again after `count` recorded changes or more. */
const settled = (who: string, count = 1) =>
  until(async () => {
    const s = await styles(who);
    return s.length >= count && s[s.length - 1]![1] === null;
  }, `${who} back to no style`);

/** A flash: the highlight colour with its transition, then the colour dropped, then no style at all. */
async function flashes(who: string, color: string, ms: number): Promise<number> {
  await settled(who, 3);
  const s = await styles(who);
  const starts = s.filter((x) => x[1]?.includes(`background-color: ${color}`));
  expect(starts.length).toBeGreaterThan(0);
  expect(starts[0]![1]).toContain(`transition: background-color ${ms}ms ease-out`);
  const end = s[s.length - 1]!;
  // Back to the element's own style after 50 ms plus the duration (timers may run a little late, never early).
  expect(end[2] - starts[starts.length - 1]![2]).toBeGreaterThanOrEqual(ms + 50 - 5);
  return starts.length;
}

// The timings below are read from MutationObserver callbacks, which run after the task that made
// the change: on a loaded machine the start of an effect can be seen a few ms late, and a 300 ms
// effect then looks a few ms short. A test that misses its bound that way runs again.
describe.skipIf(!run)("effects (lvt-fx)", { retry: 2 }, () => {
  for (const which of ["ours", "published"] as const) {
    it(`scrolls a list to the bottom on the first render and after every new message (${which} client)`, async () => {
      await page(which);
      expect(await atBottom("#chat")).toBe(true);
      expect(await atBottom("#sticky")).toBe(true);
      await setScroll("#chat", 0);
      await p.click("#add");
      await until(async () => (await text("#chat")).includes("m4"), "the new message");
      await until(() => atBottom("#chat"), "the list at the bottom again");
      expect(await p.locator("#chat p").count()).toBe(4);
    });

    it(`bottom-sticky follows new messages only while the reader is near the bottom (${which} client)`, async () => {
      await page(which);
      await setScroll("#sticky", 0);
      await p.click("#add");
      await until(async () => (await text("#sticky")).includes("m4"), "the new message");
      expect(await scrollTop("#sticky")).toBe(0);
      await setScroll("#sticky", 10_000);
      await p.click("#add");
      await until(async () => (await text("#sticky")).includes("m5"), "the next message");
      await until(() => atBottom("#sticky"), "the sticky list following");
    });

    it(`top and reset-on:<attr> scroll back only as asked (${which} client)`, async () => {
      await page(which);
      await setScroll("#panel", 120);
      await setScroll("#top", 120);
      await p.click("#bump");
      await until(async () => (await text("#other")) === "1", "the bump");
      // reset-on: the watched attribute did not change; top: any update scrolls it up.
      expect(await scrollTop("#panel")).toBe(120);
      expect(await scrollTop("#top")).toBe(0);
      await p.click("#flip");
      await until(async () => (await p.locator("#panel").getAttribute("data-doc")) === "b", "the new document");
      await until(async () => (await scrollTop("#panel")) === 0, "the panel reset");
    });

    it(`into-view scrolls to the element once, and again when the server renders the mode anew (${which} client)`, async () => {
      await page(which);
      await until(async () => (await js<number>("scrollY")) > 2000, "the page scrolled to #far");
      await js("scrollTo(0, 0)");
      await p.click("#bump");
      await until(async () => (await text("#other")) === "1", "the bump");
      expect(await js<number>("scrollY")).toBeLessThan(1000);
      await p.click("#aim");
      await until(async () => (await p.locator("#far").getAttribute("lvt-fx:scroll")) === null, "the mode dropped");
      await p.click("#aim");
      await until(async () => (await p.locator("#far").getAttribute("lvt-fx:scroll")) === "into-view", "the mode back");
      await until(async () => (await js<number>("scrollY")) > 2000, "the page scrolled to #far again");
    });

    it(`highlights on the first render and after each patch, then removes the highlight after its duration (${which} client)`, async () => {
      await page(which);
      expect(await flashes("count", "rgb(255, 193, 7)", 200)).toBe(1);
      await p.click("#add");
      await until(async () => (await text("#count")) === "1", "the new count");
      await settled("count", 6);
      expect((await styles("count")).filter((s) => s[1]?.includes("background-color: rgb(255, 193, 7)"))).toHaveLength(2);
      expect(await p.locator("#count").getAttribute("style")).toBeNull();
      // An empty value plays nothing.
      expect(await styles("quiet")).toEqual([]);
    });

    it(`plays the entry animation once per element: every row at first, then only new rows (${which} client)`, async () => {
      await page(which);
      for (const k of ["c1", "c2", "c3"]) {
        await settled(k);
        expect((await styles(k))[0]![1]).toMatch(/^animation: .*500ms ease-out.*lvt-slide-in.*;$/);
      }
      await p.click("#add");
      await until(async () => (await text("#chat")).includes("m4"), "the new message");
      await settled("c4");
      for (const k of ["c1", "c2", "c3"]) expect(await styles(k)).toHaveLength(2);
      // The keyframes: ours as one constructed sheet, the published client's as a <style> element.
      const sheets = await js<[number, boolean]>(`[document.adoptedStyleSheets.length, !!document.getElementById("lvt-animate-styles")]`);
      expect(sheets).toEqual(which === "ours" ? [1, false] : [0, true]);
      const c4 = await styles("c4");
      expect(c4.map((s) => s[1])).toEqual(["animation: 500ms ease-out 0s 1 normal none running lvt-slide-in;", null]);
    });

    it(`plays effects on DOM events, on the element or its data-lvt-target (${which} client)`, async () => {
      await page(which);
      // The published client binds these only after a render that added nodes: give it one.
      await p.click("#add");
      await until(async () => (await text("#count")) === "1", "the new count");
      await p.click("#hl");
      await flashes("target", "rgb(255, 193, 7)", 500);
      expect(await styles("hl")).toEqual([]);
      await p.hover("#pop");
      await settled("pop");
      expect((await styles("pop"))[0]![1]).toContain("lvt-scale-in");
    });

    it(`plays effects on a form's lifecycle, scoped to its action (${which} client)`, async () => {
      await page(which);
      await p.click("#save");
      await settled("form");
      expect((await styles("form"))[0]![1]).toContain("lvt-fade-in");
      // Unscoped: any form's state; another element than the form plays it.
      expect(await flashes("any-done", "rgb(255, 193, 7)", 500)).toBe(1);
      await p.fill("#title", "x");
      await p.click("#save");
      await flashes("form", "rgb(255, 193, 7)", 500);
      await settled("any-done", 6);
      // The error's animation played once: the element keeps it as played.
      expect((await styles("form")).filter((s) => s[1]?.includes("animation"))).toHaveLength(1);
      expect(await styles("not-save")).toEqual([]);
    });

    it(`auto-clicks a button after its delay, once (${which} client)`, async () => {
      await page(which);
      await p.click("#show-toast");
      await until(async () => (await text("#dismissed")) === "1", "the toast dismissed");
      expect(await p.locator("#toast").count()).toBe(0);
      const clicks = await js<Array<[string, number]>>("clicks.filter((c) => c[0] === 'dismiss')");
      expect(clicks).toHaveLength(1);
      // 300 ms after the toast was patched in (timers may run late, never early).
      expect(clicks[0]![1] - (await js<number>("shown.toast"))).toBeGreaterThanOrEqual(295);
      await new Promise((r) => setTimeout(r, 400));
      expect(await text("#dismissed")).toBe("1");
    });
  }

  it("binds DOM-event effects from the first render on (the published client waits for a render that adds nodes)", async () => {
    await page("ours");
    await p.click("#hl");
    await flashes("target", "rgb(255, 193, 7)", 500);
  });

  it("keeps a running effect through a patch that arrives meanwhile (the published client ends it early)", async () => {
    await page("ours");
    await p.click("#slow");
    const anims = `document.getElementById("slow").getAnimations()`;
    await js(`window.fading = ${anims}[0]`);
    expect(await js("fading.animationName")).toBe("lvt-fade-in");
    await p.click("#bump");
    await until(async () => (await text("#other")) === "1", "the bump");
    // The very same animation runs on: the patch took the inline animation off and the chunk put
    // it back before a frame was drawn.
    expect(await js(`${anims}.length === 1 && ${anims}[0] === fading && fading.playState === "running"`)).toBe(true);
    await settled("slow");
    const s = await styles("slow");
    expect(s[s.length - 1]![2] - s[0]![2]).toBeGreaterThanOrEqual(2950);
    expect(await p.locator("#slow").getAttribute("style")).toBeNull();
  });

  it("warns about an unknown effect or mode, once per update or event", async () => {
    await page("ours");
    // Inside lvt-ignore, so that the next patch keeps what the page added.
    await js(`document.getElementById("spare").innerHTML = '<div id="odd" lvt-fx:scroll="sideways" lvt-fx:wobble:on:click>odd</div>'`);
    await p.click("#bump");
    await until(async () => (await text("#other")) === "1", "the bump");
    await p.click("#odd");
    await until(() => warnings.length >= 2, "the warnings");
    expect(warnings).toEqual(["livetemplate: unknown lvt-fx:scroll mode: sideways", "livetemplate: unknown lvt-fx effect: wobble"]);
    warnings = [];
  });

  it("loads the effects chunk once, and only on pages that use effects", async () => {
    await page("ours");
    await p.click("#add");
    await until(async () => (await text("#count")) === "1", "the new count");
    expect(requests.filter((u) => u.includes("lvt-chunk=")).map((u) => new URL(u).searchParams.get("lvt-chunk"))).toEqual(["fx"]);
    await context.close();
    await page("plain");
    await p.click("#add");
    await until(async () => (await text("#n")) === "1", "the plain page's update");
    expect(requests.filter((u) => u.includes("lvt-chunk="))).toEqual([]);
  });
});
