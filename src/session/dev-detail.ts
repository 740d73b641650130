/**
 * Dev mode: what a failed action's reply tells the dev overlay (`meta.dev`): the error's message
 * and stack, and for a template error its name, line, column and source line.
 */
import type { DevDetail, TreeMessage } from "../protocol/messages.js";

/** Finds a template's source line, for template errors (`Template.sourceLine`). */
export type SourceLines = (name: string, line: number) => string | undefined;

const POSITION = /^template: ([^:]+):(\d+):(\d+): /;

/** The details of `err` as the overlay shows them. */
export function devDetail(kind: DevDetail["kind"], err: unknown, source: SourceLines | undefined): DevDetail {
  const message = err instanceof Error ? err.message : String(err);
  const out: DevDetail = { kind, message };
  if (err instanceof Error && err.stack !== undefined) out.stack = err.stack;
  const m = POSITION.exec(message);
  if (m !== null) {
    const name = m[1]!;
    const line = Number(m[2]);
    const column = Number(m[3]);
    const src = source?.(name, line);
    out.template = src === undefined ? { name, line, column } : { name, line, column, source: src };
  }
  return out;
}

/** `message` with `meta.dev` when `err` is set (only dev mode calls this). */
export function withDev(message: TreeMessage, kind: DevDetail["kind"], err: unknown, source: SourceLines | undefined): TreeMessage {
  if (err === undefined) return message;
  return { ...message, meta: { ...message.meta, dev: devDetail(kind, err, source) } };
}
