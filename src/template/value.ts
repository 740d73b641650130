/**
 * How template execution sees JavaScript values: Go's truth, field and method lookup,
 * the kinds used by comparisons, and the iteration order of `range`.
 *
 * The mapping onto Go's data model:
 * - `undefined` is Go's invalid value: a missing map key, or the data of `Execute(nil)`.
 *   Printed by an action it gives `<no value>`; a field of it is again `undefined`.
 * - `null` is a nil interface: a present key whose value is nil. A field of it is an error
 *   (`nil pointer evaluating interface {}.X`). A pipeline's final `null` becomes `undefined`,
 *   exactly as Go digs the nil out of an `interface{}` result.
 * - numbers, strings and booleans are Go's int (or float64 when not integral), string and bool;
 *   arrays are slices, `Map`s and plain objects are maps, other objects are structs whose
 *   properties (own or from class prototypes, never from `Object.prototype`) are fields, and
 *   whose function-valued properties are methods.
 */
import { TrustedContent } from "./content.js";

/** True for `{}`-literal objects and `Object.create(null)` objects: the map-like objects. */
export function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * The property `name` of an object as a template field: own properties first, then properties
 * defined by class prototypes (methods and getters). Nothing inherited from `Object.prototype`
 * is visible, and neither is `constructor` unless it is an own property, so a template cannot
 * reach the `Function` constructor. Returns `undefined` when there is no such property.
 */
export function getProperty(obj: object, name: string): unknown {
  const rec = obj as Record<string, unknown>;
  if (name !== "__proto__") {
    const v = rec[name];
    // Object.prototype holds only functions (and the __proto__ accessor), so any other
    // value found by a plain read is a legitimate own or class-defined property.
    if (v !== undefined && typeof v !== "function") return v;
  }
  return getPropertyAfterRead(obj, name);
}

/**
 * The rest of {@link getProperty} after its first plain read of `name` found no data (undefined
 * or a function), or when `name` is `__proto__`: for a caller that made that read itself.
 */
export function getPropertyAfterRead(obj: object, name: string): unknown {
  const rec = obj as Record<string, unknown>;
  if (hasOwn.call(obj, name)) return rec[name];
  if (name === "constructor") return undefined;
  let proto: unknown = Object.getPrototypeOf(obj);
  while (proto !== null && proto !== Object.prototype && proto !== Function.prototype) {
    if (hasOwn.call(proto, name)) return rec[name];
    proto = Object.getPrototypeOf(proto);
  }
  return undefined;
}

/** Number of entries of a plain object, counting only keys whose value is not `undefined`. */
export function objectSize(obj: object): number {
  let n = 0;
  const rec = obj as Record<string, unknown>;
  for (const k in rec) if (hasOwn.call(rec, k) && rec[k] !== undefined) n++;
  return n;
}

/**
 * Go's notion of truth, used by `if`, `with`, `and`, `or` and `not`: false, 0, "", nil
 * (`null`/`undefined`) and empty arrays, Maps, Sets and plain objects are false; everything
 * else (including NaN, functions and class instances) is true.
 */
export function isTrue(v: unknown): boolean {
  switch (typeof v) {
    case "boolean":
      return v;
    case "string":
      return v.length > 0;
    case "number":
      return v !== 0;
    case "undefined":
      return false;
    case "bigint":
      return v !== 0n;
    case "object":
      if (v === null) return false;
      if (Array.isArray(v)) return v.length > 0;
      if ((v as { constructor?: unknown }).constructor === Object || isPlainObject(v)) {
        const rec = v as Record<string, unknown>;
        for (const k in rec) if (hasOwn.call(rec, k) && rec[k] !== undefined) return true;
        return false;
      }
      if (v instanceof Map || v instanceof Set) return v.size > 0;
      if (v instanceof TrustedContent) return v.value.length > 0;
      if (ArrayBuffer.isView(v)) return v.byteLength > 0;
      return true;
    default:
      return true;
  }
}

/**
 * Orders strings by code point, as Go orders them (bytewise UTF-8). JavaScript's `<` compares
 * UTF-16 code units, which puts astral characters before U+E000..U+FFFF; this fixes that.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

const HIGH_CHAR = /[\ud800-\uffff]/;

function simpleCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The keys of a plain object whose value is not `undefined`, in Go's sorted map order. */
export function sortedObjectKeys(obj: object): string[] {
  const rec = obj as Record<string, unknown>;
  const keys: string[] = [];
  let high = false;
  for (const k in rec) {
    if (hasOwn.call(rec, k) && rec[k] !== undefined) {
      keys.push(k);
      if (!high && HIGH_CHAR.test(k)) high = true;
    }
  }
  return keys.sort(high ? compareStrings : simpleCompare);
}

function keyRank(k: unknown): number {
  switch (typeof k) {
    case "boolean":
      return 0;
    case "number":
    case "bigint":
      return 1;
    case "string":
      return 2;
    default:
      return 3;
  }
}

/**
 * Compares two Map keys in the order Go's fmtsort gives map keys: numbers numerically (NaN
 * first), strings by code point, false before true. Keys of different kinds (which a Go map
 * cannot mix) are grouped booleans, numbers, strings, others; others keep insertion order.
 */
export function compareKeys(a: unknown, b: unknown): number {
  const ra = keyRank(a);
  const rb = keyRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return (a ? 1 : 0) - (b ? 1 : 0);
    case 1: {
      const x = a as number | bigint;
      const y = b as number | bigint;
      const xn = typeof x === "number" && Number.isNaN(x);
      const yn = typeof y === "number" && Number.isNaN(y);
      if (xn || yn) return xn && yn ? 0 : xn ? -1 : 1;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 2:
      return compareStrings(a as string, b as string);
    default:
      return 0;
  }
}

/** The entries of a Map in Go's sorted key order (Array.prototype.sort is stable). */
export function sortedMapEntries(m: Map<unknown, unknown>): [unknown, unknown][] {
  return Array.from(m.entries()).sort((x, y) => compareKeys(x[0], y[0]));
}

/** The basic kinds Go's comparison functions distinguish; numbers are one kind here. */
export type BasicKind = "bool" | "number" | "string" | "nil" | "other";

/** Classifies a value for `eq`, `lt` and friends. Trusted content compares as its string. */
export function basicKind(v: unknown): BasicKind {
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "number":
    case "bigint":
      return "number";
    case "string":
      return "string";
    case "undefined":
      return "nil";
    case "object":
      if (v === null) return "nil";
      if (v instanceof TrustedContent) return "string";
      return "other";
    default:
      return "other";
  }
}

/** Go's reflect kind of a non-basic value, which decides whether `eq` may compare it. */
export function referenceKind(v: unknown): "slice" | "map" | "func" | "struct" {
  if (typeof v === "function") return "func";
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return "slice";
  if (v instanceof Map || v instanceof Set) return "map";
  if (typeof v === "object" && v !== null && isPlainObject(v)) return "map";
  return "struct";
}

/** The string a string-kind value compares as. */
export function stringOf(v: unknown): string {
  return v instanceof TrustedContent ? v.value : (v as string);
}
