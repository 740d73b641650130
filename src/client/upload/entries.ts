/**
 * The upload chunk's state: every entry the server has answered for (and the selections waiting
 * for that answer), and how an entry's state shows on the page: the events on the element the
 * files came from, `--lvt-upload-progress` and `data-lvt-upload-state` on the elements that name
 * the entry or its upload, and image previews. What is set on elements the server renders is put
 * back after every patch ({@link reflect}), since a patch rewrites their attributes.
 */
import type { UploadEntryWire, UploadMode } from "../../protocol/uploads.js";
import type { UploadHost } from "./api.js";

/** Where an entry is: waiting for a form submit, bytes going out, all sent, or ended. */
export type EntryState = "waiting" | "sending" | "sent" | "done" | "error" | "cancelled";

/** One file the server has answered for. */
export interface Entry {
  readonly id: string;
  readonly name: string;
  readonly file: File;
  readonly host: UploadHost;
  /** The element the file came from: the input, or the zone it was dropped on. */
  readonly src: Element;
  readonly mode: UploadMode;
  readonly chunk: number;
  readonly external: UploadEntryWire["external"];
  /** Announced over HTTP: the server kept no entry, so the file goes as a multipart POST. */
  readonly http: boolean;
  state: EntryState;
  /** Bytes that have left the browser (or that the server confirmed, whichever is more). */
  loaded: number;
  error?: string;
  /** The socket it was announced or sent over (a drop of that socket fails the entry). */
  ws?: WebSocket | undefined;
}

/** A selection waiting for the server's answer to its `upload_start`. */
export interface Selection {
  readonly host: UploadHost;
  readonly name: string;
  readonly files: File[];
  readonly src: Element;
  /** The socket `upload_start` went over; undefined when it was an HTTP request. */
  readonly ws: WebSocket | undefined;
}

export const entries = new Map<string, Entry>();
/** Selections waiting for their answer, oldest first. */
export const pending: Selection[] = [];

/** Gives up on a selection that will get no answer: one `lvt:upload-error` per file (no entry id). */
export function unanswered(sel: Selection, error: string): void {
  const i = pending.indexOf(sel);
  if (i < 0) return;
  pending.splice(i, 1);
  for (const file of sel.files) sel.src.dispatchEvent(new CustomEvent("lvt:upload-error", { bubbles: true, detail: { name: sel.name, file, state: "error", error } }));
}
/** Object URLs of image previews, by entry id or (the latest selection) by upload name. */
const previews = new Map<string, string>();

const ENDED: EntryState[] = ["done", "error", "cancelled"];
export const ended = (e: Entry): boolean => ENDED.includes(e.state);

/** Elements of `root` whose attribute `attr` is `value`. */
function named(root: ParentNode, attr: string, value: string): Element[] {
  return Array.from(root.querySelectorAll(`[${attr}="${CSS.escape(value)}"]`));
}

/** The fraction of `e` done, 0 to 1. */
const fraction = (e: Entry): number => (e.state === "done" ? 1 : e.file.size ? Math.min(1, e.loaded / e.file.size) : 0);

/** The entries of upload `name` of `host`'s latest selections that have not been forgotten. */
function ofName(host: UploadHost, name: string): Entry[] {
  return Array.from(entries.values()).filter((e) => e.host === host && e.name === name);
}

/** The combined state of several entries: in flight while any is, else error if any failed. */
function overall(list: Entry[]): EntryState | null {
  if (list.length === 0) return null;
  for (const s of ["sending", "sent", "waiting", "error", "cancelled"] as const) if (list.some((e) => e.state === s)) return s;
  return "done";
}

function show(el: Element, state: EntryState | null, progress: number): void {
  if (state === null) return;
  (el as HTMLElement).style?.setProperty("--lvt-upload-progress", String(progress));
  el.setAttribute("data-lvt-upload-state", state);
}

/**
 * Puts every entry's state on the page: `--lvt-upload-progress` (0 to 1) and
 * `data-lvt-upload-state` on `[data-lvt-upload-entry=<id>]`, and the combined figures of an upload
 * name on its inputs (`lvt-upload`) and zones (`lvt-upload-zone`); preview URLs into their
 * `data-lvt-upload-preview` placeholders. Called after every change and every patch.
 */
