// Upload throughput over loopback: files of BENCH_UPLOAD_SIZES (default 1 MB and 100 MB) sent to
// a server in a child process, three ways in the same run:
// - ws: our WebSocket path, as our browser client does it: `upload_start`, binary chunk frames
//   (0x01, id length, entry id, bytes; the chunk size the server asks for) with back-pressure
//   (at most BENCH_UPLOAD_WINDOW bytes written and not yet flushed), `upload_complete`, until the
//   server's acknowledgement; the store's `upload_files_complete` then moves the file into place;
// - http: our HTTP path (the client's fallback when the socket is down): one multipart POST to
//   the live page with `lvt-action=upload_files_complete`, streamed from disk, until the reply;
// - busboy: the floor, a bare node:http server piping busboy's file stream into a file;
// - chromium-ws, chromium-http (when /usr/bin/chromium is there): our browser client itself
//   (dist/client, its upload chunk) picking the file in the page, over the WebSocket and, with
//   the handler's `webSocket: false`, over its HTTP fallback; timed inside the page from the
//   input's change event to `lvt:upload-complete`.
// The Node clients run in this process and stream the file from disk. Each figure is MB/s (10^6 bytes
// per second) over the median of BENCH_UPLOAD_REPS runs per (way, size) (default 9 for 1 MB, 3
// for 100 MB), from the first byte the client sends to the reply; ratios are to busboy. The
// stored bytes are checked (SHA-256) on the first run of each. Server RSS is sampled during the
// largest upload of each way.
//
// Needs a built dist/ (`npm run build`). Environment: BENCH_UPLOAD_SIZES (MB, default "1,100"),
// BENCH_UPLOAD_WAYS (default "ws,http,busboy"), BENCH_UPLOAD_REPS, BENCH_UPLOAD_WINDOW (bytes,
// default 4 MiB), BENCH_UPLOAD_CHUNK (the chunk size the upload asks for, bytes, default 1 MiB, the server's default).
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { forkWithIpc } from "./server-ipc.mjs";

const SIZES = (process.env["BENCH_UPLOAD_SIZES"] ?? "1,100").split(",").map(Number);
const WAYS = (process.env["BENCH_UPLOAD_WAYS"] ?? (existsSync("/usr/bin/chromium") ? "ws,http,busboy,chromium-ws,chromium-http" : "ws,http,busboy")).split(",");
const WINDOW = Number(process.env["BENCH_UPLOAD_WINDOW"] ?? 4 * 2 ** 20);
const reps = (mb) => Number(process.env["BENCH_UPLOAD_REPS"] ?? (mb >= 50 ? 3 : 9));
const CHUNK = Number(process.env["BENCH_UPLOAD_CHUNK"] ?? 1024 * 1024);

// ---- the servers (child process) -------------------------------------------------------------

async function server() {
  const lt = await import(process.env["LT_DIST"] ?? "../dist/index.js");
  const { default: Busboy } = await import("busboy");
  const out = process.env["OUT_DIR"];
  let stored = 0;
  class Files {
    last = "";
    async uploadFilesComplete(ctx) {
      for (const e of ctx.uploads("files")) {
        if (!e.done) continue;
        const to = join(out, `lt-${++stored}`);
        await ctx.consume(e, ({ path }) => renameSync(path, to));
        this.last = to;
      }
    }
  }
  const page = new lt.Template("files").parse(`<html><body><input type="file" id="in" lvt-upload="files"><p id="last">{{.last}}</p>{{range .lvt.Uploads "files"}}<i>{{.Progress}}</i>{{end}}</body></html>`);
  // The page carries our client (built in dist/client, chunks beside it) for the Chromium ways.
  const make = (webSocket) =>
    page.handle(() => new Files(), {
      authenticator: { identify: () => "bench", getSessionGroup: (req) => String(req.headers["x-group"] ?? "g") },
      rateLimit: false,
      sessionRateLimit: false,
      heartbeatMs: 0,
      webSocket,
      clientScript: { file: new URL("../dist/client/livetemplate.min.js", import.meta.url).pathname },
      logger: lt.silentLogger,
      uploads: { files: { maxFileSize: 2 ** 40, maxEntries: 1, chunkSize: CHUNK, autoUpload: true, mode: "volume" } },
      uploadStaging: { dir: join(out, "staging") },
    });
  const handler = make(true);
  const lvt = http.createServer(handler);
  handler.attach(lvt);
  // The same page without WebSocket: our client's HTTP fallback.
  const noWs = http.createServer(make(false));
  // The floor: busboy into a file, answered once the file is closed.
  const bare = http.createServer((req, res) => {
    const bb = Busboy({ headers: req.headers, limits: { fileSize: Infinity } });
    let to = "";
    let closed = Promise.resolve();
    bb.on("file", (_name, stream) => {
      to = join(out, `bb-${++stored}`);
      const w = createWriteStream(to);
      closed = new Promise((r) => w.on("close", r));
      stream.pipe(w);
    });
    bb.on("close", () => closed.then(() => res.end(JSON.stringify({ path: to }))));
    req.pipe(bb);
  });
  await Promise.all([lvt, bare, noWs].map((s) => new Promise((r) => s.listen(0, "127.0.0.1", r))));
  process.send({ ready: { lvt: lvt.address().port, bare: bare.address().port, noWs: noWs.address().port } });
  process.on("message", (m) => {
    if (m.cmd === "rss") process.send({ id: m.id, rss: process.memoryUsage().rss });
  });
}

