/**
 * The upload rules of one handler: validating a selection (`upload_start`), taking bytes as they
 * arrive (limits enforced per chunk, before anything is written), completing, cancelling,
 * releasing entries (file deleted, quota given back) and expiring idle ones. It knows entries and
 * the disk, not groups, queues or sockets: the engine (`session/upload-events.ts`) calls it.
 */
import type { CompletedMeta, FileMeta, UploadEntryWire, UploadStartReply } from "../protocol/uploads.js";

/** Where upload problems are logged (the handler's logger). */
interface UploadLogger {
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}
import { StagedEntry, type UploadError, type UploadErrorCode } from "./entry.js";
import { accepts, sanitizeClientName, sanitizeType } from "./names.js";
import type { ResolvedStaging, ResolvedUpload } from "./options.js";
import { newEntryId, Quota, StagingDir } from "./staging.js";
import { UploadSet } from "./upload-set.js";

/** Who a selection comes from (for the presign function). */
export interface Uploader {
  readonly userId: string;
  readonly groupId: string;
  /** The live connection, undefined over HTTP. */
  readonly connectionId: string | undefined;
}

/** What taking one chunk did. */
export type ChunkResult =
  /** No such entry (never was, or cancelled, consumed, expired, failed): dropped quietly. */
  | { readonly kind: "ignored" }
  | { readonly kind: "malformed"; readonly message: string }
  /** The entry failed on this chunk (too large, disk): its file is gone. */
  | { readonly kind: "failed"; readonly entry: StagedEntry; readonly error: UploadError }
  /** Written (`written` resolves when the bytes are on disk); `report` when progress should be sent. */
  | { readonly kind: "taken"; readonly entry: StagedEntry; readonly written: Promise<void>; readonly report: boolean };

/** The outcome of completing entries. */
export interface CompleteResult {
  readonly ok: readonly StagedEntry[];
  readonly error: UploadError | undefined;
}

const err = (code: UploadErrorCode, message: string): UploadError => ({ code, message });

export class Uploads {
  readonly quota: Quota;
  private readonly dir: StagingDir;
  /** Sets that hold entries, for expiry and shutdown. */
  private readonly active = new Set<UploadSet>();
  /** Staged files being deleted (awaited by {@link closeAll} and {@link removed}). */
  private readonly removing = new Set<Promise<void>>();

  constructor(
    readonly configs: ReadonlyMap<string, ResolvedUpload>,
    readonly staging: ResolvedStaging,
    private readonly logger: UploadLogger,
  ) {
    this.quota = new Quota(staging.quotaBytes);
    this.dir = new StagingDir(staging.dir);
  }

  get configured(): boolean {
    return this.configs.size > 0;
  }

  /** Largest chunk a client may send in one frame: the configured sizes, and 256 KiB (what the published client always sends). */
  get maxChunk(): number {
    let max = 256 * 1024;
    for (const c of this.configs.values()) max = Math.max(max, c.chunkSize);
    return max;
  }

