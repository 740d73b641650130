/**
 * File uploads: a chunk of its own, loaded by the core on pages whose HTML has an `lvt-upload*`
 * attribute (docs/client.md, "Uploads"). It speaks the published client's upload messages
 * (`upload_start`, `upload_complete`, `cancel_upload`, the server's `upload_progress`), except
 * that bytes travel as binary WebSocket frames (`transfer.ts`).
 *
 * Markup it reads, all delegated from `document` so that patched-in elements need no binding:
 * - `<input type="file" lvt-upload="name">`: a selection starts an upload of every file;
 * - `lvt-upload-zone="name"`: files dropped on it start an upload (class `lvt-upload-dragover`
 *   while files are dragged over it);
 * - `lvt-upload-cancel="<entry id>"`: a click cancels that entry (and a click on an element whose
 *   `lvt-click` is `cancel_upload`, with `data-entry-id`, stops it here while the core sends the action);
 * - `data-lvt-upload-preview="<name or entry id>"`, `data-lvt-upload-entry="<entry id>"`: see `entries.ts`;
 * - `lvt-upload-with` on form fields: sent along with a multipart upload.
 */
import { UPLOAD_PROGRESS, UPLOAD_START, UPLOAD_CANCEL, UPLOAD_ERROR } from "../../protocol/uploads.js";
import type { UploadCompleteReply, UploadEntryWire, UploadErrorMessage, UploadMode, UploadProgressMessage, UploadStartReply } from "../../protocol/uploads.js";
import { ATTR_WRAPPER_ID } from "../../protocol/wire.js";
import { defineChunk } from "../chunk-define.js";
import type { UploadChunk, UploadHost } from "./api.js";
import { advance, entries, forget, pending, preview, reflect, revokeAll, settle, sweep, unanswered } from "./entries.js";
import type { Entry, Selection } from "./entries.js";
import { cancel, dispatch, watch } from "./transfer.js";

const DEFAULT_CHUNK = 256 * 1024;
const OVER = "lvt-upload-dragover";
const hosts = new Map<Element, UploadHost>();

const hostOf = (el: Element): UploadHost | undefined => {
  const w = el.closest(`[${ATTR_WRAPPER_ID}]`);
  return w ? hosts.get(w) : undefined;
};

/** Asks the server about a selection (`upload_start`), over the socket or, without one, over HTTP. */
function select(host: UploadHost, name: string, files: File[], src: Element): void {
  if (files.length === 0) return;
  forget(host, name);
  const image = files.find((f) => f.type.startsWith("image/"));
  if (image) preview(name, image, false);
  const ws = host.sock() ?? undefined;
  const sel: Selection = { host, name, files, src, ws };
  pending.push(sel);
  reflect(host);
  const msg = { action: UPLOAD_START, upload_name: name, files: files.map((f) => ({ name: f.name, type: f.type || "application/octet-stream", size: f.size })) };
  if (ws) {
    // A socket that closes before the answer fails the selection (see `watch`).
    watch(ws);
    return ws.send(JSON.stringify(msg));
  }
  // The answer comes back through `receive`; any other outcome fails every file of the selection.
  host.upload(msg, "start").then(
    (r) => unanswered(sel, typeof r.message === "string" ? r.message : "the server did not accept the upload"),
    () => unanswered(sel, "the server is unreachable"),
  );
}

/** The server's answer to `upload_start`: one entry per file, in order. */
function answered(host: UploadHost, name: string, infos: UploadEntryWire[]): void {
  const sel = pending.find((s) => s.host === host && s.name === name);
  if (!sel) return;
  pending.splice(pending.indexOf(sel), 1);
  const byIndex = infos.length === sel.files.length;
  infos.forEach((info, i) => {
    const file = byIndex ? sel.files[i] : sel.files.find((f) => f.name === info.client_name);
    if (!file) return;
    const mode: UploadMode = info.mode ?? (info.external ? "direct" : "volume");
    const e: Entry = { id: info.entry_id, name, file, host, src: sel.src, mode, chunk: info.chunk_size > 0 ? info.chunk_size : DEFAULT_CHUNK, external: info.external, http: !sel.ws, state: "waiting", loaded: 0, ws: sel.ws };
    entries.set(e.id, e);
    preview(e.id, file, mode === "preview");
    if (mode === "preview") preview(name, file, true);
    if (!info.valid) settle(e, "error", info.error ?? "invalid file");
    else if (info.auto_upload) dispatch(e);
  });
  reflect(host);
}

