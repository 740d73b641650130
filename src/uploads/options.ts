/**
 * What an application declares about its uploads: one {@link UploadConfig} per upload name (the
 * `lvt-upload="name"` of a file input), and where and how much is staged on disk
 * ({@link UploadStaging}). Defaults are applied here, in one place.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LiveTemplateError } from "../errors.js";
import type { ExternalUpload } from "../protocol/uploads.js";

/** What a `direct` upload's presign function is told about the entry. */
export interface PresignEntry {
  /** The upload name. */
  readonly name: string;
  readonly entryId: string;
  /** The file name the browser gave, sanitised. */
  readonly clientName: string;
  readonly clientType: string;
  readonly size: number;
  readonly userId: string;
  readonly groupId: string;
}

/**
 * Makes the URL a `direct` entry's browser uploads to (a presigned PUT URL of an object store).
 * `uploader` defaults to `"s3"` (the published client's PUT uploader); `headers` are sent with
 * the PUT. A throw (or a result without `url`) fails the entry with `LT_ERR_UPLOAD_PRESIGN`.
 */
export type PresignFn = (entry: PresignEntry) => Partial<ExternalUpload> & { url: string } | Promise<Partial<ExternalUpload> & { url: string }>;

interface CommonConfig {
  /**
   * Accepted files: extensions (`".png"`) and MIME types (`"image/png"`, `"image/*"`), matched
   * case-insensitively against the file's name and its announced type; `"*"` or absent: any file.
   */
  accept?: readonly string[] | "*";
  /** Most files at once for this name (entries not yet consumed). Default 1. */
  maxEntries?: number;
  /** Largest file, bytes. Default 8 MiB. */
  maxFileSize?: number;
  /** Chunk size the client is asked to send, bytes. Default 1 MiB. */
  chunkSize?: number;
  /** Start sending as soon as files are selected (else on the form's submit). Default true. */
  autoUpload?: boolean;
}

/**
 * The options of one upload name. The `mode` says where the bytes go:
 * - `"volume"` (default): chunks over the WebSocket (or one multipart POST) to the staging dir;
 * - `"proxied"`: one multipart POST per file, streamed to the staging dir as it arrives;
 * - `"preview"`: nothing is sent, the server only learns the files' metadata;
 * - `"direct"`: the browser PUTs the file to the URL `presign` returns.
 */
export type UploadConfig =
  | (CommonConfig & { mode?: "volume" | "proxied" | "preview" })
  | (CommonConfig & { mode: "direct"; presign: PresignFn });

/** Where uploads are staged and how much (handler option `uploadStaging`). */
export interface UploadStaging {
  /** Directory of staged files (made when missing). Default: `<os tmpdir>/livetemplate-uploads`. */
  dir?: string;
  /** Most bytes staged at once by this handler, over all groups. Default 1 GiB. */
  quotaBytes?: number;
  /**
   * An entry that is neither finished nor consumed this long after its last activity (bytes,
   * start, completion) is removed with its file (`LT_ERR_UPLOAD_EXPIRED`). Default 15 minutes.
   */
  expiryMs?: number;
}

/** Defaults of the upload options, as documented in docs/uploads.md. */
export const UPLOAD_DEFAULTS = {
  maxEntries: 1,
  maxFileSize: 8 * 1024 * 1024,
  /** Large chunks are cheaper per byte for a browser (one WebSocket message each); the published client always sends 256 KiB. */
  chunkSize: 1024 * 1024,
  quotaBytes: 1024 * 1024 * 1024,
  expiryMs: 15 * 60 * 1000,
  /** Longest client file name kept (characters); longer names are cut, the extension kept. */
  maxClientName: 255,
} as const;

/** One upload name's options with defaults applied. */
export interface ResolvedUpload {
  readonly name: string;
  readonly accept: readonly string[] | undefined;
  readonly maxEntries: number;
  readonly maxFileSize: number;
  readonly chunkSize: number;
  readonly autoUpload: boolean;
  readonly mode: { readonly kind: "volume" | "proxied" | "preview" } | { readonly kind: "direct"; readonly presign: PresignFn };
}

/** Staging with defaults applied. */
export interface ResolvedStaging {
  readonly dir: string;
  readonly quotaBytes: number;
  readonly expiryMs: number;
}

const NAME = /^[A-Za-z0-9_-]{1,100}$/;

/** Checks and completes the `uploads` option; throws `LT_ERR_UPLOAD_UNKNOWN` on a bad name or value. */
export function resolveUploads(uploads: Readonly<Record<string, UploadConfig>> | undefined): ReadonlyMap<string, ResolvedUpload> {
  const out = new Map<string, ResolvedUpload>();
  for (const [name, c] of Object.entries(uploads ?? {})) {
    if (!NAME.test(name)) throw new LiveTemplateError("LT_ERR_UPLOAD_UNKNOWN", `upload name ${JSON.stringify(name)} must be 1-100 letters, digits, "_" or "-"`);
    const positive = (v: number | undefined, d: number, what: string): number => {
      if (v === undefined) return d;
      if (!Number.isSafeInteger(v) || v <= 0) throw new LiveTemplateError("LT_ERR_UPLOAD_UNKNOWN", `upload "${name}": ${what} must be a positive integer`);
      return v;
    };
    const mode = c.mode === "direct" ? { kind: "direct" as const, presign: c.presign } : { kind: c.mode ?? ("volume" as const) };
    if (mode.kind === "direct" && typeof (mode as { presign?: unknown }).presign !== "function") {
      throw new LiveTemplateError("LT_ERR_UPLOAD_UNKNOWN", `upload "${name}": mode "direct" needs a presign function`);
    }
    if (!["volume", "proxied", "preview", "direct"].includes(mode.kind)) throw new LiveTemplateError("LT_ERR_UPLOAD_UNKNOWN", `upload "${name}": unknown mode ${JSON.stringify(mode.kind)}`);
    const accept = c.accept === undefined || c.accept === "*" || c.accept.includes("*") ? undefined : c.accept.map((a) => a.trim().toLowerCase()).filter((a) => a !== "");
    out.set(name, {
      name,
      accept,
      maxEntries: positive(c.maxEntries, UPLOAD_DEFAULTS.maxEntries, "maxEntries"),
      maxFileSize: positive(c.maxFileSize, UPLOAD_DEFAULTS.maxFileSize, "maxFileSize"),
      chunkSize: positive(c.chunkSize, UPLOAD_DEFAULTS.chunkSize, "chunkSize"),
      autoUpload: c.autoUpload ?? true,
      mode,
    });
  }
  return out;
}

/** Staging options with defaults. */
export function resolveStaging(s: UploadStaging | undefined): ResolvedStaging {
  return {
    dir: s?.dir ?? join(tmpdir(), "livetemplate-uploads"),
    quotaBytes: s?.quotaBytes ?? UPLOAD_DEFAULTS.quotaBytes,
    expiryMs: s?.expiryMs ?? UPLOAD_DEFAULTS.expiryMs,
  };
}