export function reflect(host: UploadHost): void {
  const root = host.wrapper;
  const names = new Set<string>();
  for (const e of entries.values()) {
    if (e.host !== host) continue;
    names.add(e.name);
    for (const el of named(root, "data-lvt-upload-entry", e.id)) show(el, e.state, fraction(e));
  }
  for (const name of names) {
    const list = ofName(host, name).filter((e) => e.state !== "cancelled");
    const size = list.reduce((n, e) => n + e.file.size, 0);
    const done = list.reduce((n, e) => n + fraction(e) * e.file.size, 0);
    const p = size ? done / size : list.every((e) => e.state === "done") ? 1 : 0;
    for (const attr of ["lvt-upload", "lvt-upload-zone"]) for (const el of named(root, attr, name)) show(el, overall(list), p);
  }
  for (const el of Array.from(root.querySelectorAll("[data-lvt-upload-preview]"))) {
    const url = previews.get(el.getAttribute("data-lvt-upload-preview")!);
    if (url !== undefined && el.getAttribute("src") !== url) el.setAttribute("src", url);
  }
}

/** Dispatches `lvt:upload-<what>` on the element the entry's file came from (bubbling). */
export function emit(e: Entry, what: string): void {
  const detail = { name: e.name, id: e.id, file: e.file, state: e.state, loaded: e.loaded, total: e.file.size, progress: Math.round(fraction(e) * 100), error: e.error };
  // The source may have been patched away; the wrapper still hears it.
  (e.src.isConnected ? e.src : e.host.wrapper).dispatchEvent(new CustomEvent("lvt:upload-" + what, { bubbles: true, detail }));
}

/** Moves `e` to `state` (an ended entry stays ended), reports it, and shows it. */
export function settle(e: Entry, state: EntryState, error?: string): void {
  if (ended(e)) return;
  e.state = state;
  if (error !== undefined) e.error = error;
  if (state === "done") e.loaded = e.file.size;
  emit(e, state === "done" ? "complete" : state === "error" ? "error" : state === "cancelled" ? "cancel" : "progress");
  if (state === "error" || state === "cancelled") unpreview(e.id);
  if (state === "done" && ofName(e.host, e.name).every(ended)) {
    // All of the selection has arrived: the input may pick the same file again.
    for (const el of named(e.host.wrapper, "lvt-upload", e.name)) if (el instanceof HTMLInputElement) el.value = "";
  }
  reflect(e.host);
  sweep(e.host);
}

/** Reports how far `e` got (`loaded` bytes). */
export function advance(e: Entry, loaded: number): void {
  if (ended(e) || loaded <= e.loaded) return;
  e.loaded = Math.min(loaded, e.file.size);
  emit(e, "progress");
  reflect(e.host);
}

/** Gives `key` (an entry id or an upload name) an object URL of `file`, shown in its placeholders. */
export function preview(key: string, file: File, always: boolean): void {
  if (!always && !file.type.startsWith("image/")) return;
  unpreview(key);
  previews.set(key, URL.createObjectURL(file));
}

/** Revokes the object URL of `key`, if any. */
export function unpreview(key: string): void {
  const url = previews.get(key);
  if (url === undefined) return;
  URL.revokeObjectURL(url);
  previews.delete(key);
}

/**
 * Revokes the preview URLs of finished entries that no placeholder shows any more (the server
 * stopped rendering `data-lvt-upload-preview="<id>"`, or never did). Called after every patch.
 */
export function sweep(host: UploadHost): void {
  for (const e of entries.values()) {
    if (e.host === host && e.state === "done" && !named(host.wrapper, "data-lvt-upload-preview", e.id).length) unpreview(e.id);
  }
}

/** Forgets the entries of `host`'s upload `name` (a new selection replaces them). */
export function forget(host: UploadHost, name: string): void {
  for (const e of ofName(host, name)) {
    if (!ended(e)) continue;
    unpreview(e.id);
    entries.delete(e.id);
  }
}

/** Revokes every object URL (the page is going away). */
export function revokeAll(): void {
  for (const key of Array.from(previews.keys())) unpreview(key);
}
