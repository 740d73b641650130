/**
 * The dev-mode error overlay in Chromium: each kind of error shows (an action's exception with
 * its stack, a template error with its position and source line, a protocol error), the close
 * button and Escape dismiss it, and with dev mode off neither the script nor the overlay is there.
 */
import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { Template, silentLogger, type LiveHandler } from "livetemplate";
import { chromiumAvailable, clientBundle, launchBrowser, until } from "./harness.js";

const run = chromiumAvailable();

class Shop {
  items: unknown[] = [{ name: "tea" }];
  boom(): void {
    throw new Error("the warehouse is on fire");
  }
  breakIt(): void {
    this.items = [3];
  }
}
const source = `<!DOCTYPE html><html><head><title>shop</title></head><body>
<ul>{{range .items}}<li>{{.name}}</li>{{end}}</ul>
<button id="boom" lvt-click="boom">boom</button><button id="break" lvt-click="breakIt">break</button><button id="nope" lvt-click="nope">nope</button>
</body></html>`;

let browser: Browser;
let dir = "";
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  if (!run) return;
  dir = mkdtempSync(join(tmpdir(), "lt-dev-"));
  writeFileSync(join(dir, "livetemplate.min.js"), await clientBundle("iife"));
  const dev = await build({
    entryPoints: [fileURLToPath(new URL("../../src/client/dev-overlay.ts", import.meta.url))],
    bundle: true,
    format: "iife",
    minify: true,
    write: false,
  });
  writeFileSync(join(dir, "livetemplate.dev.js"), dev.outputFiles[0]!.text);
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const s of stops) await s();
  await browser?.close();
});

async function open(dev: boolean, webSocket = true): Promise<Page> {
  const handler: LiveHandler = new Template("shop").parse(source).handle(Shop, {
    dev,
    webSocket,
    logger: silentLogger,
    clientScript: { file: join(dir, "livetemplate.min.js") },
  });
  const server = http.createServer(handler);
  handler.attach(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  stops.push(async () => {
    await handler.close();
    server.close();
  });
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  if (webSocket) await page.waitForSelector("[data-lvt-id].lvt-connected");
  else await page.waitForFunction("document.querySelector('li')?.textContent === 'tea'");
  return page;
}

const overlay = (page: Page) => page.$("#lvt-dev-overlay");

describe.skipIf(!run)("dev overlay (Chromium)", () => {
  it("shows an action's exception with its message and stack, and the close button dismisses it", async () => {
    const page = await open(true);
    await page.click("#boom");
    await page.waitForSelector("#lvt-dev-overlay");
    expect(await page.textContent("#lvt-dev-overlay .lvt-dev-message")).toBe("the warehouse is on fire");
    expect(await page.textContent("#lvt-dev-overlay .lvt-dev-stack")).toContain("boom");
    expect(await page.textContent("#lvt-dev-overlay")).toContain('Action threw: "boom"');
    await page.click("#lvt-dev-overlay .lvt-dev-close");
    expect(await overlay(page)).toBeNull();
    await page.close();
  });

  it("shows a template error with its name, line, column and source line, and Escape dismisses it", async () => {
    const page = await open(true);
    await page.click("#break");
    await page.waitForSelector("#lvt-dev-overlay .lvt-dev-source");
    expect(await page.textContent("#lvt-dev-overlay .lvt-dev-position")).toMatch(/^shop:2:\d+$/);
    expect(await page.textContent("#lvt-dev-overlay .lvt-dev-source")).toContain("2 | <ul>{{range .items}}<li>{{.name}}</li>{{end}}</ul>");
    expect(await page.textContent("#lvt-dev-overlay")).toContain("Render failed");
    await page.keyboard.press("Escape");
    expect(await overlay(page)).toBeNull();
    // The page still works: the state was rolled back.
    expect(await page.textContent("li")).toBe("tea");
    await page.close();
  });

  it("shows a protocol error (unknown action)", async () => {
    const page = await open(true);
    await page.click("#nope");
    await page.waitForSelector("#lvt-dev-overlay");
    expect(await page.textContent("#lvt-dev-overlay")).toContain("Protocol error LT_ERR_PROTOCOL_UNKNOWN_ACTION");
    expect(await page.textContent("#lvt-dev-overlay .lvt-dev-message")).toContain('no store handles action "nope"');
    await page.close();
  });

  it("shows an action's exception and a template error over the HTTP fallback too", async () => {
    const page = await open(true, false);
    await page.click("#boom");
    await page.waitForSelector("#lvt-dev-overlay");
    expect(await page.textContent("#lvt-dev-overlay .lvt-dev-message")).toBe("the warehouse is on fire");
    expect(await page.textContent("#lvt-dev-overlay .lvt-dev-stack")).toContain("boom");
    await page.click("#lvt-dev-overlay .lvt-dev-close");
    await page.click("#break");
    await page.waitForSelector("#lvt-dev-overlay .lvt-dev-source");
    expect(await page.textContent("#lvt-dev-overlay .lvt-dev-position")).toMatch(/^shop:2:\d+$/);
    await page.close();
  });

  it("is absent in production mode: no script, no overlay", async () => {
    const page = await open(false);
    expect(await page.$("script[src*='lvt-dev=']")).toBeNull();
    await page.click("#boom");
    await page.click("#break");
    await page.click("#nope");
    await until(async () => (await page.textContent("li")) === "tea", "page settled");
    await new Promise((r) => setTimeout(r, 200));
    expect(await overlay(page)).toBeNull();
    await page.close();
  });
});
