/**
 * One upload entry (one file of one selection): what the client announced, how many bytes have
 * arrived, its errors, and its staged file. Store code sees it as an {@link UploadEntry}; the
 * template as an {@link UploadEntryView} (Go-style capitalised names, like the rest of `.lvt`).
 */
import { createReadStream, type ReadStream } from "node:fs";
import type { ErrorCode } from "../errors.js";
import type { ExternalUpload, UploadMode } from "../protocol/uploads.js";
import type { ResolvedUpload } from "./options.js";
import type { StagedFile } from "./staging.js";

/** The `LT_ERR_UPLOAD_*` codes an entry (or an upload name) can show. */
export type UploadErrorCode = Extract<ErrorCode, `LT_ERR_UPLOAD_${string}`>;

/** An error of one entry, or of an upload name (too many files). */
export interface UploadError {
  readonly code: UploadErrorCode;
  readonly message: string;
}

/** What store code reads of an entry (`ctx.uploads(name)`). */
export interface UploadEntry {
  /** The entry id (the wire's `entry_id`). */
  readonly id: string;
  /** The upload name (`lvt-upload="name"`). */
  readonly name: string;
  readonly mode: UploadMode;
  /** The browser's file name, sanitised (a base name, no control characters, at most 255 characters). */
  readonly clientName: string;
  /** The type the browser announced (lower case, "" when it gave none that looks like a MIME type). */
  readonly clientType: string;
  /** The size the browser announced, bytes (for a multipart part: the bytes received). */
  readonly size: number;
  /** Bytes staged so far. */
  readonly received: number;
  /** 0 to 100. */
  readonly progress: number;
  /** Every byte arrived (or, for `direct`, the browser said its PUT finished; for `preview`, at once). */
  readonly done: boolean;
  /** True when the entry has no errors. */
  readonly valid: boolean;
  readonly errors: readonly UploadError[];
  /** For `direct`: where the browser sent it. */
  readonly external: ExternalUpload | undefined;
}

/** What `ctx.consume(entry, fn)` hands to `fn`. */
export type ConsumedUpload =
  /** `volume` and `proxied`: the staged file, removed once the action that consumed it is saved. */
  | { readonly kind: "file"; readonly entry: UploadEntry; readonly path: string; open(): ReadStream }
  /** `direct`: the object the browser uploaded (its URL; the file never touched this server). */
  | { readonly kind: "external"; readonly entry: UploadEntry; readonly url: string }
  /** `preview`: metadata only. */
  | { readonly kind: "meta"; readonly entry: UploadEntry };

/** An entry as the engine keeps it. */
export class StagedEntry implements UploadEntry {
  received = 0;
  done = false;
  errors: UploadError[] = [];
  external: ExternalUpload | undefined;
  /** Live connections that started or streamed it; it is dropped when the last one closes. */
  readonly holders = new Set<string>();
  lastActive = Date.now();
  /** Bytes of the quota held for it. */
  reserved = 0;
  /** Set by `ctx.consume` until the action ends; then the entry goes (saved) or stays (rolled back). */
  consuming = false;
  /** The integer percentage last reported in an `upload_progress` message. */
  reported = -1;
  /** Gone: consumed, cancelled or expired; later chunks are ignored. */
  gone = false;
  /**
   * The name exactly as the client sent it, echoed as `client_name` on the wire only (the
   * published client finds its file by it); store code and templates get the sanitised one.
   */
  wireName: string;

  constructor(
    readonly id: string,
    readonly config: ResolvedUpload,
    readonly clientName: string,
    readonly clientType: string,
    public size: number,
    readonly file: StagedFile | undefined,
  ) {
    this.wireName = clientName;
  }

  get name(): string {
    return this.config.name;
  }

  get mode(): UploadMode {
    return this.config.mode.kind;
  }

  get progress(): number {
    if (this.done) return 100;
    return this.size === 0 ? 0 : Math.min(100, Math.floor((this.received / this.size) * 100));
  }

  get valid(): boolean {
    return this.errors.length === 0;
  }

  fail(code: UploadErrorCode, message: string): void {
    if (!this.errors.some((e) => e.code === code)) this.errors.push({ code, message });
  }

  /** What `ctx.consume` hands over. */
  consumed(): ConsumedUpload {
    const entry = this.snapshot();
    if (this.file !== undefined) {
      const path = this.file.path;
      return { kind: "file", entry, path, open: () => createReadStream(path) };
    }
    if (this.external !== undefined) return { kind: "external", entry, url: this.external.url };
    return { kind: "meta", entry };
  }

  /** A frozen copy for store code (which must not change the engine's entry). */
  snapshot(): UploadEntry {
    return Object.freeze({
      id: this.id,
      name: this.name,
      mode: this.mode,
      clientName: this.clientName,
      clientType: this.clientType,
      size: this.size,
      received: this.received,
      progress: this.progress,
      done: this.done,
      valid: this.valid,
      errors: Object.freeze([...this.errors]),
      external: this.external,
    });
  }

  /** The template's view. */
  view(): UploadEntryView {
    const errors = this.errors.map((e) => ({ Code: e.code, Message: e.message }));
    return Object.freeze({
      ID: this.id,
      Name: this.name,
      Mode: this.mode,
      ClientName: this.clientName,
      ClientType: this.clientType,
      Size: this.size,
      Received: this.received,
      Progress: this.progress,
      Done: this.done,
      Valid: this.valid,
      Error: errors[0]?.Message ?? "",
      Errors: errors,
    });
  }
}

/** An entry in a template (`{{range .lvt.Uploads "avatar"}}`). */
export interface UploadEntryView {
  readonly ID: string;
  readonly Name: string;
  readonly Mode: UploadMode;
  readonly ClientName: string;
  readonly ClientType: string;
  readonly Size: number;
  readonly Received: number;
  readonly Progress: number;
  readonly Done: boolean;
  readonly Valid: boolean;
  /** The first error's message, "" when valid. */
  readonly Error: string;
  readonly Errors: readonly { readonly Code: string; readonly Message: string }[];
}
