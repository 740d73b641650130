/**
 * The upload messages of the wire protocol (PROTOCOL.md §8, as the published client 0.25 speaks
 * them), plus the binary chunk frame our own client sends. Client messages are checked here into
 * typed values; server messages are built here. Imports nothing at run time, so the client bundle
 * may include it.
 */

/** Client actions of the upload protocol (top-level fields, no `data`). */
export const UPLOAD_START = "upload_start";
export const UPLOAD_CHUNK = "upload_chunk";
export const UPLOAD_COMPLETE = "upload_complete";
export const UPLOAD_CANCEL = "cancel_upload";
/** `type` of the progress message the server sends after chunks. */
export const UPLOAD_PROGRESS = "upload_progress";
/** `type` of the message telling the uploading client that one entry failed while bytes arrived (our addition). */
export const UPLOAD_ERROR = "upload_error";
/**
 * Request header of the published client's HTTP upload requests: `start` (a JSON upload_start
 * while the socket is down), `complete` (a direct upload's completion over HTTP), `proxied` (a
 * multipart POST of one file).
 */
export const HEADER_UPLOAD = "X-Lvt-Upload";
/** First byte of a binary chunk frame: `0x01`, uint16 BE id length, the UTF-8 entry id, the bytes. */
export const BINARY_CHUNK = 0x01;
/** The action a completed upload runs on the store: `upload_<name>_complete`. */
export function completeAction(name: string): string {
  return `upload_${name}_complete`;
}

/** The modes an upload name can have (the client picks its transport from the entry's `mode`). */
export type UploadMode = "volume" | "direct" | "proxied" | "preview";

/** One file announced by `upload_start`. */
export interface FileMeta {
  readonly name: string;
  readonly type: string;
  readonly size: number;
}

/** Where a `direct` entry is sent by the browser (`external` of its entry). */
export interface ExternalUpload {
  uploader: string;
  url: string;
  fields?: Record<string, string>;
  headers?: Record<string, string>;
}

/** One entry of the answer to `upload_start`, in the order of the files. */
export interface UploadEntryWire {
  entry_id: string;
  client_name: string;
  valid: boolean;
  error?: string;
  /** Our addition: the `LT_ERR_UPLOAD_*` code of `error`. */
  error_code?: string;
  auto_upload: boolean;
  mode: UploadMode;
  /** Our addition: the chunk size this upload asks for, bytes. */
  chunk_size: number;
  external?: ExternalUpload;
}

/** The answer to `upload_start`. */
export interface UploadStartReply {
  upload_name: string;
  entries: UploadEntryWire[];
}

/** Sent after chunks: how far an entry got. */
export interface UploadProgressMessage {
  type: typeof UPLOAD_PROGRESS;
  upload_name: string;
  entry_id: string;
  client_name: string;
  progress: number;
  bytes_recv: number;
  bytes_total: number;
}

/** Our addition: an entry failed while its bytes arrived (too large, quota, disk). */
export interface UploadErrorMessage {
  type: typeof UPLOAD_ERROR;
  upload_name: string;
  entry_id: string;
  code: string;
  message: string;
}

/** The answer to `upload_complete`; `entry_ids` is our addition. */
export interface UploadCompleteReply {
  upload_name: string;
  success: boolean;
  error?: string;
  error_code?: string;
  entry_ids: string[];
}

/** The answer to `cancel_upload`. */
export interface CancelUploadReply {
  entry_id: string;
  success: boolean;
}

/** Every upload message a server sends. */
export type UploadServerMessage = UploadStartReply | UploadProgressMessage | UploadErrorMessage | UploadCompleteReply | CancelUploadReply;

/** One entry of a direct upload completed over HTTP (the socket was down). */
export interface CompletedMeta {
  readonly client_name: string;
  readonly type: string;
  readonly size: number;
  readonly ref: string;
}

/** A checked upload message from a client. */
export type UploadClientMessage =
  | { readonly kind: "start"; readonly name: string; readonly files: readonly FileMeta[] }
  | { readonly kind: "chunk"; readonly entryId: string; readonly bytes: Uint8Array; readonly offset: number | undefined }
  | { readonly kind: "complete"; readonly name: string; readonly entryIds: readonly string[] }
  | { readonly kind: "completeHttp"; readonly name: string; readonly entries: readonly CompletedMeta[] }
  | { readonly kind: "cancel"; readonly entryId: string };

/** Most files one `upload_start` may announce (a message with more is malformed). */
export const MAX_FILES_PER_START = 1000;
/** Longest upload name and entry id accepted. */
export const MAX_UPLOAD_NAME = 100;
export const MAX_ENTRY_ID = 100;

/** True when `action` is one of the upload actions. */
export function isUploadAction(action: unknown): boolean {
  return action === UPLOAD_START || action === UPLOAD_CHUNK || action === UPLOAD_COMPLETE || action === UPLOAD_CANCEL;
}

/**
 * Checks an upload message (already parsed JSON with an upload `action`); returns a problem
 * description on failure. `decode` turns base64 into bytes (the server passes Buffer's, which
 * this file cannot import).
 */