  /**
   * Validates a selection and makes its entries, one per file in order (invalid ones included),
   * added to `set` (a group's, or a request's). Entries of `name` that failed earlier, and the
   * name's own errors, are dropped first: a new selection replaces them.
   */
  async start(set: UploadSet, name: string, files: readonly FileMeta[], who: Uploader): Promise<UploadStartReply> {
    const config = this.configs.get(name);
    this.track(set);
    if (config === undefined) {
      const entries = files.map((f) => invalidWire(newEntryId(), f.name, err("LT_ERR_UPLOAD_UNKNOWN", `no upload is named "${name}"`)));
      return { upload_name: name, entries };
    }
    for (const old of set.list(name)) if (!old.valid) this.release(set, old);
    set.setNameErrors(name, []);
    let live = set.list(name).filter((e) => !e.gone).length;
    const wire: UploadEntryWire[] = [];
    let tooMany = false;
    for (const f of files) {
      const clientName = sanitizeClientName(f.name);
      const type = sanitizeType(f.type);
      const staged = config.mode.kind === "volume" || config.mode.kind === "proxied";
      const id = newEntryId();
      const entry = new StagedEntry(id, config, clientName, type, f.size, staged ? this.dir.file(id) : undefined);
      entry.wireName = f.name;
      if (who.connectionId !== undefined) entry.holders.add(who.connectionId);
      if (!accepts(config.accept, clientName, type)) entry.fail("LT_ERR_UPLOAD_TYPE", `${clientName}: this type of file is not accepted`);
      if (f.size > config.maxFileSize) entry.fail("LT_ERR_UPLOAD_TOO_LARGE", `${clientName} is larger than ${config.maxFileSize} bytes`);
      if (entry.valid && live >= config.maxEntries) {
        entry.fail("LT_ERR_UPLOAD_TOO_MANY", `at most ${config.maxEntries} file${config.maxEntries === 1 ? "" : "s"} at once`);
        tooMany = true;
      }
      if (entry.valid && staged) {
        if (this.quota.reserve(f.size)) entry.reserved = f.size;
        else entry.fail("LT_ERR_UPLOAD_QUOTA", `${clientName}: no room left for uploads on the server`);
      }
      if (entry.valid && config.mode.kind === "direct") {
        try {
          const p = await config.mode.presign({ name, entryId: id, clientName, clientType: type, size: f.size, userId: who.userId, groupId: who.groupId });
          if (typeof p?.url !== "string" || p.url === "") throw new Error("presign returned no url");
          entry.external = { uploader: p.uploader ?? "s3", url: p.url, ...(p.fields ? { fields: p.fields } : {}), ...(p.headers ? { headers: p.headers } : {}) };
        } catch (e) {
          this.logger.warn(`LT_ERR_UPLOAD_PRESIGN: presign of upload "${name}" failed`, e);
          entry.fail("LT_ERR_UPLOAD_PRESIGN", `${clientName}: the upload could not be prepared`);
        }
      }
      if (entry.valid) {
        live++;
        if (config.mode.kind === "preview") entry.done = true;
      }
      set.add(entry);
      wire.push(entryWire(entry));
    }
    if (tooMany) set.setNameErrors(name, [err("LT_ERR_UPLOAD_TOO_MANY", `at most ${config.maxEntries} file${config.maxEntries === 1 ? "" : "s"} at once`)]);
    return { upload_name: name, entries: wire };
  }

  /**
   * A file part of a multipart post for upload `name` begins: its entry is made (checked against
   * the accept list and maxEntries; the size is known only at its end). Undefined when no upload
   * has this name (the part is then not staged).
   */
  beginPart(set: UploadSet, name: string, filename: string, type: string): StagedEntry | undefined {
    const config = this.configs.get(name);
    if (config === undefined) return undefined;
    this.track(set);
    const clientName = sanitizeClientName(filename);
    const ctype = sanitizeType(type);
    const id = newEntryId();
    const e = new StagedEntry(id, config, clientName, ctype, 0, this.dir.file(id));
    e.wireName = filename;
    if (!accepts(config.accept, clientName, ctype)) e.fail("LT_ERR_UPLOAD_TYPE", `${clientName}: this type of file is not accepted`);
    if (e.valid && set.list(name).filter((x) => x.valid).length >= config.maxEntries) {
      const error = err("LT_ERR_UPLOAD_TOO_MANY", `at most ${config.maxEntries} file${config.maxEntries === 1 ? "" : "s"} at once`);
      e.fail(error.code, error.message);
      set.setNameErrors(name, [error]);
    }
    set.add(e);
    return e;
  }

  /**
   * Bytes of a multipart file part: checked against maxFileSize and the quota before they are
   * written (a part that passes either fails now, its file removed). Resolves when written;
   * false when the entry does not take them (failed before or now).
   */
  async partData(set: UploadSet, e: StagedEntry, bytes: Uint8Array): Promise<boolean> {
    if (!e.valid || e.gone || e.file === undefined) return false;
    const total = e.received + bytes.length;
    if (total > e.config.maxFileSize) {
      this.failEntry(set, e, err("LT_ERR_UPLOAD_TOO_LARGE", `${e.clientName} is larger than ${e.config.maxFileSize} bytes`));
      return false;
    }
    if (!this.quota.reserve(bytes.length)) {
      this.failEntry(set, e, err("LT_ERR_UPLOAD_QUOTA", `${e.clientName}: no room left for uploads on the server`));
      return false;
    }
    e.reserved += bytes.length;
    e.received = total;
    e.size = total;
    try {
      await e.file.append(bytes);
    } catch (cause) {
      this.logger.error(`LT_ERR_UPLOAD_DISK: writing upload entry ${e.id} failed`, cause);
      this.failEntry(set, e, err("LT_ERR_UPLOAD_DISK", `${e.clientName} could not be stored`));
      return false;
    }
    return true;
  }

