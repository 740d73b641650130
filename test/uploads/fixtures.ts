/**
 * Shared pieces of the upload tests: a store that keeps what it consumed (name, size, SHA-256 of
 * the staged bytes), a template that shows `.lvt.Uploads`, a handler on a real server with its
 * own staging directory, and a WebSocket client that waits for a message of a given shape.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createReadStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Template } from "../../src/live/template.js";
import { silentLogger } from "../../src/server/options.js";
import type { LiveHandlerOptions } from "../../src/server/options.js";
import type { ActionContext } from "../../src/session/action-context.js";
import type { ConsumedUpload } from "../../src/uploads/entry.js";
import { serve, TestClient, type Served } from "../server/harness.js";

export interface Stored {
  Name: string;
  Size: number;
  Sha: string;
  Kind: string;
}

/** SHA-256 hex of a file, read as a stream. */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(path)
      .on("data", (c) => h.update(c))
      .on("end", () => resolve(h.digest("hex")))
      .on("error", reject);
  });
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export class Files {
  Stored: Stored[] = [];
  Note = "";

  async upload_docs_complete(ctx: ActionContext): Promise<void> {
    await this.take(ctx, "docs");
  }

  async upload_pics_complete(ctx: ActionContext): Promise<void> {
    await this.take(ctx, "pics");
  }

  /** The no-JS form's action: takes both names. */
  async save(ctx: ActionContext): Promise<void> {
    this.Note = ctx.data.getString("note");
    await this.take(ctx, "docs");
    await this.take(ctx, "pics");
  }

  /** Consumes and then throws: the entries must stay. */
  async fail_after_consume(ctx: ActionContext): Promise<void> {
    await this.take(ctx, "raw");
    throw new Error("boom");
  }

  async take_raw(ctx: ActionContext): Promise<void> {
    await this.take(ctx, "raw");
  }

  private async take(ctx: ActionContext, name: string): Promise<void> {
    const out = await ctx.consumeAll(name, async (f: ConsumedUpload) => {
      const sha = f.kind === "file" ? await sha256File(f.path) : f.kind === "external" ? f.url : "";
      return { Name: f.entry.clientName, Size: f.entry.size, Sha: sha, Kind: f.kind };
    });
    this.Stored.push(...out);
  }
}

export const TEMPLATE = `<div>
<ul id="docs">{{range .lvt.Uploads "docs"}}<li id="{{.ID}}" data-progress="{{.Progress}}" data-done="{{.Done}}">{{.ClientName}}{{range .Errors}} <b data-code="{{.Code}}">{{.Message}}</b>{{end}}</li>{{end}}</ul>
<ul id="pics">{{range .lvt.Uploads "pics"}}<li id="{{.ID}}">{{.ClientName}}{{with .Error}} <b>{{.}}</b>{{end}}</li>{{end}}</ul>
{{range .lvt.UploadErrors "pics"}}<p class="upload-error" data-code="{{.Code}}">{{.Message}}</p>{{end}}
<ol id="stored">{{range .Stored}}<li data-sha="{{.Sha}}">{{.Name}} {{.Size}} {{.Kind}}</li>{{end}}</ol><p id="note">{{.Note}}</p>
</div>`;

export interface UploadServer extends Served {
  dir: string;
  /** Files in the staging directory now. */
  staged(): string[];
}

/** A handler with uploads `docs` (any type, 8 MiB, 5 files) and `pics` (images, 1000 bytes, 2 files) unless overridden. */
export async function uploadServer(options: LiveHandlerOptions = {}): Promise<UploadServer> {
  const dir = mkdtempSync(join(tmpdir(), "lt-up-test-"));
  const tmpl = new Template("files").parse(TEMPLATE);
  const handler = tmpl.handle(() => new Files(), {
    logger: silentLogger,
    rateLimit: false,
    uploads: {
      docs: { maxEntries: 5, maxFileSize: 8 * 1024 * 1024, chunkSize: 64 * 1024 },
      pics: { accept: ["image/*", ".png"], maxEntries: 2, maxFileSize: 1000 },
      raw: { maxEntries: 5 },
    },
    ...options,
    uploadStaging: { dir, ...options.uploadStaging },
  });
  const s = await serve(handler);
  return {
    ...s,
    dir,
    staged: () => readdirSync(dir),
    async stop() {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A WebSocket client that can wait for a message matching a predicate (keeping the others in order). */
export class UploadClient extends TestClient {
  private readonly seen: Record<string, unknown>[] = [];

  static async connect(url: string, cookie?: string): Promise<UploadClient> {
    const c = new UploadClient(url, cookie === undefined ? {} : { headers: { cookie } });
    await new Promise((resolve, reject) => {
      c.ws.once("open", resolve);
      c.ws.once("error", reject);
    });
    await c.next(); // the first tree
    return c;
  }

  /** The first message (already received or coming) for which `pred` holds; others are kept. */
  async waitFor(pred: (m: Record<string, unknown>) => boolean, what = "a message", ms = 5000): Promise<Record<string, unknown>> {
    const i = this.seen.findIndex(pred);
    if (i >= 0) return this.seen.splice(i, 1)[0]!;
    const end = Date.now() + ms;
    for (;;) {
      const left = end - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; seen ${JSON.stringify(this.seen).slice(0, 500)}`);
      const m = await this.next(left).catch(() => undefined);
      if (m === undefined) continue;
      if (pred(m)) return m;
      this.seen.push(m);
    }
  }

  /** Every message received so far that matched nothing (and drops them). */
  drain(): Record<string, unknown>[] {
    return this.seen.splice(0);
  }

  async start(name: string, files: { name: string; type: string; size: number }[]): Promise<{ entry_id: string; valid: boolean; error?: string; error_code?: string; chunk_size: number; mode: string; client_name: string }[]> {
    this.send({ action: "upload_start", upload_name: name, files });
    const r = await this.waitFor((m) => m["upload_name"] === name && Array.isArray(m["entries"]), "upload_start reply");
    return r["entries"] as never;
  }
}

/** The tree text of every message so far, for "shows" checks. */
export function treeText(m: Record<string, unknown>): string {
  return JSON.stringify(m["tree"] ?? "");
}

export function bytes(n: number): Buffer {
  return randomBytes(n);
}
