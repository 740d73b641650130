/**
 * Moving an entry's bytes: binary chunk frames over the open WebSocket, with back-pressure, or
 * one multipart POST when there is no socket; a `direct` entry goes to its presigned URL. Entries
 * go out one after another, so a socket carries one file's frames at a time and the client's
 * progress figure (bytes handed to the socket minus what it still buffers) is that file's.
 */
import { binaryChunk, completeAction, UPLOAD_CANCEL, UPLOAD_COMPLETE } from "../../protocol/uploads.js";
import { FORM_ACTION_FIELD } from "../../protocol/wire.js";
import { advance, ended, entries, pending, settle, unanswered } from "./entries.js";
import type { Entry } from "./entries.js";

/** The socket's buffer is kept below this many bytes (or four chunks, if more): a file is read as it is sent. */
const HIGH_WATER = 4 << 20;
/** How often a sender waiting for the socket's buffer to drain looks again (ms). */
const POLL_MS = 4;
export const LOST = "connection lost";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** One entry at a time goes out (see the file comment). */
let queue: Promise<void> = Promise.resolve();
const watched = new WeakSet<WebSocket>();

/** Starts moving `e`'s bytes the way its mode says. */
export function dispatch(e: Entry): void {
  if (e.state !== "waiting") return;
  e.state = "sending";
  if (e.mode === "preview") return settle(e, "done");
  if (e.mode === "direct") return void direct(e);
  // A proxied entry always travels as a multipart POST; a volume entry when it was announced over
  // HTTP or the socket is down.
  queue = queue.then(() => (e.mode !== "proxied" && !e.http && e.host.sock() ? stream(e) : multipart(e)));
}

/** Stops sending `e` and tells the server (the published `cancel_upload`) unless `quiet`. */
export function cancel(e: Entry, quiet: boolean): void {
  if (ended(e)) return;
  const ws = e.host.sock();
  settle(e, "cancelled");
  if (!quiet) ws?.send(JSON.stringify({ action: UPLOAD_CANCEL, entry_id: e.id }));
}

/**
 * Once `ws` closes, fails every selection and entry that belongs to it and is not complete:
 * announced over it (the server drops such entries with the connection) or streaming over it.
 */
export function watch(ws: WebSocket): void {
  if (watched.has(ws)) return;
  watched.add(ws);
  ws.addEventListener("close", () => {
    for (const sel of pending.filter((s) => s.ws === ws)) unanswered(sel, LOST);
    for (const e of entries.values()) if (e.ws === ws) settle(e, "error", LOST);
  });
}

/**
 * Sends `e` as binary frames (`0x01`, id length, id, bytes), each a Blob of the frame header and
 * a slice of the file, so the browser reads the file as the socket drains it; the next frame
 * goes only while the socket buffers less than the high-water mark. Then `upload_complete`.
 */
async function stream(e: Entry): Promise<void> {
  const ws = e.host.sock();
  if (!ws) return multipart(e);
  e.ws = ws;
  watch(ws);
  const head = binaryChunk(e.id, new Uint8Array(0));
  const size = e.file.size;
  const high = Math.max(HIGH_WATER, 4 * e.chunk);
  let sent = 0;
  while (sent < size) {
    while (ws.bufferedAmount > high && ws.readyState === WebSocket.OPEN && !ended(e)) {
      await sleep(POLL_MS);
      advance(e, sent - ws.bufferedAmount);
    }
    if (ended(e)) return;
    if (ws.readyState !== WebSocket.OPEN) return settle(e, "error", LOST);
    const end = Math.min(size, sent + e.chunk);
    ws.send(new Blob([head as BlobPart, e.file.slice(sent, end)]));
    sent = end;
    advance(e, sent - ws.bufferedAmount);
  }
  ws.send(JSON.stringify({ action: UPLOAD_COMPLETE, upload_name: e.name, entry_ids: [e.id] }));
  if (e.state === "sending") e.state = "sent";
  // Progress until the last byte has left; the server's acknowledgement finishes the entry.
  while (ws.bufferedAmount > 0 && ws.readyState === WebSocket.OPEN && e.state === "sent") {
    await sleep(POLL_MS * 4);
    advance(e, size - ws.bufferedAmount);
  }
}

/** The fields of the source's form marked `lvt-upload-with`, read now (the freshest values). */
function withFields(e: Entry, fd: FormData): void {
  const form = e.src instanceof HTMLInputElement ? e.src.form : e.src.closest("form");
  if (!form) return;
  const marked = new Set(Array.from(form.elements, (el) => (el.hasAttribute("lvt-upload-with") ? (el as HTMLInputElement).name : "")));
  for (const [k, v] of new FormData(form)) if (k && marked.has(k) && k !== FORM_ACTION_FIELD && typeof v === "string") fd.append(k, v);
}

/**
 * Sends `e` as one multipart POST to the live URL, as a no-JS form would: `lvt-action` naming
 * `upload_<name>_complete`, the `lvt-upload-with` fields, then the file under the upload's name.
 * The reply (a tree) is applied by the client; its errors fail the entry. A fetch reports no
 * upload progress: the entry goes from 0 to done.
 */
async function multipart(e: Entry): Promise<void> {
  if (ended(e)) return;
  const fd = new FormData();
  fd.set(FORM_ACTION_FIELD, completeAction(e.name));
  withFields(e, fd);
  fd.set(e.name, e.file, e.file.name);
  try {
    const reply = await e.host.upload(fd, "proxied");
    const errors = reply.meta?.errors ?? {};
    const first = Object.values(errors)[0] ?? (reply.type === "error" ? String(reply.message) : undefined);
    if (reply.meta?.success === false || first !== undefined) settle(e, "error", first ?? "upload failed");
    else settle(e, "done");
  } catch (err) {
    settle(e, "error", err instanceof Error && err.message !== "unreachable" ? err.message : LOST);
  }
}

/**
 * A `direct` entry: a PUT of the file to the presigned URL the server gave (with its headers),
 * with upload progress, then the completion: `upload_complete` with the entry id over the socket
 * the entry was announced on; announced over HTTP, the server kept nothing, so the completion is
 * a POST (`X-Lvt-Upload: complete`) that describes the file and where it went.
 */
function direct(e: Entry): Promise<void> {
  const x = e.external;
  if (!x) {
    settle(e, "error", "direct upload without a presigned URL");
    return Promise.resolve();
  }
  return new Promise((done) => {
    const req = new XMLHttpRequest();
    req.open("PUT", x.url);
    for (const [k, v] of Object.entries(x.headers ?? {})) req.setRequestHeader(k, v);
    req.upload.onprogress = (p) => advance(e, p.loaded);
    req.onloadend = () => {
      done();
      if (ended(e)) return;
      if (req.status < 200 || req.status >= 300) return settle(e, "error", `upload to storage failed (${req.status || "network error"})`);
      e.state = "sent";
      if (!e.http) return void e.ws?.send(JSON.stringify({ action: UPLOAD_COMPLETE, upload_name: e.name, entry_ids: [e.id] }));
      const meta = { client_name: e.file.name, type: e.file.type, size: e.file.size, ref: x.url };
      e.host.upload({ action: UPLOAD_COMPLETE, upload_name: e.name, entries: [meta] }, "complete").then(
        (r) => (r.meta?.success === false || r.type === "error" ? settle(e, "error", String(r.message ?? Object.values(r.meta?.errors ?? {})[0] ?? "upload failed")) : settle(e, "done")),
        () => settle(e, "error", LOST),
      );
    };
    req.send(e.file);
  });
}