// ---- the clients (this process) --------------------------------------------------------------

function startServer(out) {
  return forkWithIpc(new URL(import.meta.url).pathname, ["--server"], { env: { ...process.env, OUT_DIR: out } });
}

/** A file of `mb` MB of random bytes, and its SHA-256. */
function makeFile(dir, mb) {
  const path = join(dir, `in-${mb}mb.bin`);
  const w = createWriteStream(path);
  const hash = createHash("sha256");
  const block = randomBytes(2 ** 20);
  return new Promise((resolve) => {
    let left = mb * 1e6;
    const more = () => {
      while (left > 0) {
        const b = block.subarray(0, Math.min(left, block.length));
        // Vary each block so no two are alike.
        b.writeUInt32BE(left >>> 0, 0);
        hash.update(b);
        left -= b.length;
        if (!w.write(Buffer.from(b))) return void w.once("drain", more);
      }
      w.end(() => resolve({ path, size: mb * 1e6, sha: hash.digest("hex") }));
    };
    more();
  });
}

const sha = (path) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Our WebSocket path: resolves with the stored path once the server acknowledged. */
async function viaWs(WebSocket, port, file, group) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { "x-group": group }, perMessageDeflate: false });
  const messages = [];
  let wake = () => {};
  ws.on("message", (d) => {
    messages.push(JSON.parse(String(d)));
    wake();
  });
  const next = async (pred) => {
    for (;;) {
      const i = messages.findIndex(pred);
      if (i >= 0) return messages.splice(i, 1)[0];
      await new Promise((r) => (wake = r));
    }
  };
  await new Promise((r, j) => (ws.once("open", r), ws.once("error", j)));
  await next((m) => m.tree !== undefined);
  const t0 = performance.now();
  ws.send(JSON.stringify({ action: "upload_start", upload_name: "files", files: [{ name: "f.bin", type: "application/octet-stream", size: file.size }] }));
  const { entries } = await next((m) => Array.isArray(m.entries));
  const entry = entries[0];
  if (!entry.valid) throw new Error(`entry refused: ${entry.error}`);
  const id = Buffer.from(entry.entry_id);
  const head = Buffer.from([1, id.length >> 8, id.length & 0xff]);
  // Written but not yet flushed to the socket: at most WINDOW bytes.
  let inFlight = 0;
  let drained = () => {};
  const fh = await open(file.path);
  const chunk = entry.chunk_size || CHUNK;
  for (let off = 0; off < file.size; off += chunk) {
    const n = Math.min(chunk, file.size - off);
    const frame = Buffer.allocUnsafe(head.length + id.length + n);
    head.copy(frame, 0);
    id.copy(frame, head.length);
    await fh.read(frame, head.length + id.length, n, off);
    while (inFlight > WINDOW) await new Promise((r) => (drained = r));
    inFlight += frame.length;
    ws.send(frame, () => {
      inFlight -= frame.length;
      drained();
    });
  }
  await fh.close();
  ws.send(JSON.stringify({ action: "upload_complete", upload_name: "files", entry_ids: [entry.entry_id] }));
  const ack = await next((m) => "success" in m);
  if (!ack.success) throw new Error(`upload failed: ${ack.error}`);
  // The completion action's reply (the tree with the stored path) ends the upload.
  await next((m) => m.tree !== undefined && m.meta?.action !== undefined);
  const ms = performance.now() - t0;
  ws.close();
  return ms;
}

