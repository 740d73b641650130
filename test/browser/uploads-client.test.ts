/**
 * Our client's uploads (src/client/upload/) in Chromium against the real handler, under
 * `Content-Security-Policy: script-src 'self'`: real files picked in a file input or dropped on a
 * zone, sent as binary WebSocket frames (or as a multipart POST when there is no socket), stored
 * by the store's completion action, and compared byte for byte (SHA-256) with the originals.
 * Limits, several files at once, cancel, a socket dropped midway, previews, and the server's
 * memory while a 200 MB file goes through.
 */
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { copyFileSync, createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { deflateSync } from "node:zlib";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Template } from "../../src/index.js";
import type { ActionContext, LiveHandler } from "../../src/index.js";
import { chromiumAvailable, launchBrowser, until } from "./harness.js";
import { clientFile, CSP_WATCH } from "./live-app.js";

const run = chromiumAvailable();
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const MB = 1_000_000;

/** What the store kept: one row per stored file. */
interface Stored {
  name: string;
  size: number;
  sha: string;
}

const dir = mkdtempSync(join(tmpdir(), "lt-uploads-client-"));
const keep = join(dir, "kept");
const staging = join(dir, "staging");

class Uploads {
  stored: Stored[] = [];
  /** The `lvt-upload-with` field of the last multipart upload. */
  note = "";
  async uploadFilesComplete(ctx: ActionContext): Promise<void> {
    await this.take(ctx, "files");
  }
  async uploadImagesComplete(ctx: ActionContext): Promise<void> {
    await this.take(ctx, "images");
  }
  async uploadLaterComplete(ctx: ActionContext): Promise<void> {
    await this.take(ctx, "later");
  }
  /** The URLs the `direct` completions consumed. */
  external: string[] = [];
  async uploadDirectComplete(ctx: ActionContext): Promise<void> {
    for (const e of ctx.uploads("direct")) if (e.done && e.valid) this.external.push(await ctx.consume(e, (f) => (f.kind === "external" ? f.url : f.kind)));
  }
  saved = 0;
  save(): void {
    this.saved++;
  }
  private async take(ctx: ActionContext, name: string): Promise<void> {
    if (ctx.data.has("note")) this.note = ctx.data.getString("note");
    for (const e of ctx.uploads(name)) {
      if (!e.done || !e.valid) continue;
      await ctx.consume(e, async (f) => {
        if (f.kind !== "file") throw new Error(`a ${f.kind} upload`);
        const to = join(keep, `${this.stored.length}-${e.clientName}`);
        copyFileSync(f.path, to);
        // Hashed as a stream: the 200 MB file must not be read into the server's memory here either.
        const h = createHash("sha256");
        for await (const b of createReadStream(to)) h.update(b as Buffer);
        this.stored.push({ name: e.clientName, size: e.size, sha: h.digest("hex") });
      });
    }
  }
}

const template = `<html><body>
<form id="form-files"><input type="text" name="note" value="hello" lvt-upload-with>
<input type="file" id="input-files" lvt-upload="files" multiple></form>
<div id="zone-files" lvt-upload-zone="files">drop here</div>
<ul id="entries-files">{{range .lvt.Uploads "files"}}<li class="entry" data-key="{{.ID}}" data-lvt-upload-entry="{{.ID}}" data-progress="{{.Progress}}"><span class="name">{{.ClientName}}</span>{{with .Error}}<span class="error">{{.}}</span>{{end}}<button type="button" class="cancel" lvt-upload-cancel="{{.ID}}">Cancel</button></li>{{end}}</ul>
<input type="file" id="input-images" lvt-upload="images" accept="image/*" multiple>
<img id="preview-images" data-lvt-upload-preview="images" alt="">
<div id="entries-images">{{range .lvt.Uploads "images"}}<img class="entry-preview" data-key="{{.ID}}" data-lvt-upload-preview="{{.ID}}" alt="">{{end}}</div>
<form id="form-later" lvt-submit="save"><input type="file" id="input-later" lvt-upload="later"><button id="submit-later">Save</button></form>
<p id="saved">{{.saved}}</p>
<ul id="entries-later">{{range .lvt.Uploads "later"}}<li class="entry" data-key="{{.ID}}" data-lvt-upload-entry="{{.ID}}"><span class="name">{{.ClientName}}</span><button type="button" class="server-cancel" lvt-click="cancel_upload" data-entry-id="{{.ID}}">Cancel</button></li>{{end}}</ul>
<input type="file" id="input-direct" lvt-upload="direct"><input type="file" id="input-local" lvt-upload="local" accept="image/*">
<img id="preview-local" data-lvt-upload-preview="local" alt="">
<ul id="external">{{range .external}}<li>{{.}}</li>{{end}}</ul>
<p id="note">{{.note}}</p>
<ul id="stored">{{range .stored}}<li data-sha="{{.sha}}" data-size="{{.size}}">{{.name}}</li>{{end}}</ul>
<script src="/watch.js"></script><script src="/listen.js"></script>
</body></html>`;

