/**
 * Uploads over HTTP, on a real server: no-JS multipart form posts (streamed to disk as they
 * arrive), the published client's fallbacks when its socket is down (`X-Lvt-Upload: start`,
 * `proxied`, `complete`), and `direct` uploads to a presigned URL served by a small real
 * node:http server that accepts PUT.
 */
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sessionCookie } from "../server/harness.js";
import { bytes, sha256, treeText, UploadClient, uploadServer, type UploadServer } from "./fixtures.js";

let s: UploadServer | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await s?.stop();
  s = undefined;
  for (const c of closers.splice(0)) await c();
});

/** A multipart body from fields and files, with a fixed boundary. */
function multipart(parts: ({ name: string; value: string } | { name: string; filename: string; type: string; data: Buffer })[]): { body: Buffer; type: string } {
  const boundary = "----lt-test-boundary-7MA4YWxkTrZu0gW";
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const head =
      "value" in p
        ? `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n`
        : `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: ${p.type}\r\n\r\n`;
    chunks.push(Buffer.from(head), "value" in p ? Buffer.from(p.value) : p.data, Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

describe("no-JS multipart form posts", () => {
  it("runs the form's action with the files in ctx.uploads, then redirects; the page shows them", async () => {
    s = await uploadServer();
    const cookie = await sessionCookie(s.url);
    const a = bytes(200_000);
    const { body, type } = multipart([
      { name: "lvt-action", value: "save" },
      { name: "note", value: "hello" },
      { name: "docs", filename: "a.bin", type: "application/octet-stream", data: a },
      { name: "docs", filename: "b.txt", type: "text/plain", data: Buffer.from("b") },
      { name: "pics", filename: "", type: "application/octet-stream", data: Buffer.alloc(0) }, // no file chosen
    ]);
    const res = await fetch(s.url, { method: "POST", redirect: "manual", headers: { cookie, "content-type": type }, body });
    expect(res.status).toBe(303);
    const page = await (await fetch(s.url, { headers: { cookie } })).text();
    expect(page).toContain(sha256(a));
    expect(page).toContain(sha256(Buffer.from("b")));
    expect(page).toContain('<p id="note">hello</p>');
    await vi.waitFor(() => expect(s!.staged()).toEqual([]));
  });

  it("answers a post whose files have errors with the page (422) showing them, keeping the valid files' effect", async () => {
    s = await uploadServer();
    const cookie = await sessionCookie(s.url);
    const { body, type } = multipart([
      { name: "lvt-action", value: "save" },
      { name: "pics", filename: "big.png", type: "image/png", data: bytes(5000) },
      { name: "pics", filename: "x.exe", type: "application/x-msdownload", data: bytes(10) },
      { name: "docs", filename: "ok.txt", type: "text/plain", data: Buffer.from("ok") },
    ]);
    const res = await fetch(s.url, { method: "POST", redirect: "manual", headers: { cookie, "content-type": type }, body });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("big.png is larger than 1000 bytes");
    expect(html).toContain("x.exe: this type of file is not accepted");
    expect(html).toContain(sha256(Buffer.from("ok")));
    await vi.waitFor(() => expect(s!.staged()).toEqual([]));
  });

  it("shows too many files as an error of the name", async () => {
    s = await uploadServer();
    const cookie = await sessionCookie(s.url);
    const png = { type: "image/png", data: bytes(10) };
    const { body, type } = multipart([
      { name: "lvt-action", value: "save" },
      { name: "pics", filename: "1.png", ...png },
      { name: "pics", filename: "2.png", ...png },
      { name: "pics", filename: "3.png", ...png },
    ]);
    const res = await fetch(s.url, { method: "POST", redirect: "manual", headers: { cookie, "content-type": type }, body });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('<p class="upload-error" data-code="LT_ERR_UPLOAD_TOO_MANY">at most 2 files at once</p>');
  });

  it.each([
    ["garbage", "multipart/form-data; boundary=xyz", "this is not multipart at all"],
    ["no boundary", "multipart/form-data", "--x\r\n"],
    ["cut before its end", "multipart/form-data; boundary=b", '--b\r\nContent-Disposition: form-data; name="docs"; filename="a"\r\n\r\nabc'],
    ["a part without a name", "multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data\r\n\r\nabc\r\n--b--\r\n"],
  ])("answers a body that is %s with 400 LT_ERR_PROTOCOL_MALFORMED and leaves no file", async (_what, type, body) => {
    s = await uploadServer();
    const res = await fetch(s.url, { method: "POST", headers: { "content-type": type, accept: "application/json" }, body });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "LT_ERR_PROTOCOL_MALFORMED" });
    await vi.waitFor(() => expect(s!.staged()).toEqual([]));
  });

  it("refuses value fields beyond maxMessageBytes with 413", async () => {
    s = await uploadServer({ maxMessageBytes: 1000 });
    const { body, type } = multipart([{ name: "note", value: "x".repeat(5000) }]);
    const res = await fetch(s.url, { method: "POST", headers: { "content-type": type, accept: "application/json" }, body });
    expect(res.status).toBe(413);
  });

  it("streams a large file to disk without holding it in memory", async () => {
    s = await uploadServer({ uploads: { docs: { maxFileSize: 300 * 1024 * 1024, maxEntries: 1 } } });
    const cookie = await sessionCookie(s.url);
    const boundary = "bnd0123456789";
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="lvt-action"\r\n\r\nsave\r\n--${boundary}\r\nContent-Disposition: form-data; name="docs"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const block = bytes(1024 * 1024);
    const total = 200;
    const url = new URL(s.url);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, path: "/", method: "POST", headers: { cookie, "content-type": `multipart/form-data; boundary=${boundary}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      let i = 0;
      const pump = (): void => {
        while (i <= total + 1) {
          const chunk = i === 0 ? head : i === total + 1 ? tail : block;
          i++;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
        req.end();
      };
      pump();
    });
    clearInterval(sampler);
    expect(status).toBe(303);
    const page = await (await fetch(s.url, { headers: { cookie } })).text();
    expect(page).toContain(`big.bin ${total * 1024 * 1024} file`);
    // The 200 MiB went to disk; the process grew by far less than the file.
    expect(peak - before).toBeLessThan(80 * 1024 * 1024);
  }, 60_000);
});

describe("the published client's HTTP fallbacks", () => {
  it("answers upload_start over HTTP (X-Lvt-Upload: start) with the entries, keeping nothing", async () => {
    s = await uploadServer();
    const cookie = await sessionCookie(s.url);
    const res = await fetch(s.url, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", accept: "application/json", "x-lvt-upload": "start" },
      body: JSON.stringify({ action: "upload_start", upload_name: "pics", files: [{ name: "a.png", type: "image/png", size: 10 }, { name: "b.gif", type: "image/gif", size: 5000 }] }),
    });
    expect(res.status).toBe(200);
    const r = (await res.json()) as { upload_name: string; entries: { valid: boolean; error_code?: string }[] };
    expect(r.upload_name).toBe("pics");
    expect(r.entries.map((e) => [e.valid, e.error_code])).toEqual([[true, undefined], [false, "LT_ERR_UPLOAD_TOO_LARGE"]]);
  });

  it("takes a proxied multipart post (X-Lvt-Upload: proxied) and answers with the JSON tree", async () => {
    s = await uploadServer({ uploads: { docs: { mode: "proxied", maxEntries: 3 } } });
    const cookie = await sessionCookie(s.url);
    await (await fetch(s.url, { headers: { cookie, accept: "application/json" } })).text();
    const data = bytes(70_000);
    const { body, type } = multipart([
      { name: "lvt-action", value: "upload_docs_complete" },
      { name: "docs", filename: "p.bin", type: "application/octet-stream", data },
    ]);
    const res = await fetch(s.url, { method: "POST", headers: { cookie, "content-type": type, accept: "application/json", "x-lvt-upload": "proxied" }, body });
    expect(res.status).toBe(200);
    const m = (await res.json()) as Record<string, unknown>;
    expect(m["meta"]).toMatchObject({ success: true, action: "upload_docs_complete" });
    expect(treeText(m)).toContain(sha256(data));
  });

  it("answers upload chunks over HTTP with LT_ERR_UPLOAD_MALFORMED", async () => {
    s = await uploadServer();
    const res = await fetch(s.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ action: "upload_chunk", entry_id: "ux", chunk_base64: "QQ==" }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "LT_ERR_UPLOAD_MALFORMED" });
  });
});

/** A small object store: accepts PUT /<key>, keeps the bytes. */
async function objectStore(): Promise<{ url: string; objects: Map<string, Buffer> }> {
  const objects = new Map<string, Buffer>();
  const server = http.createServer((req, res) => {
    if (req.method !== "PUT") {
      res.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      objects.set(req.url ?? "", Buffer.concat(chunks));
      res.writeHead(200).end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  closers.push(() => new Promise((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, objects };
}

describe("direct uploads", () => {
  it("presigns each entry, and completes once the browser's PUT went through", async () => {
    const store = await objectStore();
    const seen: unknown[] = [];
    s = await uploadServer({
      uploads: {
        docs: {
          mode: "direct",
          maxEntries: 2,
          presign: (e) => {
            seen.push({ name: e.name, clientName: e.clientName, size: e.size });
            return { url: `${store.url}/bucket/${e.entryId}`, headers: { "x-test": "1" } };
          },
        },
      },
    });
    const cookie = await sessionCookie(s.url);
    const c = await UploadClient.connect(s.wsUrl, cookie);
    const data = bytes(5000);
    const [e] = await c.start("docs", [{ name: "d.bin", type: "application/octet-stream", size: data.length }]);
    expect(e).toMatchObject({ valid: true, mode: "direct", external: { uploader: "s3", url: `${store.url}/bucket/${e!.entry_id}`, headers: { "x-test": "1" } } });
    expect(seen).toEqual([{ name: "docs", clientName: "d.bin", size: 5000 }]);
    // What the browser does: PUT the file to the presigned URL, then tell the server.
    const put = await fetch((e as unknown as { external: { url: string } }).external.url, { method: "PUT", body: data });
    expect(put.status).toBe(200);
    c.send({ action: "upload_complete", upload_name: "docs", entry_ids: [e!.entry_id] });
    expect(await c.waitFor((m) => m["success"] !== undefined)).toMatchObject({ success: true });
    const reply = await c.waitFor((m) => (m["meta"] as { action?: string } | undefined)?.action === "upload_docs_complete");
    expect(treeText(reply)).toContain(`/bucket/${e!.entry_id}`);
    expect(store.objects.get(`/bucket/${e!.entry_id}`)).toEqual(data);
    expect(s.staged()).toEqual([]); // nothing was staged on this server
    c.close();
  });

  it("fails an entry whose presign throws with LT_ERR_UPLOAD_PRESIGN", async () => {
    s = await uploadServer({ uploads: { docs: { mode: "direct", presign: () => Promise.reject(new Error("no creds")) } } });
    const c = await UploadClient.connect(s.wsUrl, await sessionCookie(s.url));
    const [e] = await c.start("docs", [{ name: "d.bin", type: "", size: 1 }]);
    expect(e).toMatchObject({ valid: false, error_code: "LT_ERR_UPLOAD_PRESIGN" });
    c.close();
  });

  it("completes over HTTP with the entries rebuilt from what the client sent (X-Lvt-Upload: complete)", async () => {
    const store = await objectStore();
    s = await uploadServer({ uploads: { docs: { mode: "direct", maxEntries: 2, presign: (e) => ({ url: `${store.url}/o/${e.entryId}` }) } } });
    const cookie = await sessionCookie(s.url);
    const res = await fetch(s.url, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", accept: "application/json", "x-lvt-upload": "complete" },
      body: JSON.stringify({ action: "upload_complete", upload_name: "docs", entries: [{ client_name: "d.bin", type: "application/octet-stream", size: 3, ref: `${store.url}/o/abc` }] }),
    });
    expect(res.status).toBe(200);
    const m = (await res.json()) as Record<string, unknown>;
    expect(m["meta"]).toMatchObject({ success: true, action: "upload_docs_complete" });
    expect(treeText(m)).toContain(`${store.url}/o/abc`);
  });
});

describe("preview uploads", () => {
  it("are done at once and carry metadata only", async () => {
    s = await uploadServer({ uploads: { docs: { mode: "preview", maxEntries: 2 } } });
    const c = await UploadClient.connect(s.wsUrl, await sessionCookie(s.url));
    const [e] = await c.start("docs", [{ name: "p.jpg", type: "image/jpeg", size: 123 }]);
    expect(e).toMatchObject({ valid: true, mode: "preview" });
    const shown = await c.waitFor((m) => treeText(m).includes("p.jpg"));
    expect(treeText(shown)).toContain("true"); // data-done
    c.send({ action: "save" });
    const reply = await c.waitFor((m) => (m["meta"] as { action?: string } | undefined)?.action === "save");
    expect(treeText(reply)).toContain('"1":"p.jpg","2":123,"3":"meta"');
    c.close();
  });
});
