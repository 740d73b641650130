/**
 * The disk side of uploads: staged files in one directory, named by entry id (never by the
 * client's name), appended to one write at a time, and the handler-wide quota of staged bytes.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { open, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";

/** A fresh entry id: a letter and 16 random base64url characters (never parsed as a number by a client). */
export function newEntryId(): string {
  return `u${randomBytes(12).toString("base64url")}`;
}

/** Bytes staged at once by one handler, reserved before they are written. */
export class Quota {
  private used = 0;

  constructor(readonly limit: number) {}

  /** Reserves `n` bytes; false (nothing reserved) when that would pass the limit. */
  reserve(n: number): boolean {
    if (n < 0 || this.used + n > this.limit) return false;
    this.used += n;
    return true;
  }

  release(n: number): void {
    this.used = Math.max(0, this.used - n);
  }

  get usedBytes(): number {
    return this.used;
  }
}

/**
 * One staged file: created exclusively (mode 0600) on the first write, appended in call order
 * (each write waits for the one before), closed by {@link close}, deleted by {@link remove}.
 * A failed write is remembered: later writes reject with the same error.
 */
export class StagedFile {
  private handle: Promise<FileHandle> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  private removed = false;

  constructor(readonly path: string) {}

  /** Appends `bytes` after every write asked for before; resolves when they are on disk. */
  append(bytes: Uint8Array): Promise<void> {
    const next = this.chain.then(async () => {
      if (this.failure !== undefined) throw this.failure;
      if (this.removed) return;
      try {
        const fh = await this.open();
        let off = 0;
        while (off < bytes.length) off += (await fh.write(bytes, off, bytes.length - off)).bytesWritten;
      } catch (err) {
        this.failure = err;
        throw err;
      }
    });
    this.chain = next.catch(() => {});
    return next;
  }

  /** Makes sure the file exists (an empty upload has no write). */
  async touch(): Promise<void> {
    await this.append(new Uint8Array(0));
  }

  /** Resolves when every write asked for so far is done (or failed). */
  settled(): Promise<void> {
    return this.chain;
  }

  private open(): Promise<FileHandle> {
    this.handle ??= open(this.path, "wx", 0o600);
    return this.handle;
  }

  /** Closes the file after the pending writes (it stays on disk). */
  async close(): Promise<void> {
    await this.chain;
    const h = this.handle;
    this.handle = undefined;
    if (h !== undefined) await (await h.catch(() => undefined))?.close().catch(() => {});
  }

  /** Closes and deletes the file; later writes do nothing. */
  async remove(): Promise<void> {
    this.removed = true;
    await this.close();
    await rm(this.path, { force: true }).catch(() => {});
  }
}

/** The staging directory: made on first use. */
export class StagingDir {
  private made = false;

  constructor(readonly dir: string) {}

  file(entryId: string): StagedFile {
    if (!this.made) {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      this.made = true;
    }
    return new StagedFile(join(this.dir, `lt-${entryId}`));
  }
}
