/**
 * The uploads demo's store: two upload zones (any file, and images only) whose completed files
 * are copied into the gallery's uploads directory, named by their SHA-256, and listed with their
 * name, size in bytes and SHA-256. The completion actions are named after the upload
 * (`upload_files_complete`, `upload_images_complete`): the live client runs them after each
 * file, and the no-JS form posts to them (a hidden `lvt-action` field).
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ActionContext, ConsumedUpload, UploadConfig } from "livetemplate";

/** The two zones' upload options (the handler's `uploads`). */
export const UPLOADS = {
  files: { maxEntries: 10, maxFileSize: 20 * 1024 * 1024, chunkSize: 1024 * 1024 },
  images: { accept: ["image/*", ".png", ".jpg", ".jpeg", ".gif", ".webp"], maxEntries: 3, maxFileSize: 1024 * 1024 },
} satisfies Record<string, UploadConfig>;

export interface StoredFile {
  ID: string;
  Zone: "files" | "images";
  Name: string;
  Size: number;
  SHA256: string;
}

/** Copies a staged file into `dir`, hashing it on the way; resolves with its SHA-256. */
async function keep(file: ConsumedUpload, dir: string): Promise<string> {
  if (file.kind !== "file") throw new Error("only staged files are kept");
  const hash = createHash("sha256");
  const tmp = join(dir, `.in-${file.entry.id}`);
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(file.open(), tap, createWriteStream(tmp));
    const sha = hash.digest("hex");
    await rename(tmp, join(dir, sha));
    return sha;
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export class UploadsDemo {
  Stored: StoredFile[] = [];

  constructor(private readonly dir: string) {}

  async upload_files_complete(ctx: ActionContext): Promise<void> {
    await this._take(ctx, "files");
  }

  async upload_images_complete(ctx: ActionContext): Promise<void> {
    await this._take(ctx, "images");
  }

  /** Every done entry of `zone` is kept and listed; entries with errors stay for the page to show. */
  private async _take(ctx: ActionContext, zone: StoredFile["Zone"]): Promise<void> {
    const kept = await ctx.consumeAll(zone, async (file) => ({
      // Not the entry's id: a row key must be unique on the page (clients match rows by key).
      ID: `stored-${file.entry.id}`,
      Zone: zone,
      Name: file.entry.clientName,
      Size: file.entry.size,
      SHA256: await keep(file, this.dir),
    }));
    this.Stored.push(...kept);
  }
}