/** Records every upload event and every object URL revoked, for the assertions. */
const listen = `
window.uploadEvents = [];
for (const t of ["progress", "complete", "error", "cancel"]) document.addEventListener("lvt:upload-" + t, (e) => {
  const d = e.detail;
  uploadEvents.push({ type: t, target: e.target.id || e.target.tagName, name: d.name, id: d.id, file: d.file && d.file.name, progress: d.progress, loaded: d.loaded, error: d.error });
});
window.revoked = [];
const revoke = URL.revokeObjectURL.bind(URL);
URL.revokeObjectURL = (u) => { revoked.push(u); revoke(u); };`;

const sha256 = (b: Buffer | Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** A file of `size` random bytes in the temp dir, with its SHA-256. */
function file(name: string, size: number): { path: string; sha: string } {
  const b = randomBytes(size);
  const path = join(dir, name);
  writeFileSync(path, b);
  return { path, sha: sha256(b) };
}

/** A file of `size` bytes written in 1 MB blocks (the 200 MB one), hashed as it is written. */
async function bigFile(name: string, size: number): Promise<{ path: string; sha: string }> {
  const path = join(dir, name);
  const w = createWriteStream(path);
  const h = createHash("sha256");
  const block = randomBytes(MB);
  for (let left = size, i = 0; left > 0; left -= MB, i++) {
    const b = Buffer.from(block.subarray(0, Math.min(MB, left)));
    b.writeUInt32BE(i, 0);
    h.update(b);
    if (!w.write(b)) await once(w, "drain");
  }
  w.end();
  await once(w, "close");
  return { path, sha: h.digest("hex") };
}

/** A valid 2×2 RGB PNG (signature, IHDR, IDAT, IEND with their CRCs). */
function png(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer): number => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.from([0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0]);
  // Two rows, each a filter byte then two RGB pixels.
  const raw = Buffer.from([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255]);
  return Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}
const PNG = png();

interface Served {
  url: string;
  handler: LiveHandler;
  /** TCP connections that carried a WebSocket upgrade, with the bytes read from each. */
  upgraded: Map<Socket, number>;
  /** While set, upgrades are refused (the client lives over HTTP). */
  refuse: boolean;
  /** Called with each upgraded socket's running byte count as data arrives. */
  onBytes: ((s: Socket, n: number) => void) | null;
  close(): Promise<void>;
}

/** A stand-in for an object store: takes presigned PUTs (with CORS) and keeps their bytes. */
const bucket = {
  url: "",
  objects: new Map<string, { bytes: Buffer; headers: http.IncomingHttpHeaders }>(),
  server: http.createServer((req, res) => {
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Access-Control-Allow-Methods", "PUT");
    res.setHeader("Access-Control-Allow-Headers", "x-test, content-type");
    if (req.method === "OPTIONS") return void res.end();
    const parts: Buffer[] = [];
    req.on("data", (d: Buffer) => parts.push(d));
    req.on("end", () => {
      bucket.objects.set(req.url ?? "", { bytes: Buffer.concat(parts), headers: req.headers });
      res.end();
    });
  }),
};

