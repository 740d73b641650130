/**
 * Live navigation in Chromium on the gallery's books pages, with our client, with the published
 * `@livetemplate/client` 0.25.1 bundle served in its place, and without JavaScript: links to the
 * same handler and to another one, back and forward, scroll, `ctx.patch` / `navigate` /
 * `redirect` from actions, flash messages shown once, no full reload (a `window` marker survives)
 * and exactly one open socket after each navigation.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createGallery } from "../../examples/gallery/app.js";
import type { Gallery } from "../../examples/gallery/app.js";
import { chromiumAvailable, clientBundle, launchBrowser, until } from "./harness.js";

const run = chromiumAvailable();
const published = fileURLToPath(new URL("../../node_modules/@livetemplate/client/dist/livetemplate-client.browser.js", import.meta.url));

/** Counts the page's WebSockets (every document of the context). */
const COUNT_SOCKETS = `(() => {
  const W = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends W { constructor(...a) { super(...a); window.__sockets.push(this); } };
})()`;

/** `until`, where a check that throws (the page is being replaced by a full load) counts as not yet. */
const eventually = (check: () => Promise<boolean>, what: string) =>
  until(() => check().catch(() => false), what);
const live = (page: Page) => page.waitForSelector("[data-lvt-id]:not([data-lvt-loading])");
const text = async (page: Page, sel: string) => ((await page.textContent(sel)) ?? "").trim();
// Page-side code as strings: this project's server tsconfig has no DOM types.
const openSockets = (page: Page) => page.evaluate<number>("window.__sockets.filter((s) => s.readyState === 1).length");
const marked = (page: Page) => page.evaluate<boolean>("window.__marker === 1");
const mark = (page: Page) => page.evaluate("window.__marker = 1");
const scrollY = (page: Page) => page.evaluate<number>("window.scrollY");

async function oneSocket(page: Page): Promise<void> {
  await eventually(async () => (await openSockets(page)) === 1, "exactly one open socket");
  await new Promise((r) => setTimeout(r, 100));
  expect(await openSockets(page)).toBe(1);
}

async function heading(page: Page, want: string): Promise<void> {
  await eventually(async () => (await text(page, "h2")).replace(/\s+/g, " ") === want, `heading "${want}"`);
}

async function newContext(browser: Browser, js = true): Promise<BrowserContext> {
  const ctx = await browser.newContext({ javaScriptEnabled: js, viewport: { width: 800, height: 300 } });
  if (js) await ctx.addInitScript(COUNT_SOCKETS);
  return ctx;
}