  /** A multipart file part ended: its entry is done (when it took every byte). */
  async endPart(e: StagedEntry): Promise<void> {
    if (!e.valid || e.gone || e.file === undefined) return;
    if (e.received === 0) await e.file.touch();
    await e.file.close();
    e.done = e.valid;
    e.lastActive = Date.now();
  }

  /** Removes every entry of `set` (a request's, once it is answered: what its action did not consume). */
  releaseAll(set: UploadSet): void {
    for (const e of [...set.all()]) this.release(set, e);
  }

  /**
   * The entries of a direct upload completed over HTTP, rebuilt from what the client sent (the
   * socket was down, so no entry was kept): checked against the accept list and the size limit
   * again, done, `external.url` the object the client says it uploaded.
   */
  rebuild(set: UploadSet, name: string, metas: readonly CompletedMeta[]): void {
    const config = this.configs.get(name);
    if (config === undefined) return;
    this.track(set);
    for (const m of metas.slice(0, config.maxEntries)) {
      const clientName = sanitizeClientName(m.client_name);
      const type = sanitizeType(m.type);
      const e = new StagedEntry(newEntryId(), config, clientName, type, m.size, undefined);
      if (!accepts(config.accept, clientName, type)) e.fail("LT_ERR_UPLOAD_TYPE", `${clientName}: this type of file is not accepted`);
      if (m.size > config.maxFileSize) e.fail("LT_ERR_UPLOAD_TOO_LARGE", `${clientName} is larger than ${config.maxFileSize} bytes`);
      e.external = { uploader: "s3", url: m.ref };
      e.received = m.size;
      e.done = e.valid;
      set.add(e);
    }
  }

  /**
   * Takes the bytes of one chunk of entry `id` in `set`: checks them against the announced size
   * and `maxFileSize` before writing (an entry that would pass either fails now and its file is
   * removed), checks `offset` when the client sent one, and queues the write.
   */
  chunk(set: UploadSet, id: string, bytes: Uint8Array, offset: number | undefined, connectionId: string | undefined): ChunkResult {
    const e = set.get(id);
    if (e === undefined || e.gone || !e.valid || e.done || e.file === undefined) return { kind: "ignored" };
    if (offset !== undefined && offset !== e.received) return { kind: "malformed", message: `upload_chunk offset ${offset} does not follow the ${e.received} bytes received` };
    const total = e.received + bytes.length;
    if (total > e.config.maxFileSize || total > e.size) {
      const error = err("LT_ERR_UPLOAD_TOO_LARGE", total > e.config.maxFileSize ? `${e.clientName} is larger than ${e.config.maxFileSize} bytes` : `${e.clientName} sent more bytes than the ${e.size} announced`);
      this.failEntry(set, e, error);
      return { kind: "failed", entry: e, error };
    }
    if (connectionId !== undefined) e.holders.add(connectionId);
    e.received = total;
    e.lastActive = Date.now();
    const written = e.file.append(bytes).catch((cause: unknown) => {
      if (e.gone) return;
      this.logger.error(`LT_ERR_UPLOAD_DISK: writing upload entry ${e.id} failed`, cause);
      this.failEntry(set, e, err("LT_ERR_UPLOAD_DISK", `${e.clientName} could not be stored`));
      throw cause;
    });
    const pct = e.progress;
    const report = pct !== e.reported || total === e.size;
    if (report) e.reported = pct;
    return { kind: "taken", entry: e, written, report };
  }

