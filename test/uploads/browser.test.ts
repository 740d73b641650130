/**
 * The gallery's /uploads page in Chromium with the PUBLISHED `@livetemplate/client` 0.25.1
 * bundle (volume mode: base64 chunks over the WebSocket), and without JavaScript (a multipart
 * form post). Every stored file's SHA-256 (listed by the page, and of the bytes on disk) must be
 * the original's.
 */
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createGallery, type Gallery } from "../../examples/gallery/app.js";
import { chromiumAvailable, launchBrowser, until } from "../browser/harness.js";

const run = chromiumAvailable();
const published = fileURLToPath(new URL("../../node_modules/@livetemplate/client/dist/livetemplate-client.browser.js", import.meta.url));

const sha = (b: Buffer): string => createHash("sha256").update(b).digest("hex");
const stored = (page: Page) => page.locator("#stored li.stored").evaluateAll((els) => els.map((el) => ({ name: el.querySelector(".name")?.textContent, size: el.getAttribute("data-size"), sha: el.getAttribute("data-sha256") })));

describe.skipIf(!run)("uploads in Chromium", () => {
  let browser: Browser;
  let gallery: Gallery;

  beforeAll(async () => {
    browser = await launchBrowser();
    gallery = await createGallery({ port: 0, clientScriptFile: published });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await gallery?.close();
  });

  async function livePage(): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${gallery.url}/uploads`);
    await page.waitForSelector("[data-lvt-id]:not([data-lvt-loading])");
    return page;
  }

  /** Picks files in a zone and waits until every one is listed as stored with the right hash. */
  async function upload(page: Page, zone: "files" | "images", files: { name: string; mimeType: string; buffer: Buffer }[], before = 0): Promise<void> {
    await page.setInputFiles(`#input-${zone}`, files);
    await until(async () => (await stored(page)).length === before + files.length, `${files.length} file(s) stored`, 30_000);
    const rows = (await stored(page)).slice(before);
    for (const f of files) {
      const row = rows.find((r) => r.name === f.name);
      expect(row).toEqual({ name: f.name, size: String(f.buffer.length), sha: sha(f.buffer) });
      expect(sha(readFileSync(join(gallery.uploadsDir, row!.sha!)))).toBe(sha(f.buffer));
    }
  }

  it("uploads a 1-byte file with the published client", async () => {
    const page = await livePage();
    await upload(page, "files", [{ name: "one.txt", mimeType: "text/plain", buffer: Buffer.from("!") }]);
    await page.close();
  }, 60_000);

  it("uploads a 5 MB file with the published client", async () => {
    const page = await livePage();
    await upload(page, "files", [{ name: "five.bin", mimeType: "application/octet-stream", buffer: randomBytes(5 * 1024 * 1024) }]);
    expect(await page.locator("#entries-files li").count()).toBe(0); // consumed: no entry left
    await page.close();
  }, 60_000);

  it("uploads three files picked at once", async () => {
    const page = await livePage();
    await upload(page, "files", [
      { name: "a.bin", mimeType: "application/octet-stream", buffer: randomBytes(300_000) },
      { name: "b.txt", mimeType: "text/plain", buffer: Buffer.from("bee") },
      { name: "c.bin", mimeType: "application/octet-stream", buffer: randomBytes(70_000) },
    ]);
    await page.close();
  }, 60_000);

  it("shows the images zone's size and type errors, and stores a good image", async () => {
    const page = await livePage();
    await page.setInputFiles("#input-images", [{ name: "huge.png", mimeType: "image/png", buffer: randomBytes(1024 * 1024 + 10) }]);
    await page.waitForSelector('#entries-images .error[data-code="LT_ERR_UPLOAD_TOO_LARGE"]');
    await page.setInputFiles("#input-images", [{ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hi") }]);
    await page.waitForSelector('#entries-images .error[data-code="LT_ERR_UPLOAD_TYPE"]');
    // A new selection replaces the entries that failed.
    expect(await page.locator("#entries-images li").count()).toBe(1);
    await upload(page, "images", [{ name: "dot.png", mimeType: "image/png", buffer: randomBytes(2000) }]);
    await page.close();
  }, 60_000);

  it("uploads without JavaScript through the form's Upload button", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${gallery.url}/uploads`);
    const a = randomBytes(200_000);
    const b = Buffer.from("second");
    await page.setInputFiles("#input-files", [
      { name: "nojs-a.bin", mimeType: "application/octet-stream", buffer: a },
      { name: "nojs-b.txt", mimeType: "text/plain", buffer: b },
    ]);
    await Promise.all([page.waitForURL(`${gallery.url}/uploads`), page.click("#submit-files")]);
    await page.waitForSelector("#stored li.stored");
    const rows = await stored(page);
    expect(rows).toEqual([
      { name: "nojs-a.bin", size: String(a.length), sha: sha(a) },
      { name: "nojs-b.txt", size: String(b.length), sha: sha(b) },
    ]);
    // An image that is too large comes back as the page with the error.
    await page.setInputFiles("#input-images", [{ name: "big.png", mimeType: "image/png", buffer: randomBytes(1024 * 1024 + 1) }]);
    await page.click("#submit-images");
    await page.waitForSelector('#entries-images .error[data-code="LT_ERR_UPLOAD_TOO_LARGE"]');
    await context.close();
  }, 60_000);
});