/** A multipart POST streamed from disk; resolves with the elapsed ms and the response body. */
function viaMultipart(port, path, file, fields, headers) {
  const boundary = "----lvtbench" + randomBytes(8).toString("hex");
  const pre = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join("") + `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="f.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const post = `\r\n--${boundary}--\r\n`;
  const length = Buffer.byteLength(pre) + file.size + Buffer.byteLength(post);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request({ host: "127.0.0.1", port, path, method: "POST", headers: { "Content-Type": `multipart/form-data; boundary=${boundary}`, "Content-Length": length, ...headers } }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => (res.statusCode < 300 ? resolve({ ms: performance.now() - t0, body }) : reject(new Error(`HTTP ${res.statusCode}: ${body.slice(0, 200)}`))));
    });
    req.on("error", reject);
    req.write(pre);
    const rs = createReadStream(file.path, { highWaterMark: 2 ** 20 });
    rs.pipe(req, { end: false });
    rs.on("end", () => req.end(post));
  });
}

/**
 * Our browser client in Chromium: picks the file in the page's input and times, inside the page,
 * from the input's change event to `lvt:upload-complete` (the file's transfer from Playwright to
 * the renderer is not counted).
 */
async function viaChromium(browser, port, file, group) {
  const context = await browser.newContext({ extraHTTPHeaders: { "x-group": group } });
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  for (let i = 0; i < 500 && !(await page.evaluate("!!(window.__lvtChunks && window.__lvtChunks.upload) && !!document.querySelector('.lvt-connected')")); i++) await new Promise((r) => setTimeout(r, 10));
  await page.evaluate(`(() => {
    window.t = {};
    document.addEventListener("change", () => (t.start = performance.now()), true);
    document.addEventListener("lvt:upload-complete", () => (t.end = performance.now()));
    document.addEventListener("lvt:upload-error", (e) => (t.error = e.detail.error));
  })()`);
  await page.setInputFiles("#in", file.path);
  let t;
  for (;;) {
    t = await page.evaluate("window.t");
    if (t.end !== undefined || t.error !== undefined) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  await context.close();
  if (t.error !== undefined) throw new Error(`upload failed in the browser: ${t.error}`);
  return t.end - t.start;
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const { default: WebSocket } = await import("ws");
  const browser = WAYS.some((w) => w.startsWith("chromium")) ? await launchChromium() : undefined;
  const dir = mkdtempSync(join(os.tmpdir(), "lt-upload-bench-"));
  const out = join(dir, "out");
  mkdirSync(out);
  const srv = startServer(out);
  const ports = await srv.ready;
  console.log(`uploads: ${os.cpus().length} cpus, Node ${process.version}, chunk ${CHUNK} B, window ${WINDOW} B, ${new Date().toISOString()}`);
  const rows = [];
  let g = 0;
  try {
    for (const mb of SIZES) {
      const file = await makeFile(dir, mb);
      for (const way of WAYS) {
        const times = [];
        let peak = 0;
        for (let i = 0; i < reps(mb); i++) {
          const group = `g${++g}`;
          const sample = setInterval(() => void srv.ask("rss").then((m) => (peak = Math.max(peak, m.rss))), 50);
          const base = (await srv.ask("rss")).rss;
          let ms;
          let stored;
          if (way === "ws") {
            ms = await viaWs(WebSocket, ports.lvt, file, group);
          } else if (way === "chromium-ws" || way === "chromium-http") {
            ms = await viaChromium(browser, way === "chromium-ws" ? ports.lvt : ports.noWs, file, group);
          } else if (way === "http") {
            ({ ms } = await viaMultipart(ports.lvt, "/", file, { "lvt-action": "upload_files_complete" }, { Accept: "application/json", "X-Lvt-Upload": "proxied", "x-group": group }));
          } else {
            const r = await viaMultipart(ports.bare, "/", file, {}, {});
            ms = r.ms;
            stored = JSON.parse(r.body).path;
          }
          clearInterval(sample);
          if (i === 0) {
            stored ??= lastStored(out, "lt-");
            const got = sha(stored);
            if (got !== file.sha) throw new Error(`${way} ${mb} MB: stored bytes differ (sha ${got} != ${file.sha})`);
          }
          if (i === 0) rows.push({ way, mb, base });
          times.push(ms);
          rmSync(stored ?? lastStored(out, "lt-"), { force: true });
        }
        const row = rows.find((r) => r.way === way && r.mb === mb);
        row.ms = median(times);
        row.mbps = mb / (row.ms / 1000);
        row.rssGrowthMb = Math.max(0, peak - row.base) / 2 ** 20;
        console.log(`  ${way.padEnd(7)} ${String(mb).padStart(4)} MB  ${row.mbps.toFixed(1).padStart(7)} MB/s  (median of ${times.length}: ${row.ms.toFixed(1)} ms; server RSS +${row.rssGrowthMb.toFixed(1)} MB)`);
      }
      rmSync(file.path);
    }
  } finally {
    srv.child.kill("SIGKILL");
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log("\n| size | way | MB/s | × busboy | server RSS growth |\n|---|---|---|---|---|");
  for (const r of rows) {
    const floor = rows.find((x) => x.way === "busboy" && x.mb === r.mb);
    console.log(`| ${r.mb} MB | ${r.way} | ${r.mbps.toFixed(1)} | ${floor ? (r.mbps / floor.mbps).toFixed(2) : "—"} | ${r.rssGrowthMb.toFixed(1)} MB |`);
  }
}

/** Chromium as the browser tests launch it (test/browser/harness.ts). */
async function launchChromium() {
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
}

/** The newest file our store moved into `out` (named `<prefix><n>`). */
function lastStored(out, prefix) {
  const n = Math.max(...readdirSync(out).filter((f) => f.startsWith(prefix)).map((f) => Number(f.slice(prefix.length))));
  if (!Number.isFinite(n)) throw new Error("no stored file");
  return join(out, prefix + n);
}

if (process.argv.includes("--server")) await server();
else await main();
