/**
 * A structuredClone-like deep copy that keeps prototypes, so a store instance given to `handle`
 * can be copied into each session group with its methods intact.
 */

/**
 * Deep-copies `value`: plain objects, class instances (same prototype, own property descriptors
 * copied, getters/setters kept), arrays, Map, Set, Date, RegExp, typed arrays and ArrayBuffers.
 * Cycles and shared references are preserved. Functions and symbols are shared, not copied
 * (methods live on prototypes anyway). Objects with internal slots it does not know (WeakMap,
 * Promise, class instances with `#private` fields) cannot be copied faithfully: use a store
 * factory for those.
 */
export function deepClone<T>(value: T): T {
  return copy(value, new Map()) as T;
}

function copy(value: unknown, seen: Map<object, unknown>): unknown {
  if (typeof value !== "object" || value === null) return value;
  const done = seen.get(value);
  if (done !== undefined) return done;

  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    seen.set(value, out);
    for (let i = 0; i < value.length; i++) out[i] = copy(value[i], seen);
    copyExtraProps(value, out, seen, true);
    return out;
  }
  if (value instanceof Date) return remember(seen, value, new Date(value.getTime()));
  if (value instanceof RegExp) return remember(seen, value, new RegExp(value.source, value.flags));
  if (value instanceof Map) {
    const out = new Map();
    seen.set(value, out);
    for (const [k, v] of value) out.set(copy(k, seen), copy(v, seen));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set();
    seen.set(value, out);
    for (const v of value) out.add(copy(v, seen));
    return out;
  }
  if (ArrayBuffer.isView(value)) {
    const view = value as unknown as { slice(): unknown };
    return remember(seen, value, typeof view.slice === "function" ? view.slice() : value);
  }
  if (value instanceof ArrayBuffer) return remember(seen, value, value.slice(0));
  if (value instanceof WeakMap || value instanceof WeakSet || value instanceof Promise) return value;

  const out: object = Object.create(Object.getPrototypeOf(value) as object | null);
  seen.set(value, out);
  copyExtraProps(value, out, seen, false);
  return out;
}

function remember(seen: Map<object, unknown>, from: object, to: unknown): unknown {
  seen.set(from, to);
  return to;
}

function copyExtraProps(from: object, to: object, seen: Map<object, unknown>, isArray: boolean): void {
  for (const key of Reflect.ownKeys(from)) {
    if (isArray && (key === "length" || (typeof key === "string" && isIndex(key)))) continue;
    const desc = Object.getOwnPropertyDescriptor(from, key);
    if (desc === undefined) continue;
    if ("value" in desc) desc.value = copy(desc.value, seen);
    Object.defineProperty(to, key, desc);
  }
}

function isIndex(key: string): boolean {
  return /^(0|[1-9]\d*)$/.test(key);
}
