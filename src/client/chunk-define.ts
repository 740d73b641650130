/**
 * Imported by a chunk's entry (`src/client/<name>/chunk.ts`) to hand its exports to the core;
 * kept apart from `chunks.ts` so that a chunk does not carry the loader.
 */
import { CHUNK_GLOBAL } from "../protocol/wire.js";

/** Registers the exports of chunk `name`. */
export function defineChunk(name: string, exports: unknown): void {
  const g = globalThis as unknown as Record<string, Record<string, unknown> | undefined>;
  (g[CHUNK_GLOBAL] ??= {})[name] = exports;
}