describe.skipIf(!run)("live navigation in Chromium", () => {
  let browser: Browser;
  let ours: Gallery;
  let theirs: Gallery;
  let noSocket: Gallery;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "lvt-client-"));
    const file = join(dir, "livetemplate.min.js");
    writeFileSync(file, await clientBundle());
    [browser, ours, theirs, noSocket] = await Promise.all([
      launchBrowser(),
      createGallery({ port: 0, clientScriptFile: file }),
      createGallery({ port: 0, clientScriptFile: published }),
      createGallery({ port: 0, clientScriptFile: file, disableWebSocket: true }),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([ours?.close(), theirs?.close(), noSocket?.close()]);
  });

  for (const which of ["ours", "published"] as const) {
    const g = () => (which === "ours" ? ours : theirs);

    it(`follows links to the same handler and to another one without a reload, back and forward too (${which} client)`, async () => {
      const ctx = await newContext(browser);
      const page = await ctx.newPage();
      await page.goto(g().url + "/books");
      await live(page);
      await oneSocket(page);
      await mark(page);
      const player = await page.$("#player");
      // Same handler, another query: __navigate__ on the open socket.
      await page.locator("#pages a", { hasText: "2" }).click();
      await heading(page, "Books page 2 of 3");
      expect(new URL(page.url()).search).toBe("?page=2");
      expect(await text(page, "#pages .current")).toBe("2");
      expect(await marked(page)).toBe(true);
      await oneSocket(page);
      // Another handler: fetched, swapped in, a new socket, the old one closed.
      await page.locator("#books a", { hasText: "Candide" }).click();
      await eventually(async () => (await text(page, "#title")) === "Candide", "the detail page");
      expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe("/book?id=11");
      expect(await page.title()).toContain("Candide");
      expect(await marked(page)).toBe(true);
      await oneSocket(page);
      if (which === "ours") expect(await player!.evaluate((p) => p === (p as { ownerDocument: { getElementById(id: string): unknown } }).ownerDocument.getElementById("player"))).toBe(true);
      // Back to page 2 of the list, back to page 1, forward twice.
      await page.goBack();
      await heading(page, "Books page 2 of 3");
      await oneSocket(page);
      await page.goBack();
      await heading(page, "Books page 1 of 3");
      expect(new URL(page.url()).search).toBe("");
      await page.goForward();
      await heading(page, "Books page 2 of 3");
      await page.goForward();
      await eventually(async () => (await text(page, "#title")) === "Candide", "forward to the detail page");
      expect(await marked(page)).toBe(true);
      await oneSocket(page);
      // A plain (non-live) page: our client lets the browser load it; the published client puts
      // its body into the wrapper.
      await page.locator("nav a", { hasText: "Gallery" }).click();
      await page.waitForURL(g().url + "/");
      await eventually(async () => (await text(page, "h1")) === "livetemplate gallery", "the index page");
      expect(await marked(page)).toBe(which === "published");
      await ctx.close();
    });

    it(`patches, navigates and redirects from actions, with flash messages shown once (${which} client)`, async () => {
      const ctx = await newContext(browser);
      const page = await ctx.newPage();
      await page.goto(g().url + "/books?page=1");
      await live(page);
      await mark(page);
      // ctx.patch: same page, next query, a history entry (the published client reloads).
      await page.locator("#next").click();
      await heading(page, "Books page 2 of 3");
      await page.waitForURL(/\?page=2$/);
      await live(page);
      expect(await marked(page)).toBe(which === "ours");
      // The form: a validation error, then ctx.redirect with a flash.
      await page.locator("#add-link").click();
      await heading(page, "Add a book");
      await live(page);
      await page.locator("#book-form button[name=add]").click();
      await page.waitForSelector("#title-error");
      await page.fill("#book-form input[name=title]", `Kokoro (${which})`);
      await page.fill("#book-form input[name=author]", "Natsume Sōseki");
      await page.locator("#book-form button[name=add]").click();
      await eventually(async () => (await text(page, "#title")) === `Kokoro (${which})`, "the new book's page");
      await live(page);
      expect(await text(page, "#flash")).toBe(`Added “Kokoro (${which})”.`);
      await oneSocket(page);
      // Shown once: gone after the next navigation, and not back on back.
      await page.locator("#back").click();
      await heading(page, "Books page 1 of 3");
      await live(page);
      expect(await page.$("#flash")).toBeNull();
      // ctx.navigate from Delete, with a flash on the list.
      await page.goto(page.url().replace(/\/books.*$/, "/book?id=22"));
      await live(page);
      await mark(page);
      await page.locator("#delete").click();
      await eventually(async () => (await page.$("#flash")) !== null, "the delete flash");
      expect(await text(page, "#flash")).toBe("Deleted “Frankenstein”.");
      expect(new URL(page.url()).pathname).toBe("/books");
      expect(await marked(page)).toBe(which === "ours");
      await oneSocket(page);
      // A mount that redirects (an unknown book) lands on the list with an error flash.
      await page.goto(g().url + "/book?id=999");
      await live(page);
      expect(new URL(page.url()).pathname).toBe("/books");
      expect(await text(page, "#flash-error")).toBe("There is no such book.");
      await ctx.close();
    });
  }

  it("scrolls to the top on navigation and back to where it was on back (our client)", async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await page.goto(ours.url + "/books");
    await live(page);
    await page.evaluate("window.scrollTo(0, document.body.scrollHeight)");
    const y = await scrollY(page);
    expect(y).toBeGreaterThan(100);
    // Clicked in place (a locator click would scroll the link into view first).
    await page.evaluate(`document.querySelector("#books a").click()`);
    await eventually(async () => (await text(page, "#title")) === "Middlemarch", "the detail page");
    expect(await scrollY(page)).toBe(0);
    await page.goBack();
    await heading(page, "Books page 1 of 3");
    await eventually(async () => (await scrollY(page)) === y, "scroll restored");
    await ctx.close();
  });

  it("navigates live over the HTTP fallback too (our client, WebSocket disabled)", async () => {
    const ctx = await newContext(browser);
    const page = await ctx.newPage();
    await page.goto(noSocket.url + "/books");
    await live(page);
    await mark(page);
    await page.locator("#pages a", { hasText: "2" }).click();
    await heading(page, "Books page 2 of 3");
    expect(new URL(page.url()).search).toBe("?page=2");
    await page.locator("#next").click();
    await heading(page, "Books page 3 of 3");
    await page.waitForURL(/\?page=3$/);
    await page.locator("#books a").first().click();
    await eventually(async () => (await text(page, "#title")) !== "", "a detail page");
    expect(new URL(page.url()).pathname).toBe("/book");
    await page.goBack();
    await heading(page, "Books page 3 of 3");
    expect(await marked(page)).toBe(true);
    expect(await openSockets(page)).toBe(0);
    await ctx.close();
  });

  it("works without JavaScript: links, the form's 303 with its flash shown once", async () => {
    const ctx = await newContext(browser, false);
    const page = await ctx.newPage();
    await page.goto(ours.url + "/books");
    await page.locator("#pages a", { hasText: "3" }).click();
    await heading(page, "Books page 3 of 3");
    await page.locator("#add-link").click();
    await page.fill("#book-form input[name=title]", "Kokoro (no JS)");
    await page.locator("#book-form button[name=add]").click();
    await eventually(async () => (await text(page, "#title")) === "Kokoro (no JS)", "the new book's page");
    expect(await text(page, "#flash")).toBe("Added “Kokoro (no JS)”.");
    await page.reload();
    expect(await page.$("#flash")).toBeNull();
    await page.locator("#delete").click();
    await heading(page, "Books page 1 of 3");
    expect(await text(page, "#flash")).toBe("Deleted “Kokoro (no JS)”.");
    await ctx.close();
  });
});
