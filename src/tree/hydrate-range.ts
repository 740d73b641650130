/**
 * Range hydration rules that need no executor: choosing item keys for a list built from scratch
 * (`full`), and deriving a list from the previous one when only some items were re-run
 * (`patched`) or re-keyed by a shift (`shifted`). See value.ts `RangeChange`.
 *
 * Nothing here writes the previous range: derived lists share its storage (item-list.ts).
 */
import { GENERATED_KEY } from "../protocol/wire.js";
import { isSlotted } from "../changes/builtins.js";
import type { RangeConstruct } from "./compile.js";
import { isUsableKey } from "./wire-values.js";
import { vNodeHtml } from "./html.js";
import { ItemList, KeyIndex } from "./item-list.js";
import { FULL, type VItem, type VRange, type VValue } from "./value.js";

/** A short stable hash of a string (the generated key of an item's content). */
export function fnv(s: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 16777619);
    h2 = Math.imul(h2 ^ c, 2246822519);
  }
  return (h1 >>> 0).toString(36) + (h2 >>> 0 & 0xffff).toString(36);
}

/** The generated key of an item of `c` with these slots: a hash of its HTML. */
export function contentKey(c: RangeConstruct, slots: readonly VValue[]): string {
  return fnv(vNodeHtml({ kind: "node", block: c.body, slots, hasRange: false }));
}

/**
 * The range of freshly hydrated `items` (the array is given up): the declared key slot when every
 * item has a usable, unique one, else generated content keys made unique by an occurrence suffix.
 */
export function finishRange(c: RangeConstruct, items: VItem[]): VRange {
  const index = new Map<string, number>();
  if (c.keySlot !== null) {
    let ok = true;
    for (let i = 0; i < items.length; i++) {
      const k = items[i]!.h;
      // One map operation per key: a repeated key leaves the size short (the index is then dropped).
      if (!isUsableKey(k) || index.set(k, i).size !== i + 1) {
        ok = false;
        break;
      }
    }
    if (ok) {
      // An item may carry a key from an earlier generated-key render.
      for (let i = 0; i < items.length; i++) if (items[i]!.key !== items[i]!.h) items[i] = { ...items[i]!, key: items[i]!.h };
      return { kind: "range", construct: c, idKey: String(c.keySlot), items: ItemList.of(items), index: KeyIndex.of(index), change: FULL };
    }
    index.clear();
  }
  const seen = new Map<string, number>();
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    const h = c.keySlot !== null ? contentKey(c, it.slots) : it.h;
    const n = seen.get(h) ?? 0;
    seen.set(h, n + 1);
    const key = n === 0 ? h : `${h}~${n}`;
    if (key !== it.key) items[i] = { ...it, key };
    index.set(key, i);
  }
  return { kind: "range", construct: c, idKey: GENERATED_KEY, items: ItemList.of(items), index: KeyIndex.of(index), change: FULL };
}

/** What {@link patchRange} needs from the hydrator. */
export interface PatchInput {
  readonly c: RangeConstruct;
  /** The array the range iterates now. */
  readonly src: readonly unknown[];
  /** The previous render's range at this place (same construct). */
  readonly before: VRange;
  /** The written path segments directly below the array (indices and `length`). */
  readonly kids: Iterable<string>;
  /** Whether an element found at another written index may stand for its old item (see {@link reusable}). */
  readonly reuse: boolean;
  /** Hydrates the item at index `i` of `src`, reusing the parts of `prev` its reads allow. */
  readonly run: (i: number, prev: VItem | null) => VItem;
}

/**
 * Re-runs only the items under written paths when the array itself was not replaced (writes
 * only below it: indices and `length`) and nothing else the range reads changed. Items past the
 * old length are added, items past the new length dropped. Null when the writes are not of that
 * shape (the caller re-runs the whole list).
 *
 * A written index whose element the list held at another written index before (a shift by
 * `splice`, `unshift`, a sort) gets that item back instead of a re-render, unless some write
 * went below an index (then any element may have changed inside). See {@link reusable}.
 */