export function parseUploadMessage(m: Record<string, unknown>, decode: (b64: string) => Uint8Array | undefined): UploadClientMessage | string {
  const str = (v: unknown, max: number): v is string => typeof v === "string" && v !== "" && v.length <= max;
  switch (m["action"]) {
    case UPLOAD_START: {
      const name = m["upload_name"];
      const files = m["files"];
      if (!str(name, MAX_UPLOAD_NAME)) return "upload_start needs an upload_name";
      if (!Array.isArray(files) || files.length === 0) return "upload_start needs a non-empty files list";
      if (files.length > MAX_FILES_PER_START) return `upload_start announces more than ${MAX_FILES_PER_START} files`;
      const out: FileMeta[] = [];
      for (const [i, f] of files.entries()) {
        if (typeof f !== "object" || f === null) return `files[${i}] is not an object`;
        const r = f as Record<string, unknown>;
        const size = r["size"];
        if (typeof r["name"] !== "string") return `files[${i}] lacks a name`;
        if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) return `files[${i}] has no valid size`;
        out.push({ name: r["name"], type: typeof r["type"] === "string" ? r["type"] : "", size });
      }
      return { kind: "start", name, files: out };
    }
    case UPLOAD_CHUNK: {
      const id = m["entry_id"];
      const b64 = m["chunk_base64"];
      const offset = m["offset"];
      if (!str(id, MAX_ENTRY_ID)) return "upload_chunk needs an entry_id";
      if (typeof b64 !== "string") return "upload_chunk needs chunk_base64";
      if (offset !== undefined && (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0)) return "upload_chunk has a bad offset";
      const bytes = decode(b64);
      if (bytes === undefined) return "upload_chunk: chunk_base64 is not base64";
      return { kind: "chunk", entryId: id, bytes, offset: offset as number | undefined };
    }
    case UPLOAD_COMPLETE: {
      const name = m["upload_name"];
      if (!str(name, MAX_UPLOAD_NAME)) return "upload_complete needs an upload_name";
      const ids = m["entry_ids"];
      if (Array.isArray(ids)) {
        if (ids.length === 0 || ids.length > MAX_FILES_PER_START || !ids.every((x) => str(x, MAX_ENTRY_ID))) return "upload_complete: entry_ids must be a non-empty list of ids";
        return { kind: "complete", name, entryIds: ids as string[] };
      }
      const entries = m["entries"];
      if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_FILES_PER_START) return "upload_complete needs entry_ids or entries";
      const out: CompletedMeta[] = [];
      for (const [i, e] of entries.entries()) {
        const r = (typeof e === "object" && e !== null ? e : {}) as Record<string, unknown>;
        const size = r["size"];
        if (typeof r["client_name"] !== "string" || typeof r["ref"] !== "string") return `entries[${i}] needs client_name and ref`;
        if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) return `entries[${i}] has no valid size`;
        out.push({ client_name: r["client_name"], type: typeof r["type"] === "string" ? r["type"] : "", size, ref: r["ref"] });
      }
      return { kind: "completeHttp", name, entries: out };
    }
    case UPLOAD_CANCEL: {
      // The published shape has a top-level entry_id; a `lvt-on:click="cancel_upload"` button
      // sends its `data-entry-id` attribute in `data`.
      const data = typeof m["data"] === "object" && m["data"] !== null ? (m["data"] as Record<string, unknown>) : {};
      const id = m["entry_id"] ?? data["entry_id"] ?? data["entry-id"] ?? data["entryId"];
      if (!str(id, MAX_ENTRY_ID)) return "cancel_upload needs an entry_id";
      return { kind: "cancel", entryId: id };
    }
    default:
      return "not an upload message";
  }
}

/**
 * Splits a binary chunk frame; returns a problem description when it is not one. The entry id
 * must be 1 to {@link MAX_ENTRY_ID} bytes of UTF-8.
 */
export function parseBinaryChunk(frame: Uint8Array): { entryId: string; bytes: Uint8Array } | string {
  if (frame.length < 3) return "binary frame too short";
  if (frame[0] !== BINARY_CHUNK) return `binary frame of unknown kind ${frame[0]}`;
  const len = (frame[1]! << 8) | frame[2]!;
  if (len === 0 || len > MAX_ENTRY_ID) return "binary frame entry id length out of range";
  if (frame.length < 3 + len) return "binary frame cut inside its entry id";
  let entryId: string;
  try {
    entryId = new TextDecoder("utf-8", { fatal: true }).decode(frame.subarray(3, 3 + len));
  } catch {
    return "binary frame entry id is not UTF-8";
  }
  return { entryId, bytes: frame.subarray(3 + len) };
}

/** Builds a binary chunk frame (what our client sends; tests use it too). */
export function binaryChunk(entryId: string, bytes: Uint8Array): Uint8Array {
  const id = new TextEncoder().encode(entryId);
  const out = new Uint8Array(3 + id.length + bytes.length);
  out[0] = BINARY_CHUNK;
  out[1] = id.length >> 8;
  out[2] = id.length & 0xff;
  out.set(id, 3);
  out.set(bytes, 3 + id.length);
  return out;
}
