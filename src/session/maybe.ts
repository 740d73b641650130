/**
 * Values that may or may not be promises. Store code and the memory session store are usually
 * synchronous; a broadcast that reaches thousands of groups then runs each group's change,
 * render and save in one go, without an `await` (a promise and a turn of the event loop) per
 * step. Code that must wait still can: everything here falls back to promises.
 */
import type { MaybePromise } from "./types.js";

export function isThenable<T>(v: MaybePromise<T>): v is Promise<T> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

/** `f(v)`: at once when `v` is a plain value, once it is fulfilled when it is a promise. */
export function after<T, U>(v: MaybePromise<T>, f: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return isThenable(v) ? Promise.resolve(v).then(f) : f(v);
}

/**
 * Runs `f` and hands its value to `ok`, or what it throws (or rejects with) to `fail`; like a
 * `try`/`catch` around `await f()` whose `catch` does not cover `ok`.
 */
export function settle<T, U>(f: () => MaybePromise<T>, ok: (value: T) => MaybePromise<U>, fail: (err: unknown) => MaybePromise<U>): MaybePromise<U> {
  let v: MaybePromise<T>;
  try {
    v = f();
  } catch (err) {
    return fail(err);
  }
  return isThenable(v) ? Promise.resolve(v).then(ok, fail) : ok(v);
}
