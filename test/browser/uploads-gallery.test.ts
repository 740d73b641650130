/**
 * The gallery's /uploads page (examples/gallery/uploads.tmpl) driven in Chromium by our client,
 * with `Content-Security-Policy: script-src 'self'` added to every response (only the layout's
 * own inline script is refused; the client needs none): files picked and
 * dropped are stored with the same bytes (SHA-256 shown on the page), the images zone refuses
 * a file too large and one of another type, a picked image is previewed, and the page's cancel
 * button (both cancel spellings on one element) cancels an entry with one `cancel_upload`.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createGallery } from "../../examples/gallery/app.js";
import type { Gallery } from "../../examples/gallery/app.js";
import { chromiumAvailable, launchBrowser, until } from "./harness.js";
import { clientFile } from "./live-app.js";

const run = chromiumAvailable();
const dir = mkdtempSync(join(tmpdir(), "lt-uploads-gallery-"));
const sha256 = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

let browser: Browser;
let gallery: Gallery;
let context: BrowserContext;
let p: Page;
let problems: string[] = [];
/** Every WebSocket text frame the page sent, parsed. */
let sent: Array<Record<string, unknown>> = [];
/** While set, called with each upgraded socket and the bytes read from it so far. */
let onBytes: ((s: Socket, n: number) => void) | null = null;

beforeAll(async () => {
  if (!run) return;
  gallery = await createGallery({ port: 0, clientScriptFile: await clientFile(), uploadsDir: join(dir, "stored") });
  gallery.server.prependListener("request", (_req, res) => res.setHeader("Content-Security-Policy", "script-src 'self'"));
  gallery.server.prependListener("upgrade", (_req, socket: Socket) => {
    let n = 0;
    socket.prependListener("data", (d: Buffer) => onBytes?.(socket, (n += d.length)));
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await gallery?.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  expect(problems).toEqual([]);
  onBytes = null;
  await context?.close();
});

async function open(): Promise<Page> {
  context = await browser.newContext();
  p = await context.newPage();
  problems = [];
  sent = [];
  p.on("pageerror", (e) => problems.push(String(e)));
  p.on("console", (m) => {
    // The gallery's layout has one inline script of its own (it marks <html class="js">), which
    // this CSP refuses; anything else refused would be the client's.
    if (m.type() === "error" && !m.text().includes("LT_ERR_UPLOAD") && !m.text().startsWith("Executing inline script")) problems.push(m.text());
  });
  p.on("websocket", (ws) =>
    ws.on("framesent", (f) => {
      if (typeof f.payload === "string") sent.push(JSON.parse(f.payload) as Record<string, unknown>);
    }),
  );
  await p.goto(`${gallery.url}/uploads`);
  await p.waitForSelector("[data-lvt-id].lvt-connected");
  await until(() => p.evaluate("!!(window.__lvtChunks && window.__lvtChunks.upload)") as Promise<boolean>, "the upload chunk");
  return p;
}

const stored = () => p.locator("#stored li.stored").evaluateAll((els) => els.map((e) => ({ name: e.querySelector(".name")?.textContent, sha: e.getAttribute("data-sha256"), zone: e.getAttribute("data-zone") })));

describe.skipIf(!run)("the gallery's uploads page with our client", () => {
  it("stores a picked 5 MB file and a dropped one with the same bytes", async () => {
    await open();
    const big = randomBytes(5_000_000);
    writeFileSync(join(dir, "five.bin"), big);
    await p.setInputFiles("#input-files", join(dir, "five.bin"));
    await until(async () => (await stored()).some((s) => s.name === "five.bin"), "five.bin stored", 30_000);
    expect((await stored()).find((s) => s.name === "five.bin")).toEqual({ name: "five.bin", sha: sha256(big), zone: "files" });
    await p.evaluate(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(["dropped text"], "dropped.txt", { type: "text/plain" }));
      const zone = document.getElementById("zone-files");
      for (const t of ["dragenter", "dragover", "drop"]) zone.dispatchEvent(new DragEvent(t, { bubbles: true, cancelable: true, dataTransfer: dt }));
    })()`);
    await until(async () => (await stored()).some((s) => s.name === "dropped.txt"), "dropped.txt stored");
    expect((await stored()).find((s) => s.name === "dropped.txt")!.sha).toBe(sha256(Buffer.from("dropped text")));
    // Bytes went as binary frames: no base64 chunk message.
    expect(sent.filter((m) => m["action"] === "upload_chunk")).toEqual([]);
    expect(sent.filter((m) => m["action"] === "upload_complete")).toHaveLength(2);
  });

  it("shows the images zone's errors for a file too large and one of another type", async () => {
    await open();
    writeFileSync(join(dir, "huge.png"), randomBytes(1024 * 1024 + 1));
    writeFileSync(join(dir, "doc.txt"), "text");
    await p.setInputFiles("#input-images", [join(dir, "huge.png"), join(dir, "doc.txt")]);
    await until(async () => (await p.locator("#entries-images .error").count()) === 2, "two errors shown");
    const codes = await p.locator("#entries-images .error").evaluateAll((els) => els.map((e) => e.getAttribute("data-code")));
    expect(codes.sort()).toEqual(["LT_ERR_UPLOAD_TOO_LARGE", "LT_ERR_UPLOAD_TYPE"].sort());
    expect(await stored()).toEqual([]);
  });

  it("previews a picked image", async () => {
    await open();
    // A 1×1 GIF.
    const gif = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");
    writeFileSync(join(dir, "dot.gif"), gif);
    await p.setInputFiles("#input-images", join(dir, "dot.gif"));
    await until(async () => ((await p.getAttribute("#preview-images", "src")) ?? "").startsWith("blob:"), "the preview");
    await until(() => p.evaluate(`document.getElementById("preview-images").naturalWidth === 1`) as Promise<boolean>, "the preview decoded");
    await until(async () => (await stored()).some((s) => s.name === "dot.gif"), "dot.gif stored");
    expect((await stored()).find((s) => s.name === "dot.gif")).toEqual({ name: "dot.gif", sha: sha256(gif), zone: "images" });
  });

  it("cancels an entry midway with the page's cancel button, sending cancel_upload once", async () => {
    await open();
    writeFileSync(join(dir, "slow.bin"), randomBytes(15_000_000));
    let stalled: Socket | null = null;
    onBytes = (s, n) => {
      if (n > 2_000_000 && !stalled) {
        stalled = s;
        s.pause();
      }
    };
    await p.setInputFiles("#input-files", join(dir, "slow.bin"));
    await until(() => stalled !== null, "the upload under way", 20_000);
    await p.click("#entries-files li .cancel");
    (stalled as Socket | null)?.resume();
    await until(async () => (await p.locator("#entries-files li").count()) === 0, "the entry gone", 20_000);
    expect(sent.filter((m) => m["action"] === "cancel_upload")).toHaveLength(1);
    expect(await stored()).toEqual([]);
  });
});
