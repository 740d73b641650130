/**
 * Limits and bad input over a real WebSocket: sizes enforced as bytes arrive, the accept list,
 * client names, the quota, malformed messages and frames (coded errors, nothing lost), and the
 * staged files removed on cancel, disconnect and expiry.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { binaryChunk } from "../../src/protocol/uploads.js";
import { sanitizeClientName } from "../../src/uploads/names.js";
import { sessionCookie } from "../server/harness.js";
import type { LiveHandlerOptions } from "../../src/server/options.js";
import { bytes, treeText, UploadClient, uploadServer, type UploadServer } from "./fixtures.js";

let s: UploadServer | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

async function open(options: LiveHandlerOptions = {}): Promise<{ s: UploadServer; c: UploadClient; cookie: string }> {
  s = await uploadServer(options);
  const cookie = await sessionCookie(s.url);
  return { s, c: await UploadClient.connect(s.wsUrl, cookie), cookie };
}

const errorOf = (id: string) => (m: Record<string, unknown>) => m["type"] === "upload_error" && m["entry_id"] === id;

describe("size limits while bytes arrive", () => {
  it("fails an entry at the chunk that passes its announced size, removes its file and ignores later chunks", async () => {
    const { s, c } = await open();
    const [e] = await c.start("docs", [{ name: "liar.bin", type: "", size: 10 }]);
    c.ws.send(binaryChunk(e!.entry_id, bytes(8)));
    await c.waitFor((m) => m["type"] === "upload_progress");
    c.ws.send(binaryChunk(e!.entry_id, bytes(8)));
    const err = await c.waitFor(errorOf(e!.entry_id), "the upload_error");
    expect(err).toMatchObject({ code: "LT_ERR_UPLOAD_TOO_LARGE", upload_name: "docs" });
    await vi.waitFor(() => expect(s.staged()).toEqual([]));
    c.ws.send(binaryChunk(e!.entry_id, bytes(8)));
    expect(await c.waitFor((m) => treeText(m).includes("LT_ERR_UPLOAD_TOO_LARGE"), "the error rendered")).toBeDefined();
    c.send({ action: "upload_complete", upload_name: "docs", entry_ids: [e!.entry_id] });
    expect(await c.waitFor((m) => m["success"] !== undefined)).toMatchObject({ success: false, error_code: "LT_ERR_UPLOAD_TOO_LARGE" });
    expect(await c.idle()).toBe(true);
    c.close();
  });

  it("refuses a file announced larger than maxFileSize before any byte is sent", async () => {
    const { c } = await open();
    const [e] = await c.start("pics", [{ name: "big.png", type: "image/png", size: 1001 }]);
    expect(e).toMatchObject({ valid: false, error_code: "LT_ERR_UPLOAD_TOO_LARGE" });
    c.ws.send(binaryChunk(e!.entry_id, bytes(10))); // ignored quietly
    expect(await c.idle()).toBe(false); // the render showing the error came first
    c.close();
  });

  it("refuses what would pass the disk quota, and takes it again once space is released", async () => {
    const { c } = await open({ uploadStaging: { quotaBytes: 1000 } });
    const [a] = await c.start("docs", [{ name: "a", type: "", size: 600 }]);
    const [b] = await c.start("docs", [{ name: "b", type: "", size: 600 }]);
    expect(a).toMatchObject({ valid: true });
    expect(b).toMatchObject({ valid: false, error_code: "LT_ERR_UPLOAD_QUOTA" });
    c.send({ action: "cancel_upload", entry_id: a!.entry_id });
    expect(await c.waitFor((m) => m["entry_id"] === a!.entry_id && m["success"] !== undefined)).toEqual({ entry_id: a!.entry_id, success: true });
    const [d] = await c.start("docs", [{ name: "d", type: "", size: 600 }]);
    expect(d).toMatchObject({ valid: true });
    c.close();
  });
});

describe("accept lists and names", () => {
  it.each([
    ["a.PNG", "", true],
    ["photo", "image/jpeg", true],
    ["x.png.exe", "application/octet-stream", false],
    ["x.svg", "text/html", false],
    [".png", "", false],
  ])("accepts %s (%s) for pics: %s", async (name, type, ok) => {
    const { c } = await open();
    const [e] = await c.start("pics", [{ name, type, size: 1 }]);
    expect(e!.valid).toBe(ok);
    if (!ok) expect(e!.error_code).toBe("LT_ERR_UPLOAD_TYPE");
    c.close();
  });

  it.each([
    ["../../etc/passwd", "passwd"],
    ["C:\\Users\\me\\report.pdf", "report.pdf"],
    ["a\u0000b\u001b[31m.txt", "ab[31m.txt"],
    ["evil\u202egnp.exe", "evilgnp.exe"],
    ["..", "file"],
    ["  .hidden", "hidden"],
    ["", "file"],
  ])("sanitises the client name %j to %j", (raw, clean) => {
    expect(sanitizeClientName(raw)).toBe(clean);
  });

  it("cuts a long name to 255 characters keeping its extension", () => {
    const n = sanitizeClientName("x".repeat(1000) + ".pdf");
    expect([...n].length).toBe(255);
    expect(n.endsWith(".pdf")).toBe(true);
  });

  it("echoes the client's own name on the wire (its client finds the file by it) but renders the sanitised one", async () => {
    const { c } = await open();
    const [e] = await c.start("docs", [{ name: "../secret.txt", type: "text/plain", size: 1 }]);
    expect(e!.client_name).toBe("../secret.txt");
    const shown = await c.waitFor((m) => treeText(m).includes("secret.txt"));
    expect(treeText(shown)).not.toContain("../");
    c.close();
  });

  it("answers an upload name that is not configured with LT_ERR_UPLOAD_UNKNOWN entries", async () => {
    const { c } = await open();
    const [e] = await c.start("nope", [{ name: "a", type: "", size: 1 }]);
    expect(e).toMatchObject({ valid: false, error_code: "LT_ERR_UPLOAD_UNKNOWN" });
    c.close();
  });
});

describe("malformed upload messages", () => {
  it.each([
    [{ action: "upload_start", upload_name: "docs" }, "non-empty files"],
    [{ action: "upload_start", upload_name: "docs", files: [{ name: "a", size: -1 }] }, "valid size"],
    [{ action: "upload_start", files: [{ name: "a", size: 1 }] }, "upload_name"],
    [{ action: "upload_chunk", entry_id: "x", chunk_base64: "@@@" }, "not base64"],
    [{ action: "upload_chunk", chunk_base64: "AA==" }, "entry_id"],
    [{ action: "upload_complete", upload_name: "docs" }, "entry_ids"],
    [{ action: "cancel_upload" }, "entry_id"],
  ])("answers %j with LT_ERR_UPLOAD_MALFORMED and keeps the connection and the entries", async (msg, words) => {
    const { c } = await open();
    const [e] = await c.start("docs", [{ name: "a.txt", type: "", size: 4 }]);
    c.send(msg);
    const err = await c.waitFor((m) => m["type"] === "error");
    expect(err).toMatchObject({ code: "LT_ERR_UPLOAD_MALFORMED" });
    expect(String(err["message"])).toContain(words);
    c.ws.send(binaryChunk(e!.entry_id, Buffer.from("abcd")));
    await c.waitFor((m) => m["type"] === "upload_progress" && m["bytes_recv"] === 4);
    c.close();
  });

  it("refuses a JSON chunk whose offset does not follow the bytes received, writing nothing", async () => {
    const { c } = await open();
    const [e] = await c.start("docs", [{ name: "a.txt", type: "", size: 4 }]);
    c.send({ action: "upload_chunk", entry_id: e!.entry_id, chunk_base64: Buffer.from("ab").toString("base64"), offset: 2, total: 4 });
    expect(await c.waitFor((m) => m["type"] === "error")).toMatchObject({ code: "LT_ERR_UPLOAD_MALFORMED" });
    c.send({ action: "upload_chunk", entry_id: e!.entry_id, chunk_base64: Buffer.from("abcd").toString("base64"), offset: 0, total: 4 });
    await c.waitFor((m) => m["type"] === "upload_progress" && m["bytes_recv"] === 4);
    c.close();
  });

  it.each([
    [Buffer.from([0x02, 0, 1, 0x41, 1, 2]), "unknown kind"],
    [Buffer.from([0x01, 0]), "too short"],
    [Buffer.from([0x01, 0, 9, 0x41]), "cut inside"],
    [Buffer.from([0x01, 0, 0, 1, 2]), "out of range"],
    [Buffer.from([0x01, 0, 2, 0xff, 0xfe, 1]), "not UTF-8"],
  ])("answers the binary frame %j with LT_ERR_UPLOAD_MALFORMED", async (frame, words) => {
    const { c } = await open();
    c.ws.send(frame);
    const err = await c.waitFor((m) => m["type"] === "error");
    expect(err).toMatchObject({ code: "LT_ERR_UPLOAD_MALFORMED" });
    expect(String(err["message"])).toContain(words);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    c.close();
  });

  it("ignores a binary chunk for an unknown entry quietly", async () => {
    const { c } = await open();
    c.ws.send(binaryChunk("unope", bytes(10)));
    expect(await c.idle()).toBe(true);
    c.close();
  });

  it("does not count chunks against the message rate limit", async () => {
    const { c } = await open({ rateLimit: { perSecond: 1, burst: 2 } });
    const [e] = await c.start("docs", [{ name: "a", type: "", size: 100 }]);
    for (let i = 0; i < 100; i++) c.send({ action: "upload_chunk", entry_id: e!.entry_id, chunk_base64: "QQ==", offset: i, total: 100 });
    await c.waitFor((m) => m["type"] === "upload_progress" && m["bytes_recv"] === 100, "all 100 bytes");
    c.close();
  });
});

describe("staged files are removed", () => {
  it("on cancel, in both shapes (top-level entry_id, and a button's data-entry-id)", async () => {
    const { s, c } = await open();
    const [a, b] = await c.start("docs", [
      { name: "a", type: "", size: 100 },
      { name: "b", type: "", size: 100 },
    ]);
    c.ws.send(binaryChunk(a!.entry_id, bytes(50)));
    c.ws.send(binaryChunk(b!.entry_id, bytes(50)));
    await c.waitFor((m) => m["type"] === "upload_progress" && m["entry_id"] === b!.entry_id);
    expect(s.staged().length).toBe(2);
    c.send({ action: "cancel_upload", entry_id: a!.entry_id });
    c.send({ action: "cancel_upload", data: { "entry-id": b!.entry_id } });
    await c.waitFor((m) => m["entry_id"] === a!.entry_id && m["success"] === true);
    await c.waitFor((m) => m["entry_id"] === b!.entry_id && m["success"] === true);
    await vi.waitFor(() => expect(s.staged()).toEqual([]));
    c.send({ action: "cancel_upload", entry_id: a!.entry_id });
    expect(await c.waitFor((m) => m["entry_id"] === a!.entry_id && m["success"] !== undefined)).toEqual({ entry_id: a!.entry_id, success: false });
    c.close();
  });

  it("on disconnect, unless another connection of the group still streams the entry", async () => {
    const { s, c, cookie } = await open();
    const other = await UploadClient.connect(s.wsUrl, cookie);
    const [a] = await c.start("docs", [{ name: "a", type: "", size: 100 }]);
    const [b] = await c.start("docs", [{ name: "b", type: "", size: 100 }]);
    c.ws.send(binaryChunk(a!.entry_id, bytes(10)));
    c.ws.send(binaryChunk(b!.entry_id, bytes(10)));
    other.ws.send(binaryChunk(b!.entry_id, bytes(10))); // the other tab holds b too
    await other.waitFor((m) => m["type"] === "upload_progress" && m["bytes_recv"] === 20);
    expect(s.staged().length).toBe(2);
    c.close();
    await c.closed;
    await vi.waitFor(() => expect(s.staged().length).toBe(1));
    other.close();
    await other.closed;
    await vi.waitFor(() => expect(s.staged()).toEqual([]));
  });

  it("on expiry, showing LT_ERR_UPLOAD_EXPIRED", async () => {
    const { s, c } = await open({ uploadStaging: { expiryMs: 150 } });
    const [a] = await c.start("docs", [{ name: "slow.txt", type: "", size: 100 }]);
    c.ws.send(binaryChunk(a!.entry_id, bytes(10)));
    await c.waitFor((m) => m["type"] === "upload_progress");
    expect(s.staged().length).toBe(1);
    await c.waitFor((m) => treeText(m).includes("LT_ERR_UPLOAD_EXPIRED"), "the expiry rendered", 3000);
    await vi.waitFor(() => expect(s.staged()).toEqual([]));
    c.close();
  });

  it("when the handler closes", async () => {
    const { s, c } = await open();
    const [a] = await c.start("docs", [{ name: "a", type: "", size: 100 }]);
    c.ws.send(binaryChunk(a!.entry_id, bytes(10)));
    await c.waitFor((m) => m["type"] === "upload_progress");
    await s.handler.close();
    expect(s.staged()).toEqual([]);
  });
});

describe("consuming", () => {
  it("keeps the entries (files included) when the action that consumed them throws", async () => {
    const { s, c } = await open();
    // "raw" has no completion action: the entry waits, done, for an action to consume it.
    const [a] = await c.start("raw", [{ name: "a", type: "", size: 3 }]);
    c.ws.send(binaryChunk(a!.entry_id, Buffer.from("abc")));
    await c.waitFor((m) => m["type"] === "upload_progress");
    c.send({ action: "upload_complete", upload_name: "raw", entry_ids: [a!.entry_id] });
    expect(await c.waitFor((m) => m["success"] !== undefined)).toMatchObject({ success: true });
    c.send({ action: "fail_after_consume" });
    const failed = await c.waitFor((m) => (m["meta"] as { action?: string } | undefined)?.action === "fail_after_consume");
    expect(failed["meta"]).toMatchObject({ success: false });
    await new Promise((r) => setTimeout(r, 50));
    expect(s.staged().length).toBe(1);
    c.send({ action: "take_raw" });
    const reply = await c.waitFor((m) => (m["meta"] as { action?: string } | undefined)?.action === "take_raw");
    expect(treeText(reply)).toContain("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"); // sha256("abc")
    await vi.waitFor(() => expect(s.staged()).toEqual([]));
    c.close();
  });
});