async function serve(): Promise<Served> {
  const file = await clientFile();
  const handler = new Template("uploads").parse(template).handle(() => new Uploads(), {

    logger: silent,
    rateLimit: false,
    clientScript: { file },
    uploads: {
      files: { maxFileSize: 300 * MB, maxEntries: 5, chunkSize: 256 * 1024, autoUpload: true, mode: "volume" },
      images: { accept: ["image/*"], maxFileSize: 1_048_576, maxEntries: 3, autoUpload: true, mode: "volume" },
      later: { maxFileSize: 300 * MB, maxEntries: 2, autoUpload: false },
      direct: { mode: "direct", maxFileSize: 10 * MB, presign: (e) => ({ url: `${bucket.url}${e.entryId}`, headers: { "x-test": "1" } }) },
      local: { mode: "preview", accept: ["image/*"] },
    },
    uploadStaging: { dir: staging },
  });
  const scripts: Record<string, string> = { "/watch.js": CSP_WATCH, "/listen.js": listen };
  const s: Served = {
    url: "",
    handler,
    upgraded: new Map(),
    refuse: false,
    onBytes: null,
    async close() {
      await handler.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server = http.createServer((req, res) => {
    res.setHeader("Content-Security-Policy", "script-src 'self'");
    const script = scripts[(req.url ?? "/").split("?")[0]!];
    if (script !== undefined) {
      res.setHeader("Content-Type", "text/javascript");
      res.end(script);
      return;
    }
    void handler(req, res);
  });
  // Counts the bytes of upgraded connections before the handler sees them (tests pause or cut them).
  server.prependListener("upgrade", (_req, socket: Socket) => {
    if (s.refuse) return void socket.destroy();
    s.upgraded.set(socket, 0);
    socket.prependListener("data", (d: Buffer) => {
      const n = (s.upgraded.get(socket) ?? 0) + d.length;
      s.upgraded.set(socket, n);
      s.onBytes?.(socket, n);
    });
    socket.on("close", () => s.upgraded.delete(socket));
  });
  handler.attach(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return s;
}

let browser: Browser;
let app: Served;
let context: BrowserContext;
let p: Page;
let errors: string[] = [];

beforeAll(async () => {
  if (!run) return;
  mkdirSync(keep, { recursive: true });
  bucket.server.listen(0, "127.0.0.1");
  await once(bucket.server, "listening");
  bucket.url = `http://127.0.0.1:${(bucket.server.address() as AddressInfo).port}/`;
  app = await serve();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  bucket.server.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  expect(await p.evaluate("window.cspViolations")).toBe(0);
  expect(errors).toEqual([]);
  await context?.close();
  app.onBytes = null;
  app.refuse = false;
});

/** A fresh page with the upload chunk loaded. */
async function page(): Promise<Page> {
  context = await browser.newContext();
  p = await context.newPage();
  errors = [];
  p.on("pageerror", (err) => errors.push(String(err)));
  await p.goto(app.url);
  await p.waitForSelector("[data-lvt-id].lvt-connected");
  await until(() => js<boolean>("!!(window.__lvtChunks && window.__lvtChunks.upload)"), "the upload chunk");
  return p;
}

const js = <T>(expr: string): Promise<T> => p.evaluate(expr) as Promise<T>;
const events = (type?: string) => js<Array<Record<string, unknown>>>(`uploadEvents${type ? `.filter((e) => e.type === ${JSON.stringify(type)})` : ""}`);
const storedRows = () => p.locator("#stored li").evaluateAll((els) => els.map((e) => ({ name: e.textContent, sha: e.getAttribute("data-sha"), size: Number(e.getAttribute("data-size")) })));
/** Bytes read so far from the open WebSocket connections. */
const socketBytes = (): number => [...app.upgraded.values()].reduce((a, b) => a + b, 0);
const stagingFiles = (): string[] => (existsSync(staging) ? readdirSync(staging, { recursive: true }).map(String) : []);

describe.skipIf(!run)("uploads from our client", () => {
  // First, while the process has not yet grown for the other tests' files.
  it("keeps the server's memory bounded while a 200 MB file goes through", async () => {
    await page();
    const f = await bigFile("big200.bin", 200 * MB);
    const base = process.memoryUsage();
    let peak = base.rss;
    let peakBuffers = base.arrayBuffers;
    const sample = setInterval(() => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.rss);
      peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
    }, 20);
    try {
      await p.setInputFiles("#input-files", f.path);
      await until(async () => (await storedRows()).some((r) => r.name === "big200.bin"), "the 200 MB file stored", 120_000);
    } finally {
      clearInterval(sample);
    }
    expect((await storedRows()).find((r) => r.name === "big200.bin")!.sha).toBe(f.sha);
    const mb = (n: number): string => (n / 2 ** 20).toFixed(1);
    console.log(`200 MB upload: server RSS ${mb(base.rss)} MB, peak +${mb(peak - base.rss)} MB; Buffers ${mb(base.arrayBuffers)} MB, peak +${mb(peakBuffers - base.arrayBuffers)} MB`);
    expect(peak - base.rss).toBeLessThan(64 * 2 ** 20);
    expect(peakBuffers - base.arrayBuffers).toBeLessThan(64 * 2 ** 20);
    rmSync(f.path);
  }, 180_000);

  it("loads the upload chunk once, and only on a page with an upload", async () => {
    await page();
    expect(await js("Object.keys(window.__lvtChunks).sort()")).toEqual(["upload"]);
  });

  it("uploads a 1-byte file and a 5 MB file as binary frames; the stored bytes equal the originals", async () => {
    await page();
    const one = file("one.bin", 1);
    const five = file("five.bin", 5 * MB);
    for (const [f, name] of [[one, "one.bin"], [five, "five.bin"]] as const) {
      await p.setInputFiles("#input-files", f.path);
      await until(async () => (await storedRows()).some((r) => r.name === name), `${name} stored`, 30_000);
      const row = (await storedRows()).find((r) => r.name === name)!;
      expect(row.sha).toBe(f.sha);
    }
    const done = await events("complete");
    expect(done.map((e) => [e.file, e.progress, e.target])).toEqual([
      ["one.bin", 100, "input-files"],
      ["five.bin", 100, "input-files"],
    ]);
    // The 5 MB file reported progress on the way; the input shows the figures and is cleared.
    const fiveProgress = (await events("progress")).filter((e) => e.file === "five.bin").map((e) => e.progress as number);
    expect(fiveProgress.length).toBeGreaterThan(3);
    expect(fiveProgress).toEqual([...fiveProgress].sort((a, b) => a - b));
    expect(await js(`document.getElementById("input-files").style.getPropertyValue("--lvt-upload-progress")`)).toBe("1");
    expect(await js(`document.getElementById("input-files").getAttribute("data-lvt-upload-state")`)).toBe("done");
    expect(await js(`document.getElementById("input-files").value`)).toBe("");
  });

  it("uploads three files of one selection", async () => {
    await page();
    const fs = [file("a.bin", 1000), file("b.bin", 200_000), file("c.bin", 3 * MB)];
    await p.setInputFiles("#input-files", fs.map((f) => f.path));
    await until(async () => {
      const rows = await storedRows();
      return ["a.bin", "b.bin", "c.bin"].every((n) => rows.some((r) => r.name === n));
    }, "three files stored", 30_000);
    const rows = await storedRows();
    for (const [i, n] of ["a.bin", "b.bin", "c.bin"].entries()) expect(rows.find((r) => r.name === n)!.sha).toBe(fs[i]!.sha);
    expect((await events("complete")).map((e) => e.file).sort()).toEqual(["a.bin", "b.bin", "c.bin"]);
  });

  it("reports a file over the size limit and one of the wrong type, and stores neither", async () => {
    await page();
    const big = file("big.png", 1_048_577);
    writeFileSync(join(dir, "notes.txt"), "not an image");
    const before = socketBytes();
    await p.setInputFiles("#input-images", big.path);
    await until(async () => (await events("error")).length === 1, "the size error");
    await p.setInputFiles("#input-images", join(dir, "notes.txt"));
    await until(async () => (await events("error")).length === 2, "the type error");
    const errs = await events("error");
    expect(errs.map((e) => e.file)).toEqual(["big.png", "notes.txt"]);
    for (const e of errs) expect(String(e.error)).not.toBe("");
    expect(await storedRows()).toEqual([]);
    // Nothing but the handshakes went over the socket: no chunk of a refused file.
    expect(socketBytes() - before).toBeLessThan(10_000);
    expect(await js(`document.getElementById("input-images").getAttribute("data-lvt-upload-state")`)).toBe("error");
    expect(String(errs[0]!.error)).toMatch(/large|size/i);
    expect(String(errs[1]!.error)).toMatch(/type|accept/i);
  });

  it("shows a preview of a picked image, and revokes the object URL once another replaces it", async () => {
    await page();
    writeFileSync(join(dir, "dot.png"), PNG);
    await p.setInputFiles("#input-images", join(dir, "dot.png"));
    await until(async () => (await storedRows()).some((r) => r.name === "dot.png"), "the image stored");
    const src = await js<string>(`document.getElementById("preview-images").getAttribute("src")`);
    expect(src).toMatch(/^blob:/);
    await until(() => js<boolean>(`document.getElementById("preview-images").naturalWidth === 2`), "the preview loaded");
    expect((await storedRows()).find((r) => r.name === "dot.png")!.sha).toBe(sha256(PNG));
    await p.setInputFiles("#input-images", join(dir, "dot.png"));
    await until(async () => (await js<string>(`document.getElementById("preview-images").getAttribute("src")`)) !== src, "a new preview");
    expect(await js<string[]>("revoked")).toContain(src);
  });

  it("takes files dropped on a zone, with the dragover class while they hover", async () => {
    await page();
    await js(`(() => {
      const zone = document.getElementById("zone-files");
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array([1, 2, 3, 4, 5])], "dropped.bin", { type: "application/octet-stream" }));
      // Two files of one name: entries are matched to files by position, not by name.
      dt.items.add(new File([new Uint8Array([9, 9])], "twin.bin"));
      dt.items.add(new File([new Uint8Array([8, 8, 8])], "twin.bin"));
      window.dropData = dt;
      zone.dispatchEvent(new DragEvent("dragenter", { bubbles: true, cancelable: true, dataTransfer: dt }));
      zone.dispatchEvent(new DragEvent("dragover", { bubbles: true, cancelable: true, dataTransfer: dt }));
    })()`);
    expect(await js(`document.getElementById("zone-files").classList.contains("lvt-upload-dragover")`)).toBe(true);
    const accepted = await js<boolean>(`!document.getElementById("zone-files").dispatchEvent(new DragEvent("drop", { bubbles: true, cancelable: true, dataTransfer: window.dropData }))`);
    expect(accepted).toBe(true);
    expect(await js(`document.getElementById("zone-files").classList.contains("lvt-upload-dragover")`)).toBe(false);
    await until(async () => (await storedRows()).length === 3, "the dropped files stored");
    const rows = await storedRows();
    expect(rows.find((r) => r.name === "dropped.bin")!.sha).toBe(sha256(Buffer.from([1, 2, 3, 4, 5])));
    expect(rows.filter((r) => r.name === "twin.bin").map((r) => [r.size, r.sha]).sort()).toEqual(
      [[2, sha256(Buffer.from([9, 9]))], [3, sha256(Buffer.from([8, 8, 8]))]].sort(),
    );
    expect((await events("complete")).map((e) => e.target)).toEqual(["zone-files", "zone-files", "zone-files"]);
  });

  it("cancels an upload midway: no more bytes go out, and the server drops the entry and its bytes", async () => {
    await page();
    const f = file("cancel.bin", 40 * MB);
    // Stall the socket once 3 MB have arrived, so the upload is surely midway.
    let stalled: Socket | null = null;
    app.onBytes = (s, n) => {
      if (n > 3 * MB && !stalled) {
        stalled = s;
        s.pause();
      }
    };
    await p.setInputFiles("#input-files", f.path);
    await until(() => stalled !== null, "the upload under way", 20_000);
    await p.locator("#entries-files li .cancel").click();
    const sentAtCancel = await js<number>(`uploadEvents.filter((e) => e.type === "progress").pop()?.loaded ?? 0`);
    expect((await events("cancel")).map((e) => e.file)).toEqual(["cancel.bin"]);
    stalled!.resume();
    await until(async () => (await p.locator("#entries-files li").count()) === 0, "the entry gone from the page", 20_000);
    // What the browser had buffered arrives; then nothing more of the file.
    const got = app.upgraded.get(stalled!) ?? 0;
    await new Promise((r) => setTimeout(r, 500));
    expect((app.upgraded.get(stalled!) ?? 0) - got).toBeLessThan(10_000);
    expect(got).toBeLessThan(20 * MB);
    expect(sentAtCancel).toBeLessThan(40 * MB);
    expect(await storedRows()).toEqual([]);
    await until(() => stagingFiles().length === 0, "the partial file removed", 10_000);
  });

  it("fails the entries of a selection when the socket drops midway, and reconnects", async () => {
    await page();
    const f = file("drop.bin", 40 * MB);
    const next = file("next.bin", 1000);
    let cut = false;
    app.onBytes = (s, n) => {
      if (n > 3 * MB && !cut) {
        cut = true;
        s.destroy();
      }
    };
    await p.setInputFiles("#input-files", [f.path, next.path]);
    // The one under way and the one waiting its turn: the server dropped both with the connection.
    await until(async () => (await events("error")).length === 2, "the entries failed", 20_000);
    expect((await events("error")).map((e) => [e.file, e.error])).toEqual([
      ["drop.bin", "connection lost"],
      ["next.bin", "connection lost"],
    ]);
    expect(await js(`document.getElementById("input-files").getAttribute("data-lvt-upload-state")`)).toBe("error");
    await p.waitForSelector("[data-lvt-id].lvt-connected");
    expect(await storedRows()).toEqual([]);
    await until(() => stagingFiles().length === 0, "the partial file removed", 10_000);
  });

  it("holds an upload without autoUpload until its form is submitted", async () => {
    await page();
    const f = file("later.bin", 300_000);
    const before = socketBytes();
    await p.setInputFiles("#input-later", f.path);
    await p.waitForSelector("#entries-later li");
    expect(await js(`document.querySelector("#entries-later li").getAttribute("data-lvt-upload-state")`)).toBe("waiting");
    await new Promise((r) => setTimeout(r, 300));
    expect(socketBytes() - before).toBeLessThan(10_000);
    expect(await storedRows()).toEqual([]);
    await p.click("#submit-later");
    await until(async () => (await storedRows()).some((r) => r.name === "later.bin"), "stored after the submit");
    expect((await storedRows()).find((r) => r.name === "later.bin")!.sha).toBe(f.sha);
    expect(await p.textContent("#saved")).toBe("1");
  });

  it("stops an entry when the server-rendered cancel action is clicked (the core sends it)", async () => {
    await page();
    const f = file("later2.bin", 300_000);
    await p.setInputFiles("#input-later", f.path);
    await p.waitForSelector("#entries-later li .server-cancel");
    await p.click("#entries-later li .server-cancel");
    await until(async () => (await p.locator("#entries-later li").count()) === 0, "the entry cancelled on the server");
    expect((await events("cancel")).map((e) => e.file)).toEqual(["later2.bin"]);
    // Submitting now sends no file: the entry is gone on both sides.
    const before = socketBytes();
    await p.click("#submit-later");
    await until(async () => (await p.textContent("#saved")) === "1", "the form's action");
    expect(socketBytes() - before).toBeLessThan(10_000);
    expect(await storedRows()).toEqual([]);
  });

  it("PUTs a direct entry to its presigned URL, then completes it over the socket", async () => {
    await page();
    const f = file("direct.bin", 2 * MB);
    const before = socketBytes();
    await p.setInputFiles("#input-direct", f.path);
    await until(async () => (await p.locator("#external li").count()) === 1, "the direct completion");
    const url = (await p.textContent("#external li"))!;
    const obj = bucket.objects.get(new URL(url).pathname);
    expect(obj && sha256(obj.bytes)).toBe(f.sha);
    expect(obj!.headers["x-test"]).toBe("1");
    expect(socketBytes() - before).toBeLessThan(10_000);
    expect((await events("complete")).map((e) => e.file)).toEqual(["direct.bin"]);
    expect((await events("progress")).length).toBeGreaterThan(0);
  });

  it("only previews a preview-mode file: no byte is sent, the entry completes at once", async () => {
    await page();
    writeFileSync(join(dir, "local.png"), PNG);
    const before = socketBytes();
    await p.setInputFiles("#input-local", join(dir, "local.png"));
    await until(async () => ((await p.getAttribute("#preview-local", "src")) ?? "").startsWith("blob:"), "the preview");
    await until(() => js<boolean>(`document.getElementById("preview-local").naturalWidth === 2`), "the preview decoded");
    await until(async () => (await events("complete")).length === 1, "the entry complete");
    expect(socketBytes() - before).toBeLessThan(10_000);
  });

  it("fails a selection whose socket closes before the server answered it", async () => {
    await page();
    app.onBytes = (sock) => sock.destroy();
    await p.setInputFiles("#input-files", file("unanswered.bin", 1000).path);
    await until(async () => (await events("error")).length === 1, "the selection failed");
    expect((await events("error"))[0]).toMatchObject({ file: "unanswered.bin", error: "connection lost", id: undefined });
    app.onBytes = null;
    await p.waitForSelector("[data-lvt-id].lvt-connected");
  });

  it("uploads with a multipart POST when there is no socket, with the lvt-upload-with fields; a direct entry completes over HTTP", async () => {
    app.refuse = true;
    context = await browser.newContext();
    p = await context.newPage();
    errors = [];
    const posts: Array<Record<string, string>> = [];
    p.on("request", (r) => {
      if (r.method() === "POST") posts.push(r.headers());
    });
    await p.goto(app.url);
    await p.waitForSelector("[data-lvt-id].lvt-connected");
    await until(() => js<boolean>("!!(window.__lvtChunks && window.__lvtChunks.upload)"), "the upload chunk");
    const f = file("http.bin", 2 * MB);
    await p.setInputFiles("#input-files", f.path);
    await until(async () => (await storedRows()).some((r) => r.name === "http.bin"), "stored over HTTP", 30_000);
    expect((await storedRows()).find((r) => r.name === "http.bin")!.sha).toBe(f.sha);
    expect(posts.map((h) => h["x-lvt-upload"])).toEqual(["start", "proxied"]);
    expect(posts[1]!["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(await p.textContent("#note")).toBe("hello");
    // A direct entry announced over HTTP completes over HTTP too, describing where the file went.
    const d = file("direct-http.bin", 100_000);
    await p.setInputFiles("#input-direct", d.path);
    await until(async () => (await p.locator("#external li").count()) === 1, "the direct completion over HTTP");
    expect(sha256(bucket.objects.get(new URL((await p.textContent("#external li"))!).pathname)!.bytes)).toBe(d.sha);
    expect(posts.map((h) => h["x-lvt-upload"])).toEqual(["start", "proxied", "start", "complete"]);
  });

});
