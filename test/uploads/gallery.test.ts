/**
 * The gallery's /uploads page over real HTTP and WebSocket: the markup contract the browser
 * tests rely on, a no-JS multipart post, and a volume upload in the published client's JSON
 * chunks, each ending in a stored file whose SHA-256 is the original's.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGallery, type Gallery } from "../../examples/gallery/app.js";
import { sessionCookie } from "../server/harness.js";
import { bytes, sha256, treeText, UploadClient } from "./fixtures.js";

let gallery: Gallery;
beforeAll(async () => {
  gallery = await createGallery({ port: 0 });
});
afterAll(async () => {
  await gallery.close();
});

function form(name: string, filename: string, type: string, data: Buffer): { body: Buffer; type: string } {
  const b = "gallery-boundary-1234";
  const body = Buffer.concat([
    Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="lvt-action"\r\n\r\nupload_${name}_complete\r\n`),
    Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`),
    data,
    Buffer.from(`\r\n--${b}--\r\n`),
  ]);
  return { body, type: `multipart/form-data; boundary=${b}` };
}

describe("the gallery's uploads page", () => {
  it("has the markup the browser tests drive", async () => {
    const html = await (await fetch(`${gallery.url}/uploads`)).text();
    for (const piece of [
      '<section id="zone-files" class="zone" lvt-upload-zone="files">',
      '<input type="file" id="input-files" name="files" lvt-upload="files" multiple>',
      '<form id="form-files" method="post" enctype="multipart/form-data">',
      '<button type="submit" id="submit-files" class="nojs">Upload</button>',
      '<input type="file" id="input-images" name="images" lvt-upload="images" accept="image/*" multiple>',
      '<img id="preview-images" data-lvt-upload-preview="images" alt="">',
      '<ul id="stored">',
      '<li class="muted" id="none-stored">',
    ]) expect(html).toContain(piece);
  });

  it("stores a file posted without JavaScript, listed with its size and SHA-256", async () => {
    const cookie = await sessionCookie(`${gallery.url}/uploads`);
    const data = bytes(123_456);
    const { body, type } = form("files", "notes.bin", "application/octet-stream", data);
    const res = await fetch(`${gallery.url}/uploads`, { method: "POST", redirect: "manual", headers: { cookie, "content-type": type }, body });
    expect(res.status).toBe(303);
    const html = await (await fetch(`${gallery.url}/uploads`, { headers: { cookie } })).text();
    const sha = sha256(data);
    expect(html).toContain(`data-sha256="${sha}" data-size="123456"><span class="name">notes.bin</span> <span class="size">123456</span> bytes <code class="sha256">${sha}</code>`);
    expect(readFileSync(join(gallery.uploadsDir, sha))).toEqual(data);
  });

  it("shows the images zone's size and type errors without JavaScript (422)", async () => {
    const cookie = await sessionCookie(`${gallery.url}/uploads`);
    const big = form("images", "big.png", "image/png", bytes(1024 * 1024 + 1));
    const r1 = await fetch(`${gallery.url}/uploads`, { method: "POST", redirect: "manual", headers: { cookie, "content-type": big.type }, body: big.body });
    expect(r1.status).toBe(422);
    expect(await r1.text()).toContain('data-code="LT_ERR_UPLOAD_TOO_LARGE"');
    const txt = form("images", "notes.txt", "text/plain", Buffer.from("hi"));
    const r2 = await fetch(`${gallery.url}/uploads`, { method: "POST", redirect: "manual", headers: { cookie, "content-type": txt.type }, body: txt.body });
    expect(r2.status).toBe(422);
    expect(await r2.text()).toContain('data-code="LT_ERR_UPLOAD_TYPE"');
  });

  it("stores a volume upload sent in the published client's JSON chunks", async () => {
    const cookie = await sessionCookie(`${gallery.url}/uploads`);
    const c = await UploadClient.connect(`${gallery.url.replace("http", "ws")}/uploads`, cookie);
    const data = bytes(600_000);
    const [e] = await c.start("files", [{ name: "big.dat", type: "application/octet-stream", size: data.length }]);
    for (let off = 0; off < data.length; off += 256 * 1024) {
      c.send({ action: "upload_chunk", entry_id: e!.entry_id, chunk_base64: data.subarray(off, off + 256 * 1024).toString("base64"), offset: off, total: data.length });
    }
    c.send({ action: "upload_complete", upload_name: "files", entry_ids: [e!.entry_id] });
    const reply = await c.waitFor((m) => (m["meta"] as { action?: string } | undefined)?.action === "upload_files_complete");
    expect(treeText(reply)).toContain(sha256(data));
    c.close();
  });
});
