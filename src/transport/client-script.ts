/**
 * Serving the browser client bundle from the page URL itself (`<page>?lvt-client=<version>`), so
 * that it reaches the handler under every framework's routing without a second route.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Where the bundle is looked for: `dist/client/livetemplate.min.js` of this package, relative to
 * this module both when running from `dist/transport/` and from `src/transport/`.
 */
export function defaultClientScriptFile(): string {
  const candidates = [
    new URL("../client/livetemplate.min.js", import.meta.url),
    new URL("../../dist/client/livetemplate.min.js", import.meta.url),
  ].map((u) => fileURLToPath(u));
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}

interface Loaded {
  body: Buffer;
  etag: string;
  version: string;
}

/** Loads the bundle once and serves it with an ETag and a long cache lifetime. */
export class ClientScript {
  private loaded: Loaded | null | undefined;

  /** `immutable`: served with a year's cache lifetime (the URL carries the hash); else revalidated. */
  constructor(
    readonly file: string,
    private readonly immutable = true,
  ) {}

  private load(): Loaded | null {
    if (this.loaded !== undefined) return this.loaded;
    try {
      const body = readFileSync(this.file);
      const hash = createHash("sha256").update(body).digest("base64url").slice(0, 16);
      this.loaded = { body, etag: `"${hash}"`, version: hash };
    } catch {
      // Not cached: the bundle may be built after the server started.
      return null;
    }
    return this.loaded;
  }

  /** Short content hash used in the injected URL, or `"missing"`. */
  version(): string {
    return this.load()?.version ?? "missing";
  }

  /** Answers a request for the bundle (GET or HEAD). */
  serve(req: IncomingMessage, res: ServerResponse): void {
    const loaded = this.load();
    if (loaded === null) {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" });
      res.end(
        `livetemplate: client bundle not found at ${this.file}. ` +
          "Build it with `npm run build`, or set the handler option clientScript.src to serve another copy.\n",
      );
      return;
    }
    const headers = {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": this.immutable ? "public, max-age=31536000, immutable" : "no-cache",
      ETag: loaded.etag,
    };
    if (req.headers["if-none-match"] === loaded.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, "Content-Length": loaded.body.length });
    res.end(req.method === "HEAD" ? undefined : loaded.body);
  }
}

/** Names a chunk may have: `livetemplate.chunk-<name>.js` beside the core bundle. */
const CHUNK_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * The on-demand parts of the client (`?lvt-chunk=<name>`), read from beside the core bundle. Their
 * URL carries no hash, so they are revalidated by ETag rather than cached for a year.
 */
export class ChunkScripts {
  private readonly scripts = new Map<string, ClientScript>();

  constructor(private readonly dir: string) {}

  /** Answers a request for chunk `name`; 404 for a name that is not a chunk's. */
  serve(name: string, req: IncomingMessage, res: ServerResponse): void {
    let s = this.scripts.get(name);
    if (s === undefined) {
      const file = join(this.dir, `livetemplate.chunk-${name}.js`);
      if (!CHUNK_NAME.test(name) || !existsSync(file)) {
        res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" });
        res.end(`livetemplate: no client chunk named ${JSON.stringify(name.slice(0, 40))}\n`);
        return;
      }
      s = new ClientScript(file, false);
      this.scripts.set(name, s);
    }
    s.serve(req, res);
  }
}

/** Inserts a script tag before the last `</body>` (or at the end of a fragment). */
export function injectScriptTag(html: string, src: string): string {
  const tag = `<script src="${src.replace(/&/g, "&amp;").replace(/"/g, "&quot;")}" defer></script>`;
  const at = html.toLowerCase().lastIndexOf("</body>");
  return at < 0 ? html + tag : html.slice(0, at) + tag + html.slice(at);
}
