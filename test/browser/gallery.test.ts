/**
 * The demo gallery driven in Chromium by our client (WebSocket and HTTP fallback) and, for
 * interoperability, by the published `@livetemplate/client` bundle served in its place.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createGallery } from "../../examples/gallery/app.js";
import type { Gallery } from "../../examples/gallery/app.js";
import { chromiumAvailable, clientBundle, launchBrowser, until } from "./harness.js";

const run = chromiumAvailable();
const published = fileURLToPath(new URL("../../node_modules/@livetemplate/client/dist/livetemplate-client.browser.js", import.meta.url));

const titles = (page: Page) => page.locator("#todos .title").allTextContents();
const live = (page: Page) => page.waitForSelector("[data-lvt-id]:not([data-lvt-loading])");

/** Counter: +1 three times, -1 once. */
async function driveCounter(page: Page): Promise<void> {
  const plus = page.locator(".live button", { hasText: "+1" });
  for (let i = 0; i < 3; i++) {
    await plus.click();
    await until(async () => (await page.textContent("#count")) === String(i + 1), `count ${i + 1}`);
  }
  await page.locator(".live button", { hasText: "−1" }).click();
  await until(async () => (await page.textContent("#count")) === "2", "count 2");
}

/** Todos: add two, reject an empty one, toggle, edit, filter, delete. */
async function driveTodos(page: Page): Promise<void> {
  const title = page.locator("#add-form input[name=title]");
  await title.fill("Milk");
  await title.press("Enter");
  await until(async () => (await titles(page)).join() === "Milk", "Milk added");
  await title.fill("Eggs");
  await page.locator("#add-form button").click();
  await until(async () => (await titles(page)).join() === "Milk,Eggs", "Eggs added");
  await title.fill("");
  await page.locator("#add-form button").click();
  await page.waitForSelector("#title-error");
  expect(await titles(page)).toEqual(["Milk", "Eggs"]);
  // Toggle Milk.
  const milk = page.locator("#todos li", { hasText: "Milk" });
  await milk.locator("button[name=toggle]").click();
  await until(async () => (await milk.getAttribute("class")) === "done", "Milk done");
  // Edit Eggs into Bacon.
  await page.locator("#todos li", { hasText: "Eggs" }).locator("button[name=edit]").click();
  const edit = page.locator("#todos li input[name=title]");
  await edit.waitFor();
  await edit.fill("Bacon");
  await page.locator("#todos li button[name=save]").click();
  await until(async () => (await titles(page)).join() === "Milk,Bacon", "Eggs renamed");
  // Filters.
  await page.locator("button[name=filter]", { hasText: "Done" }).click();
  await until(async () => (await titles(page)).join() === "Milk", "done filter");
  await page.locator("button[name=filter]", { hasText: "Active" }).click();
  await until(async () => (await titles(page)).join() === "Bacon", "active filter");
  await page.locator("button[name=filter]", { hasText: "All" }).click();
  await until(async () => (await titles(page)).join() === "Milk,Bacon", "all filter");
  // Delete Milk.
  await page.locator("#todos li", { hasText: "Milk" }).locator("button[name=delete]").click();
  await until(async () => (await titles(page)).join() === "Bacon", "Milk deleted");
}

describe.skipIf(!run)("gallery in Chromium", () => {
  let browser: Browser;
  let ours: Gallery;
  let noSocket: Gallery;
  let theirs: Gallery;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "lvt-client-"));
    const file = join(dir, "livetemplate.min.js");
    writeFileSync(file, await clientBundle());
    [browser, ours, noSocket, theirs] = await Promise.all([
      launchBrowser(),
      createGallery({ port: 0, clientScriptFile: file }),
      createGallery({ port: 0, clientScriptFile: file, disableWebSocket: true }),
      createGallery({ port: 0, clientScriptFile: published }),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([ours?.close(), noSocket?.close(), theirs?.close()]);
  });

  it("counts clicks on /counter", async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(ours.url + "/counter");
    await live(page);
    await driveCounter(page);
    await ctx.close();
  });

  it("keeps two tabs of one browser in sync", async () => {
    const ctx = await browser.newContext();
    const [a, b] = [await ctx.newPage(), await ctx.newPage()];
    await a.goto(ours.url + "/counter");
    await b.goto(ours.url + "/counter");
    await Promise.all([live(a), live(b)]);
    await a.locator(".live button", { hasText: "+1" }).click();
    await until(async () => (await b.textContent("#count")) === "1", "second tab updated");
    await b.locator(".live button", { hasText: "Reset" }).click();
    await until(async () => (await a.textContent("#count")) === "0", "first tab updated");
    await ctx.close();
  });

  it("adds, validates, toggles, edits, filters and deletes on /todos", async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(ours.url + "/todos");
    await live(page);
    await driveTodos(page);
    await ctx.close();
  });

  it("carries chat messages between two browsers", async () => {
    const [ca, cb] = await Promise.all([browser.newContext(), browser.newContext()]);
    const [a, b] = await Promise.all([ca.newPage(), cb.newPage()]);
    await a.goto(ours.url + "/chat");
    await b.goto(ours.url + "/chat");
    await Promise.all([live(a), live(b)]);
    await a.fill("#name-form input[name=name]", "Ann");
    await a.locator("#name-form button").click();
    await a.fill("#send-form input[name=text]", "hello from Ann");
    await a.press("#send-form input[name=text]", "Enter");
    await until(async () => ((await b.textContent("#messages")) ?? "").includes("hello from Ann"), "message reached B");
    expect(await b.textContent("#messages")).toContain("Ann");
    await b.fill("#send-form input[name=text]", "hi Ann");
    await b.locator("#send-form button").click();
    await until(async () => ((await a.textContent("#messages")) ?? "").includes("hi Ann"), "reply reached A");
    await Promise.all([ca.close(), cb.close()]);
  });

  it("works over HTTP when the server disables WebSocket", async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(noSocket.url + "/counter");
    await live(page);
    await driveCounter(page);
    await page.goto(noSocket.url + "/todos");
    await live(page);
    await driveTodos(page);
    await ctx.close();
  });

  it("serves the published client instead of ours and it drives /counter and /todos", async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(theirs.url + "/counter");
    await live(page);
    expect(await page.evaluate("typeof window.LiveTemplate")).toBe("undefined");
    await driveCounter(page);
    await page.goto(theirs.url + "/todos");
    await live(page);
    await driveTodos(page);
    await ctx.close();
  });
});