export function patchRange({ c, src, before, kids, reuse, run }: PatchInput): VRange | null {
  const old = before.items;
  const L = old.length;
  const L2 = src.length;
  if (L === 0 || L2 === 0) return null;
  const keep = Math.min(L, L2);
  const dirty: number[] = [];
  for (const k of kids) {
    if (k === "length") continue;
    const i = indexOf(k);
    if (i < 0) return null;
    if (i < keep) dirty.push(i);
  }
  if (dirty.length === 0 && L === L2) return before;
  dirty.sort((a, b) => a - b);
  const index = before.index;
  const replaced = dirty.map((i) => old.at(i)!);
  const removed: VItem[] = [];
  for (let i = L2; i < L; i++) removed.push(old.at(i)!);

  // Where an element was before: first the item as far from its index as the last one found
  // (a shift moves a run of elements by the same offset), else a map of the elements of the
  // written and removed items, built on the first miss.
  let byEl: Map<unknown, number> | null = null;
  let shift = 0;
  // The previous position of the item the last rerun gave back, or -1 when it made a new one.
  let reusedAt = -1;
  const rerun = (i: number, prev: VItem | null): VItem => {
    reusedAt = -1;
    if (reuse) {
      const v = src[i] === undefined ? null : src[i];
      let at = i + shift;
      let was = at >= 0 ? old.at(at) : undefined;
      if (was === undefined || was.el !== v) {
        if (!byEl) {
          byEl = new Map();
          for (let j = dirty.length - 1; j >= 0; j--) byEl.set(replaced[j]!.el, dirty[j]!);
          for (let j = removed.length - 1; j >= 0; j--) byEl.set(removed[j]!.el, L2 + j);
        }
        at = byEl.get(v) ?? -1;
        was = at >= 0 ? old.at(at) : undefined;
      }
      if (was !== undefined && reusable(v, was.el, at, i)) {
        shift = at - i;
        reusedAt = at;
        return was;
      }
    }
    return run(i, prev);
  };
  const freshAt: number[] = new Array<number>(dirty.length);
  const fresh: VItem[] = dirty.map((i, j) => {
    const it = rerun(i, replaced[j]!);
    // A re-rendered item with the key its index had before was at that index (keys are unique).
    freshAt[j] = reusedAt >= 0 ? reusedAt : it.key === replaced[j]!.key ? i : -1;
    return it;
  });
  const added: VItem[] = [];
  const addedAt: number[] = [];
  for (let i = L; i < L2; i++) {
    added.push(rerun(i, null));
    addedAt.push(reusedAt);
  }
  const taken = (key: string, seen: Set<string>): boolean => seen.has(key) || (index.get(key) ?? L2) < L2;

  // Keys: re-run items keep theirs (declared keys must not have changed); added items need
  // usable keys not held by a kept item.
  let ok = true;
  const seen = new Set<string>();
  if (before.idKey !== GENERATED_KEY) {
    ok = fresh.every((it, j) => it.h === replaced[j]!.h);
    for (const a of added) {
      if (!ok) break;
      if (!isUsableKey(a.h) || taken(a.h, seen)) ok = false;
      seen.add(a.h);
    }
    if (!ok) {
      const shifted = shiftRange(c, before, dirty, fresh, added, L2, freshAt, addedAt);
      if (shifted) return shifted;
    }
  } else {
    // Generated keys stay with their position for an edited item; when several items changed
    // (a journal of shifted indices after an insert or a removal) matching by content finds
    // the shift instead of updating every item.
    ok = fresh.filter((it, j) => it.h !== replaced[j]!.h).length <= 1;
    if (ok) fresh.forEach((it, j) => (fresh[j] = it.key === replaced[j]!.key ? it : { ...it, key: replaced[j]!.key }));
    added.forEach((a, j) => {
      const h = c.keySlot !== null ? contentKey(c, a.slots) : a.h;
      let key = h;
      for (let n = 1; taken(key, seen); n++) key = `${h}~${n}`;
      seen.add(key);
      if (key !== a.key) added[j] = { ...a, key };
    });
  }
  if (!ok) {
    const copy = old.toArray().slice(0, keep);
    dirty.forEach((i, j) => (copy[i] = fresh[j]!));
    for (const a of added) copy.push(a);
    return finishRange(c, copy);
  }
  const items = old.derive(
    keep,
    dirty.map((i, j) => [i, fresh[j]!] as const),
    added,
  );
  return {
    kind: "range",
    construct: c,
    idKey: before.idKey,
    items,
    index: index.derive(keep, added, items),
    change: { mode: "patched", of: old, dirty, replaced, removed, addedFrom: L },
  };
}

