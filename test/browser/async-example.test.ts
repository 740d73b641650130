/**
 * The async demo of docs/async.md (examples/async/) in Chromium, as a user would run it: under
 * its `script-src 'self'` policy, with the client built from the sources.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAsyncDemo, type AsyncDemo } from "../../examples/async/app.js";
import { chromiumAvailable, launchBrowser, until } from "./harness.js";
import { clientFile } from "./live-app.js";

const run = chromiumAvailable();
let browser: Browser;
let demo: AsyncDemo;

beforeAll(async () => {
  if (!run) return;
  demo = await createAsyncDemo({ port: 0, reportMs: 600, clientScriptFile: await clientFile() });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

describe.skipIf(!run)("examples/async", () => {
  it("builds the report in the background, fails visibly, and runs its events, hook and commands", async () => {
    const context = await browser.newContext();
    const p: Page = await context.newPage();
    const problems: string[] = [];
    p.on("pageerror", (e) => void problems.push(String(e)));
    p.on("console", (m) => void (m.type() === "error" && problems.push(m.text())));
    await p.goto(demo.url);
    await p.waitForSelector("[data-lvt-id].lvt-connected");

    await p.click("#generate");
    await until(async () => (await p.textContent("#report")) === "Building the report…", "the pending state");
    await until(async () => (await p.textContent("#report"))!.startsWith("Report built at"), "the report");
    await until(() => p.locator("#toast").isVisible(), "the toast the pushed commands showed");
    await until(async () => (await p.textContent("#toast"))!.startsWith("Report ready ("), "the hook's handleEvent");

    await p.click("#generate-broken");
    await until(async () => (await p.textContent("#report-error")) === "the report service is down", "the failure");

    await p.click("#like");
    expect(await p.getAttribute("#like", "class")).toContain("liked");
    expect(await p.getAttribute("#like", "aria-pressed")).toBe("true");
    await until(async () => (await p.textContent("#likes")) === "1", "the like counted");
    expect(await p.getAttribute("#like", "class")).toBe("liked");

    await p.fill("#word", "ap");
    await until(async () => (await p.locator("#suggestions li").allTextContents()).join() === "apple,apricot", "the hook's reply");

    await p.click("#menu-button");
    expect(await p.locator("#menu").isVisible()).toBe(true);
    await p.click("h1");
    expect(await p.locator("#menu").isVisible()).toBe(false);
    expect(problems).toEqual([]);
    await context.close();
  });
});
