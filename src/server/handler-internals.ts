/**
 * What a live handler shares with the in-process test API (`livetemplate/testing`) and nothing
 * else: its engine and resolved options, under a symbol so that they stay off the public type.
 */
import type { SessionEngine } from "../session/engine.js";
import type { LiveConnection } from "../transport/frames.js";
import type { ResolvedOptions } from "./options.js";

/** Property key of {@link HandlerInternals} on a live handler. */
export const HANDLER_INTERNALS: unique symbol = Symbol.for("livetemplate.handler-internals");

export interface HandlerInternals {
  readonly engine: SessionEngine<LiveConnection>;
  readonly options: ResolvedOptions;
}

/** The internals of `handler`, or undefined when it is not a live handler. */
export function internalsOf(handler: unknown): HandlerInternals | undefined {
  if (typeof handler !== "function") return undefined;
  return (handler as unknown as { [HANDLER_INTERNALS]?: HandlerInternals })[HANDLER_INTERNALS];
}