/**
 * Declared keys that changed at re-run indices (items shifted): when every new key is usable
 * and unique, derives the list from the first re-run index on and keeps the previous items from
 * there for the differ (which then looks at that part only). Null when the keys do not allow it
 * (the caller re-keys the whole list).
 */
function shiftRange(
  c: RangeConstruct,
  before: VRange,
  dirty: readonly number[],
  fresh: readonly VItem[],
  added: readonly VItem[],
  L2: number,
  freshAt: readonly number[],
  addedAt: readonly number[],
): VRange | null {
  const old = before.items;
  const index = before.index;
  const L = old.length;
  const keep = Math.min(L, L2);
  const from = dirty.length > 0 ? Math.min(dirty[0]!, keep) : keep;
  const next: VItem[] = [];
  // Where each new item was, when known without a key lookup (-1: look its key up).
  const known: number[] = [];
  for (let i = from; i < keep; i++) {
    next.push(old.at(i)!);
    known.push(i);
  }
  dirty.forEach((i, j) => {
    next[i - from] = fresh[j]!;
    known[i - from] = freshAt[j]!;
  });
  added.forEach((a, j) => {
    next.push(a);
    known.push(addedAt[j]!);
  });
  // Old positions of the new items (-1: new). Keys must be usable and unique: kept ones held
  // distinct old positions after `from`, new ones are checked with a set.
  const was: number[] = new Array<number>(next.length);
  const held = new Uint8Array(L - from);
  let newKeys: Set<string> | null = null;
  for (let j = 0; j < next.length; j++) {
    const it = next[j]!;
    // Declared keys: every item's key is its key slot text.
    const k = it.key;
    if (k !== it.h || !isUsableKey(k)) return null;
    // An item given back by a rerun is the previous item at that position, key included.
    const o = known[j]! >= 0 ? known[j] : index.get(k);
    if (o === undefined) {
      newKeys ??= new Set();
      if (newKeys.has(k)) return null;
      newKeys.add(k);
      was[j] = -1;
    } else {
      if (o < from || held[o - from] === 1) return null;
      held[o - from] = 1;
      was[j] = o;
    }
  }
  const oldTail: VItem[] = [];
  for (let i = from; i < L; i++) oldTail.push(old.at(i)!);
  const items = old.derive(from, [], next);
  return {
    kind: "range",
    construct: c,
    idKey: before.idKey,
    items,
    index: index.derive(from, next, items),
    change: { mode: "shifted", of: old, from, oldTail, was, kept: held },
  };
}

/**
 * True when the item rendered from `old` (at index `oldAt`) can stand for element `v` at index
 * `at`: a primitive renders the same wherever it is; an object must have moved (the same object
 * re-reported at its own index may have been changed inside, which a coarse index path allows)
 * and must keep its state in properties a write journal sees (not a Map, Set, Date or buffer,
 * whose changes are reported at their own path).
 */
function reusable(v: unknown, old: unknown, oldAt: number, at: number): boolean {
  if (typeof v !== "object" && typeof v !== "function") return Object.is(v, old);
  if (v === null) return old === null;
  if (oldAt === at) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return true;
  return !isSlotted(v);
}

/** The array index a path segment names (canonical decimal), or -1. */
function indexOf(k: string): number {
  const n = k.length;
  if (n === 0 || n > 15 || (n > 1 && k.charCodeAt(0) === 48)) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = k.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}
