/**
 * What a session group knows of its async work (`ctx.async`): the runs started and not yet
 * applied, the runs an action asked for that start once it is saved, and the last failure of each
 * key. Kept beside the group (a WeakMap keyed by the group object), so a group that is forgotten
 * and loaded again starts with none, and results of the forgotten one are never applied to it.
 */
import { LiveTemplateError } from "../errors.js";
import type { AsyncView } from "./lvt.js";

/** Applies an async result to the store that started it (default: assigns it to the field named `key`). */
export type AsyncApply<T = unknown> = (store: object, result: T, ctx: AsyncResultContext) => unknown;

/** What an {@link AsyncApply} callback gets besides the store and the result. */
export interface AsyncResultContext {
  /** The key the work was started under. */
  readonly key: string;
  readonly groupId: string;
  /** Pushes an event to every connection of the group (see `PushControls.pushEvent`). */
  pushEvent(name: string, payload?: unknown, options?: { readonly commands?: readonly unknown[] }): void;
}

/** The work of one `ctx.async` call. */
export interface AsyncRequest {
  readonly key: string;
  /** The store (its name; `""` for a single store) the result is applied to. */
  readonly store: string;
  readonly fn: (signal: AbortSignal) => unknown;
  readonly apply: AsyncApply | undefined;
}

/** A run in flight: what it applies, and its controller (aborted when it is replaced or its group goes away). */
export interface AsyncRun {
  readonly request: AsyncRequest;
  readonly controller: AbortController;
}

/** The async work of one group. */
export class AsyncState implements AsyncView {
  /** Runs in flight by key. */
  readonly runs = new Map<string, AsyncRun>();
  /** Asked for by the store code running now; started once it is saved, dropped if it fails. */
  readonly staged = new Map<string, AsyncRequest>();
  /** The last failure of each key. */
  readonly errors = new Map<string, string>();

  pending(key: string): boolean {
    return this.staged.has(key) || this.runs.has(key);
  }

  error(key: string): string {
    // Starting a key again clears its failure, from the render of the action that starts it.
    return this.staged.has(key) ? "" : (this.errors.get(key) ?? "");
  }

  get idle(): boolean {
    return this.runs.size === 0 && this.staged.size === 0 && this.errors.size === 0;
  }
}

const states = new WeakMap<object, AsyncState>();

/** The async state of `group`, made on first use. */
export function asyncState(group: object): AsyncState {
  let s = states.get(group);
  if (s === undefined) {
    s = new AsyncState();
    states.set(group, s);
  }
  return s;
}

/** The async state of `group` for `.lvt`, if it ever had any. */
export function asyncView(group: object): AsyncView | undefined {
  return states.get(group);
}

/** Starts the runs an action or a mount asked for, once it is saved (the engine's `AsyncRunner`). */
export interface AsyncStarter<G> {
  start(group: G, request: AsyncRequest): void;
}

/** `ctx.async`, in actions and `mount`. */
export interface AsyncControls {
  /**
   * Runs `fn` outside the session group's queue, so the group keeps answering while it works,
   * and applies its result inside the queue when it completes, as a change of its own (tracked,
   * rendered, saved; a throw rolls it back): by default the result is assigned to the field
   * `key` of the store whose action started it; with `apply`, `apply(store, result, ctx)` does
   * it. While it runs, `.lvt.Pending "key"` is true; if it fails (or `apply` throws),
   * `.lvt.AsyncError "key"` says why. Starting `key` again aborts the run before it (`signal`),
   * whose result is then never applied; so does the group going away. The work starts once the
   * action is saved; an action that fails starts none.
   *
   * @example
   * ```ts
   * load(ctx: ActionContext) {
   *   ctx.async("report", (signal) => fetch(url, { signal }).then((r) => r.json()));
   * }
   * ```
   */
  async<T, S extends object = object>(
    key: string,
    fn: (signal: AbortSignal) => T | Promise<T>,
    apply?: (store: S, result: T, ctx: AsyncResultContext) => unknown,
  ): void;
}

/** Forgets a group's async work, aborting every run (the group is going away). */
export function forgetAsync(group: object): void {
  const s = states.get(group);
  if (s === undefined) return;
  states.delete(group);
  for (const run of s.runs.values()) run.controller.abort(new DOMException("the session group went away", "AbortError"));
}

/** Checks the arguments of `ctx.async` and records the request until the store code ends. */
export function stageAsync(group: object, store: string, key: unknown, fn: unknown, apply: unknown): void {
  if (typeof key !== "string" || key === "") throw new LiveTemplateError("LT_ERR_ACTION_ASYNC", `ctx.async needs a non-empty string key, got ${JSON.stringify(key)}`);
  if (typeof fn !== "function") throw new LiveTemplateError("LT_ERR_ACTION_ASYNC", `ctx.async("${key}") needs a function`);
  if (apply !== undefined && typeof apply !== "function") throw new LiveTemplateError("LT_ERR_ACTION_ASYNC", `ctx.async("${key}"): apply must be a function`);
  asyncState(group).staged.set(key, { key, store, fn: fn as AsyncRequest["fn"], apply: apply as AsyncApply | undefined });
}

/** Takes the requests staged by the store code that just ended. */
export function takeStaged(group: object): AsyncRequest[] {
  const s = states.get(group);
  if (s === undefined || s.staged.size === 0) return [];
  const out = [...s.staged.values()];
  s.staged.clear();
  return out;
}