  /**
   * Marks entries done once all their bytes are on disk. An unknown, failed or short entry makes
   * the result's `error`; the others still complete.
   */
  async complete(set: UploadSet, ids: readonly string[]): Promise<CompleteResult> {
    const ok: StagedEntry[] = [];
    let error: UploadError | undefined;
    for (const id of ids) {
      const e = set.get(id);
      if (e === undefined || e.gone) {
        error ??= err("LT_ERR_UPLOAD_UNKNOWN", `no upload entry ${id}`);
        continue;
      }
      if (!e.valid) {
        error ??= e.errors[0];
        continue;
      }
      if (e.mode === "volume" || e.mode === "proxied") {
        await e.file?.settled();
        if (!e.valid || e.gone) {
          error ??= e.errors[0] ?? err("LT_ERR_UPLOAD_UNKNOWN", `no upload entry ${id}`);
          continue;
        }
        if (e.received !== e.size) {
          error ??= err("LT_ERR_UPLOAD_INCOMPLETE", `${e.clientName}: ${e.received} of ${e.size} bytes arrived`);
          continue;
        }
        if (e.size === 0) await e.file?.touch();
        await e.file?.close();
      }
      e.done = true;
      e.lastActive = Date.now();
      ok.push(e);
    }
    return { ok, error };
  }

  /** Fails an entry: the error stays for the template, the bytes and the quota go. */
  failEntry(set: UploadSet, e: StagedEntry, error: UploadError): void {
    e.fail(error.code, error.message);
    this.dropBytes(e);
    e.lastActive = Date.now();
    void set;
  }

  /** Removes an entry: out of its set, file deleted, quota released. */
  release(set: UploadSet, e: StagedEntry): void {
    e.gone = true;
    set.delete(e);
    this.dropBytes(e);
    if (set.size === 0) this.active.delete(set);
  }

  private dropBytes(e: StagedEntry): void {
    if (e.reserved > 0) this.quota.release(e.reserved);
    e.reserved = 0;
    if (e.file === undefined) return;
    const p = e.file.remove();
    this.removing.add(p);
    void p.finally(() => this.removing.delete(p));
  }

  /** Resolves once every staged file released so far is deleted from disk. */
  async removed(): Promise<void> {
    await Promise.all([...this.removing]);
  }

  /**
   * A live connection closed: it no longer holds its entries; entries nobody else holds are
   * removed. Returns whether any was.
   */
  connectionClosed(set: UploadSet, connectionId: string): boolean {
    let changed = false;
    for (const e of [...set.all()]) {
      if (!e.holders.delete(connectionId) || e.holders.size > 0) continue;
      this.release(set, e);
      changed = true;
    }
    return changed;
  }

  /** Registers a set that holds entries, for expiry and shutdown. */
  track(set: UploadSet): void {
    this.active.add(set);
  }

  /**
   * Expires entries idle for longer than `expiryMs`: an unfinished or unconsumed entry loses its
   * file and shows `LT_ERR_UPLOAD_EXPIRED`; one that already failed is removed. Returns the sets
   * that changed.
   */
  sweep(now = Date.now()): UploadSet[] {
    const changed: UploadSet[] = [];
    for (const set of [...this.active]) {
      let touched = false;
      for (const e of [...set.all()]) {
        if (e.consuming || now - e.lastActive < this.staging.expiryMs) continue;
        if (e.valid) this.failEntry(set, e, err("LT_ERR_UPLOAD_EXPIRED", `${e.clientName} expired before it was used`));
        else this.release(set, e);
        touched = true;
      }
      if (set.size === 0) this.active.delete(set);
      if (touched) changed.push(set);
    }
    return changed;
  }

  /** Removes every staged file (the handler is closing). */
  async closeAll(): Promise<void> {
    const files: Promise<void>[] = [];
    for (const set of this.active) {
      for (const e of [...set.all()]) {
        e.gone = true;
        set.delete(e);
        if (e.reserved > 0) this.quota.release(e.reserved);
        e.reserved = 0;
        if (e.file !== undefined) files.push(e.file.remove());
      }
    }
    this.active.clear();
    await Promise.all([...files, ...this.removing]);
  }
}

/** The wire form of an entry in the answer to `upload_start`. */
export function entryWire(e: StagedEntry): UploadEntryWire {
  const w: UploadEntryWire = { entry_id: e.id, client_name: e.wireName, valid: e.valid, auto_upload: e.config.autoUpload, mode: e.mode, chunk_size: e.config.chunkSize };
  const first = e.errors[0];
  if (first !== undefined) {
    w.error = first.message;
    w.error_code = first.code;
  }
  if (e.external !== undefined) w.external = e.external;
  return w;
}

function invalidWire(id: string, name: string, error: UploadError): UploadEntryWire {
  return { entry_id: id, client_name: name, valid: false, error: error.message, error_code: error.code, auto_upload: false, mode: "volume", chunk_size: 0 };
}
