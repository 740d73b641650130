/**
 * How the write journal sees the arrays an action edits: every direct write to an index or to
 * `length` is the splice it amounts to, and a call of `splice`, `shift` or `unshift` that moves
 * elements is one splice too, run on the raw array instead of element by element through the
 * Proxy. An array whose log holds such a shifting splice is reported to the renderer as its
 * splices (`ListEdit`), so removing one row of 10,000 costs one entry, not 5,000 shifted indices.
 */
import type { ChangePath, Splice } from "./path.js";

/** The array methods the journal runs natively when they shift elements. */
export type ShiftingMethod = typeof Array.prototype.splice | typeof Array.prototype.shift | typeof Array.prototype.unshift;

/** Splices of one array beyond which the journal lists written indices instead. */
const MAX_SPLICES = 64;

/** The writes of one array, in order, as splices. */
export class ArrayLog {
  readonly splices: Splice[] = [];
  /** True once a splice moved elements (removed and added counts differ, not at the end). */
  shifted = false;
  private minAt = Infinity;
  private maxLen = 0;

  /** Adds a splice made on an array of `before` elements. */
  add(sp: Splice, shifting: boolean, before: number): void {
    this.splices.push(sp);
    if (shifting) this.shifted = true;
    this.minAt = Math.min(this.minAt, sp[0]);
    this.maxLen = Math.max(this.maxLen, before, before - sp[1] + sp[2]);
  }

  /** True when the splices are too many to be worth replaying. */
  tooLong(): boolean {
    return this.splices.length > MAX_SPLICES;
  }

  /** Every index the splices may have changed, and `length`, as paths under `list`. */
  indexPaths(list: readonly string[]): ChangePath[] {
    const out: ChangePath[] = [];
    for (let i = this.minAt; i < this.maxLen; i++) out.push([...list, String(i)]);
    out.push([...list, "length"]);
    return out;
  }
}

/** True for a canonical array index (`"0"`, `"17"`; not `"01"` or `"-1"`). */
export function isIndex(key: string): boolean {
  const n = key.length;
  if (n === 0 || n > 10 || (n > 1 && key.charCodeAt(0) === 48)) return false;
  for (let i = 0; i < n; i++) {
    const d = key.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
  }
  return Number(key) < 4294967295;
}

/** The splice a direct write of `value` at `key` makes on an array of `len` elements, or null. */
export function arrayWriteSplice(len: number, key: string | symbol, value: unknown): Splice | null {
  if (typeof key === "symbol") return null;
  if (key === "length") {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n === len) return null;
    return n < len ? [n, len - n, 0] : [len, 0, n - len];
  }
  if (!isIndex(key)) return null;
  const i = Number(key);
  return i < len ? [i, 1, 1] : [len, 0, i - len + 1];
}

/** A shifting call: where it splices, how many it takes out, and the elements it puts in. */
export interface ShiftingCall {
  readonly splice: readonly [at: number, removed: number];
  readonly items: readonly unknown[];
}

/**
 * What `fn(...args)` does to an array of `len` elements, when it moves elements (a splice in the
 * middle whose removed and added counts differ, a shift or unshift of a non-empty result); null
 * for a call that writes indices in place or only at the end (which the Proxy records cheaply).
 */
export function shiftingCall(fn: ShiftingMethod, len: number, args: readonly unknown[]): ShiftingCall | null {
  let at: number;
  let removed: number;
  let items: readonly unknown[];
  if (fn === Array.prototype.shift) {
    [at, removed, items] = [0, Math.min(1, len), []];
  } else if (fn === Array.prototype.unshift) {
    [at, removed, items] = [0, 0, args];
  } else {
    if (args.length === 0) return null;
    const s = toInteger(args[0]);
    at = s < 0 ? Math.max(len + s, 0) : Math.min(s, len);
    removed = args.length === 1 ? len - at : Math.min(Math.max(toInteger(args[1]), 0), len - at);
    items = args.slice(2);
  }
  if (removed === items.length || at + removed >= len) return null;
  return { splice: [at, removed], items };
}

/** ECMAScript ToIntegerOrInfinity for the numbers a splice takes. */
function toInteger(v: unknown): number {
  const n = Number(v);
  return Number.isNaN(n) ? 0 : Math.trunc(n);
}
