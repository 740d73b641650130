/**
 * Hydrated values in their wire form (PROTOCOL.md §4): text as a JSON number or string, item keys
 * the client can use, and the objects that wire nodes and items are made from. The differ calls
 * these for every slot of a full tree, so they are written for speed.
 */
import type { SlotValue } from "../protocol/tree.js";
import { GENERATED_KEY, STATICS } from "../protocol/wire.js";

/**
 * True when `s` is the text of an integer that travels as a JSON number: an optional minus, then
 * `0` or 1-15 digits without a leading zero (`/^-?(?:0|[1-9]\d{0,14})$/`), and not `-0`, which
 * would print back as `0`. Written as a scan because it runs on every slot of a full tree.
 */
export function isWireInteger(s: string): boolean {
  const n = s.length;
  const from = n > 0 && s.charCodeAt(0) === 45 ? 1 : 0;
  if (from === n || n - from > 15) return false;
  const first = s.charCodeAt(from);
  if (first === 48) return n === 1;
  if (first < 49 || first > 57) return false;
  for (let i = from + 1; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Wire form of escaped text. Integers travel as numbers (the client prints them back the same);
 * text the client would drop (it ignores strings of the form `{{...}}`) travels as a static-only node.
 */
export function encodeText(s: string): SlotValue {
  if (isWireInteger(s)) return Number(s);
  if (s.startsWith("{{") && s.endsWith("}}")) return { [STATICS]: [s] };
  return s;
}

/**
 * Objects with the keys `0` .. `n - 1`, by `n`. A wire node or item is made by copying one and
 * filling it in: V8 copies integer keys with their storage, several times faster than adding
 * them one by one to an empty object. (JSON and key order are the same either way: integer keys
 * come first, in ascending order.)
 */
const shapes: Record<number, null>[] = [];

export function slotObject(n: number): Record<number, unknown> {
  let shape = shapes[n];
  if (shape === undefined) {
    shape = {};
    for (let i = 0; i < n; i++) shape[i] = null;
    shapes[n] = shape;
  }
  return { ...shape };
}

/** The slot index a range's `idKey` names, or -1 for generated keys. */
export function keySlotOf(idKey: string): number {
  return idKey === GENERATED_KEY ? -1 : Number(idKey);
}

/** True when the client can use `s` as an item key (it drops empty keys and `{{...}}` text). */
export function isUsableKey(s: string): boolean {
  return s !== "" && !(s.startsWith("{{") && s.endsWith("}}"));
}
