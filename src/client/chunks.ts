/**
 * Parts of the client that few pages need (uploads, commands) are built as chunks of their own,
 * `dist/client/livetemplate.chunk-<name>.js`, and loaded with a `<script src>` (allowed by
 * `script-src 'self'`) the first time a page needs them. A chunk hands its exports to the core
 * through one global object ({@link CHUNK_GLOBAL}); see `chunk-define.ts`.
 *
 * Where a chunk is fetched from follows where the core came from:
 * - the core served by the handler (`<page>?lvt-client=...`): the same URL with `lvt-chunk=<name>`;
 * - the core at a URL of its own (`clientScript.src`, a CDN): `livetemplate.chunk-<name>.js` beside it;
 * - the core bundled into the app (ES module): the page's URL with `lvt-chunk=<name>`.
 */
import { CHUNK_GLOBAL, CHUNK_SCRIPT_QUERY, CLIENT_SCRIPT_QUERY } from "../protocol/wire.js";

type Registry = Record<string, unknown>;

const registry = (): Registry => {
  const g = globalThis as unknown as Record<string, Registry | undefined>;
  return (g[CHUNK_GLOBAL] ??= {});
};

/** The core's own script URL, when it was loaded as a classic script. */
let coreSrc: string | undefined;
const loading = new Map<string, Promise<unknown>>();

/** Called once by the script build with its `document.currentScript.src`. */
export function setCoreSource(src: string): void {
  coreSrc = src;
}

/** The URL chunk `name` is fetched from; `page` is the live page's URL (used by a bundled core). */
export function chunkUrl(name: string, page: string): string {
  const base = new URL(coreSrc ?? page, location.href);
  if (coreSrc !== undefined && !base.searchParams.has(CLIENT_SCRIPT_QUERY)) {
    return new URL(`livetemplate.chunk-${name}.js`, base).href;
  }
  base.searchParams.delete(CLIENT_SCRIPT_QUERY);
  base.searchParams.set(CHUNK_SCRIPT_QUERY, name);
  base.hash = "";
  return base.href;
}

/**
 * Loads chunk `name` once and resolves with its exports. A chunk that fails to load rejects, and
 * the next call tries again.
 */
export function loadChunk<T>(name: string, page: string): Promise<T> {
  const have = registry()[name];
  if (have !== undefined) return Promise.resolve(have as T);
  let p = loading.get(name);
  if (p === undefined) {
    p = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = chunkUrl(name, page);
      s.async = true;
      s.onload = () => {
        const got = registry()[name];
        if (got === undefined) fail(new Error(`livetemplate: chunk ${name} did not register`));
        else resolve(got);
      };
      s.onerror = () => fail(new Error(`livetemplate: chunk ${name} could not be loaded from ${s.src}`));
      const fail = (e: Error): void => {
        loading.delete(name);
        s.remove();
        reject(e);
      };
      document.head.appendChild(s);
    });
    loading.set(name, p);
  }
  return p as Promise<T>;
}
