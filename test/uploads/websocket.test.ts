/**
 * Uploads over a real WebSocket, in both chunk formats: the published client's JSON
 * (`upload_chunk` with base64) and our client's binary frames. The stored bytes must be the
 * bytes sent; progress, completion and the template's view must follow.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { binaryChunk } from "../../src/protocol/uploads.js";
import { sessionCookie } from "../server/harness.js";
import { bytes, sha256, treeText, UploadClient, uploadServer, type UploadServer } from "./fixtures.js";

let s: UploadServer | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

async function open(): Promise<{ s: UploadServer; c: UploadClient }> {
  s = await uploadServer();
  const cookie = await sessionCookie(s.url);
  return { s, c: await UploadClient.connect(s.wsUrl, cookie) };
}

const isProgress = (id: string, recv: number) => (m: Record<string, unknown>) => m["type"] === "upload_progress" && m["entry_id"] === id && m["bytes_recv"] === recv;

describe("volume uploads over a WebSocket", () => {
  it.each(["json", "binary"] as const)("stores exactly the bytes sent in %s chunks and runs upload_<name>_complete", async (format) => {
    const { s, c } = await open();
    const data = bytes(300_000);
    const [e] = await c.start("docs", [{ name: "report.bin", type: "application/octet-stream", size: data.length }]);
    expect(e).toMatchObject({ valid: true, mode: "volume", chunk_size: 65536, client_name: "report.bin", auto_upload: true });
    const id = e!.entry_id;
    expect(id).toMatch(/^u[A-Za-z0-9_-]{16}$/);
    for (let off = 0; off < data.length; off += 65536) {
      const chunk = data.subarray(off, off + 65536);
      if (format === "json") c.send({ action: "upload_chunk", entry_id: id, chunk_base64: chunk.toString("base64"), offset: off, total: data.length });
      else c.ws.send(binaryChunk(id, chunk));
    }
    const last = await c.waitFor(isProgress(id, data.length), "the last progress");
    expect(last).toEqual({ type: "upload_progress", upload_name: "docs", entry_id: id, client_name: "report.bin", progress: 100, bytes_recv: data.length, bytes_total: data.length });
    c.send({ action: "upload_complete", upload_name: "docs", entry_ids: [id] });
    const ack = await c.waitFor((m) => m["success"] !== undefined && m["upload_name"] === "docs", "the completion ack");
    expect(ack).toEqual({ upload_name: "docs", success: true, entry_ids: [id] });
    const reply = await c.waitFor((m) => (m["meta"] as { action?: string } | undefined)?.action === "upload_docs_complete", "the completion action's reply");
    expect(treeText(reply)).toContain(sha256(data));
    await vi.waitFor(() => expect(s.staged()).toEqual([])); // consumed: the staged copy is gone
    c.close();
  });

  it("sends progress as the percentage changes and shows it in .lvt.Uploads", async () => {
    const { c } = await open();
    const data = bytes(100_000);
    const [e] = await c.start("docs", [{ name: "a.txt", type: "text/plain", size: data.length }]);
    const id = e!.entry_id;
    const push = await c.waitFor((m) => treeText(m).includes("a.txt"), "a render listing the entry");
    expect(treeText(push)).toContain(id);
    c.ws.send(binaryChunk(id, data.subarray(0, 50_000)));
    const p = await c.waitFor((m) => m["type"] === "upload_progress", "progress");
    expect(p).toMatchObject({ progress: 50, bytes_recv: 50_000, bytes_total: 100_000 });
    await c.waitFor((m) => treeText(m).includes('"50"') || treeText(m).includes(">50<") || treeText(m).includes("50"), "a render with 50%");
    c.close();
  });

  it("accepts an empty file and a 1-byte file", async () => {
    const { c } = await open();
    const [a, b] = await c.start("docs", [
      { name: "empty.txt", type: "text/plain", size: 0 },
      { name: "one.txt", type: "text/plain", size: 1 },
    ]);
    c.ws.send(binaryChunk(b!.entry_id, Buffer.from("x")));
    await c.waitFor(isProgress(b!.entry_id, 1), "progress of the 1-byte file");
    c.send({ action: "upload_complete", upload_name: "docs", entry_ids: [a!.entry_id, b!.entry_id] });
    expect(await c.waitFor((m) => m["success"] !== undefined)).toMatchObject({ success: true });
    const reply = await c.waitFor((m) => (m["meta"] as { action?: string } | undefined)?.action === "upload_docs_complete");
    expect(treeText(reply)).toContain(sha256(Buffer.alloc(0)));
    expect(treeText(reply)).toContain(sha256(Buffer.from("x")));
    c.close();
  });

  it("answers entries in the order of the files, invalid ones included", async () => {
    const { c } = await open();
    const entries = await c.start("pics", [
      { name: "a.png", type: "image/png", size: 10 },
      { name: "b.exe", type: "application/x-msdownload", size: 10 },
      { name: "c.png", type: "image/png", size: 5000 },
      { name: "d.png", type: "image/png", size: 10 },
      { name: "e.png", type: "image/png", size: 10 },
    ]);
    expect(entries.map((e) => [e.client_name, e.valid, e.error_code])).toEqual([
      ["a.png", true, undefined],
      ["b.exe", false, "LT_ERR_UPLOAD_TYPE"],
      ["c.png", false, "LT_ERR_UPLOAD_TOO_LARGE"],
      ["d.png", true, undefined],
      ["e.png", false, "LT_ERR_UPLOAD_TOO_MANY"],
    ]);
    const shown = await c.waitFor((m) => treeText(m).includes("LT_ERR_UPLOAD_TOO_MANY"), "the render with the errors");
    expect(treeText(shown)).toContain("b.exe: this type of file is not accepted");
    expect(treeText(shown)).toContain("c.png is larger than 1000 bytes");
    c.close();
  });

  it("completes with success:false when bytes are missing, and keeps the entry", async () => {
    const { c } = await open();
    const [e] = await c.start("docs", [{ name: "a.txt", type: "text/plain", size: 10 }]);
    c.ws.send(binaryChunk(e!.entry_id, Buffer.from("12345")));
    await c.waitFor(isProgress(e!.entry_id, 5));
    c.send({ action: "upload_complete", upload_name: "docs", entry_ids: [e!.entry_id] });
    const ack = await c.waitFor((m) => m["success"] !== undefined);
    expect(ack).toMatchObject({ success: false, error_code: "LT_ERR_UPLOAD_INCOMPLETE", entry_ids: [e!.entry_id] });
    c.ws.send(binaryChunk(e!.entry_id, Buffer.from("67890")));
    await c.waitFor(isProgress(e!.entry_id, 10));
    c.send({ action: "upload_complete", upload_name: "docs", entry_ids: [e!.entry_id] });
    expect(await c.waitFor((m) => m["success"] !== undefined)).toMatchObject({ success: true });
    c.close();
  });

  it("takes 200 MiB in binary frames with the socket paused during disk writes, memory bounded", async () => {
    s = await uploadServer({ uploads: { docs: { maxFileSize: 300 * 1024 * 1024, chunkSize: 256 * 1024 } } });
    const c = await UploadClient.connect(s.wsUrl, await sessionCookie(s.url));
    const size = 200 * 1024 * 1024;
    const [e] = await c.start("docs", [{ name: "huge.bin", type: "", size }]);
    const id = e!.entry_id;
    const block = bytes(256 * 1024);
    const frame = binaryChunk(id, block);
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    // The sender waits while its own queue is above 4 MiB: the server's pause reaches it as TCP back-pressure.
    for (let sent = 0; sent < size; sent += block.length) {
      while (c.ws.bufferedAmount > 4 * 1024 * 1024) await new Promise((r) => setTimeout(r, 2));
      c.ws.send(frame);
    }
    await c.waitFor(isProgress(id, size), "the last byte", 60_000);
    clearInterval(sampler);
    c.send({ action: "upload_complete", upload_name: "docs", entry_ids: [id] });
    expect(await c.waitFor((m) => m["success"] !== undefined, "ack", 30_000)).toMatchObject({ success: true });
    await c.waitFor((m) => (m["meta"] as { action?: string } | undefined)?.action === "upload_docs_complete", "stored", 30_000);
    expect(peak - before).toBeLessThan(100 * 1024 * 1024);
    c.close();
  }, 120_000);
});