/** Any upload message, its fields as the wire names them (`protocol/uploads.ts`), each maybe missing. */
type AnyUploadMessage = Partial<Omit<UploadStartReply & UploadProgressMessage & UploadErrorMessage & UploadCompleteReply, "type">> & { type?: string };

/** A server message with `upload_name`: an answer to `upload_start`, progress, an error or an acknowledgement. */
function receive(raw: Record<string, unknown>, host: UploadHost): void {
  const msg = raw as AnyUploadMessage;
  const name = String(msg.upload_name);
  const e = entries.get(String(msg.entry_id));
  if (Array.isArray(msg.entries)) return answered(host, name, msg.entries);
  if (msg.type === UPLOAD_PROGRESS) {
    // Only the acknowledgement of upload_complete finishes an entry (the store code ran).
    if (e) advance(e, Number(msg.bytes_recv));
    return;
  }
  if (msg.type === UPLOAD_ERROR) {
    if (e) settle(e, "error", String(msg.message ?? "upload failed"));
    return;
  }
  if (msg.success === undefined) return;
  // Without entry_ids (another server), the acknowledgement is for every entry of the name that is all sent.
  const ids = Array.isArray(msg.entry_ids) ? msg.entry_ids : Array.from(entries.values(), (x) => (x.name === name && x.host === host && x.state === "sent" ? x.id : ""));
  for (const id of ids) {
    const x = entries.get(id);
    if (x) settle(x, msg.success ? "done" : "error", msg.success ? undefined : String(msg.error ?? "upload failed"));
  }
}

/** The upload name of a drag's zone, when the drag carries files and the zone is live. */
function zoneOf(ev: DragEvent): Element | null {
  const zone = ev.target instanceof Element ? ev.target.closest("[lvt-upload-zone]") : null;
  return zone && hostOf(zone) && ev.dataTransfer?.types.includes("Files") ? zone : null;
}

function onDrag(ev: Event): void {
  const d = ev as DragEvent;
  const zone = zoneOf(d);
  if (!zone) return;
  d.preventDefault();
  if (d.type === "dragleave") {
    // Leaving for a child of the zone is not leaving the zone.
    if (!(d.relatedTarget instanceof Node && zone.contains(d.relatedTarget))) zone.classList.remove(OVER);
    return;
  }
  zone.classList.toggle(OVER, d.type !== "drop");
  if (d.type === "drop") select(hostOf(zone)!, zone.getAttribute("lvt-upload-zone")!, Array.from(d.dataTransfer?.files ?? []), zone);
}

function onChange(ev: Event): void {
  const t = ev.target;
  if (!(t instanceof HTMLInputElement) || t.type !== "file" || !t.hasAttribute("lvt-upload")) return;
  const host = hostOf(t);
  if (host) select(host, t.getAttribute("lvt-upload")!, Array.from(t.files ?? []), t);
}

/**
 * A click on `lvt-upload-cancel="<id>"` cancels the entry and sends `cancel_upload`; on an element
 * whose `lvt-click` is `cancel_upload` (with `data-entry-id`) the core sends the action, so the
 * entry only stops here. An element may carry both; the action is then sent once, by the core.
 */
function onClick(ev: Event): void {
  const t = ev.target instanceof Element ? ev.target : null;
  const own = t?.closest("[lvt-upload-cancel]");
  const act = t?.closest(`[lvt-click="${UPLOAD_CANCEL}"], [lvt-on\\:click="${UPLOAD_CANCEL}"]`);
  const e = entries.get((own ? own.getAttribute("lvt-upload-cancel") : act?.getAttribute("data-entry-id")) ?? "");
  if (e) cancel(e, !!act && (!own || act === own));
}

/** A form submit starts its uploads that wait for one (`auto_upload` false). */
function onSubmit(ev: Event): void {
  const form = ev.target instanceof HTMLFormElement ? ev.target : null;
  if (!form) return;
  const names = Array.from(form.querySelectorAll("[lvt-upload]"), (el) => el.getAttribute("lvt-upload"));
  for (const e of entries.values()) if (e.state === "waiting" && names.includes(e.name) && form.contains(e.src)) dispatch(e);
}

let started = false;
function start(): void {
  if (started) return;
  started = true;
  for (const t of ["dragenter", "dragover", "dragleave", "drop"]) document.addEventListener(t, onDrag);
  document.addEventListener("change", onChange);
  document.addEventListener("click", onClick, true);
  document.addEventListener("submit", onSubmit, true);
  addEventListener("pagehide", revokeAll);
}

const chunk: UploadChunk = {
  scan(host) {
    start();
    hosts.set(host.wrapper, host);
    reflect(host);
    sweep(host);
  },
  receive,
};

defineChunk("upload", chunk);
