/**
 * Deriving a range from the previous one when its array was edited by splices (a change hint's
 * `ListEdit`: rows removed, inserted or moved in the middle). The splices say which previous
 * items are still there and where, so only the inserted elements are looked at (an inserted
 * element that the list held before, a moved row, gets its item back) and the items under paths
 * below the array are re-run; the untouched rows, however many the splices shifted, are never
 * visited. The new item list and key index are splice views of the previous ones (item-list.ts).
 *
 * The result's change (`spliced`, value.ts) describes the new list as units in order: runs of
 * previous items and inserted items, each with the previous position it came from (if any), from
 * which the differ computes the same operations a whole-list comparison would, in O(units).
 */
import { GENERATED_KEY } from "../protocol/wire.js";
import { isSlotted } from "../changes/builtins.js";
import type { ListEdits } from "../changes/change-set.js";
import type { RangeConstruct } from "./compile.js";
import { isUsableKey } from "./wire-values.js";
import type { ItemList, KeyIndex } from "./item-list.js";
import type { SpliceUnit, VItem, VRange } from "./value.js";

/** Segments of the new list before items are known: a run of old positions, or inserted slots. */
interface Seg {
  /** First old position of a run, or -1 for inserted elements. */
  old: number;
  len: number;
}

/** More segments than this and the splices are replayed index by index instead. */
const MAX_SEGMENTS = 256;

/**
 * The segments the splices leave, in new order (old runs always in increasing old order: a splice
 * never reorders what it keeps), or null when the splices do not fit a list of `L` items
 * becoming `L2` or are too many.
 */
export function spliceSegments(L: number, L2: number, splices: ListEdits["splices"]): Seg[] | null {
  let segs: Seg[] = L > 0 ? [{ old: 0, len: L }] : [];
  let length = L;
  for (const [at, removed, added] of splices) {
    if (at < 0 || removed < 0 || added < 0 || at + removed > length) return null;
    const out: Seg[] = [];
    let pos = 0;
    let i = 0;
    // Segments wholly before `at`.
    for (; i < segs.length && pos + segs[i]!.len <= at; i++) {
      out.push(segs[i]!);
      pos += segs[i]!.len;
    }
    let rest: Seg | null = null;
    if (i < segs.length && pos < at) {
      const s = segs[i]!;
      const head = at - pos;
      out.push({ old: s.old, len: head });
      rest = { old: s.old < 0 ? -1 : s.old + head, len: s.len - head };
      pos = at;
      i++;
    }
    // Drop `removed` positions from `at` on.
    let drop = removed;
    const after: Seg[] = [];
    const take = (s: Seg): void => {
      if (drop >= s.len) {
        drop -= s.len;
        return;
      }
      after.push(drop === 0 ? s : { old: s.old < 0 ? -1 : s.old + drop, len: s.len - drop });
      drop = 0;
    };
    if (rest) take(rest);
    for (; i < segs.length; i++) take(segs[i]!);
    if (added > 0) push(out, { old: -1, len: added });
    for (const s of after) push(out, s);
    segs = out;
    length += added - removed;
    if (segs.length > MAX_SEGMENTS) return null;
  }
  return length === L2 ? segs : null;
}

/** Appends `s`, merging it into the last segment when both are inserted slots. */
function push(out: Seg[], s: Seg): void {
  const last = out[out.length - 1];
  if (last && last.old < 0 && s.old < 0) out[out.length - 1] = { old: -1, len: last.len + s.len };
  else out.push(s);
}

/** What {@link spliceRange} needs from the hydrator. */
export interface SpliceInput {
  readonly c: RangeConstruct;
  readonly src: readonly unknown[];
  readonly before: VRange;
  readonly edits: ListEdits;
  /** Hydrates the item at index `i` of `src`, reusing the parts of `prev` its reads allow. */
  readonly run: (i: number, prev: VItem | null) => VItem;
}

/**
 * The range after the splices, or null when this way does not apply (generated keys, a key that
 * changed or collides, paths below the array that are not indices): the caller then replays the
 * splices as written indices.
 */
export function spliceRange({ c, src, before, edits, run }: SpliceInput): VRange | null {
  if (before.idKey === GENERATED_KEY) return null;
  const old = before.items;
  const L = old.length;
  const L2 = src.length;
  if (L === 0 || L2 === 0) return null;
  const segs = spliceSegments(L, L2, edits.splices);
  if (segs === null) return null;
  const deep = new Set<number>();
  for (const k of edits.kids) {
    const i = Number(k);
    if (!(String(i) === k && i >= 0 && i < L2)) return null;
    deep.add(i);
  }

  // The previous items no run keeps, by element and by key (built only when there are inserts).
  const gone: number[] = [];
  {
    const runs = segs.filter((s) => s.old >= 0);
    let next = 0;
    for (const s of runs) {
      for (let p = next; p < s.old; p++) gone.push(p);
      next = s.old + s.len;
    }
    for (let p = next; p < L; p++) gone.push(p);
  }
  let byEl: Map<unknown, number> | null = null;
  let byKey: Map<string, number> | null = null;
  const taken = new Set<number>();
  const newKeys = new Set<string>();

  const units: SpliceUnit[] = [];
  const changed: [number, VItem][] = [];
  const fresh: VItem[][] = [];
  // Items of runs re-run in place, by new position.
  const rerun: [number, VItem][] = [];
  let pos = 0;
  for (const s of segs) {
    if (s.old >= 0) {
      units.push({ at: pos, len: s.len, old: s.old });
      for (const j of deep) {
        if (j < pos || j >= pos + s.len) continue;
        const was = old.at(s.old + j - pos)!;
        const it = run(j, was);
        if (it.key !== was.key || it.h !== was.h) return null;
        if (it !== was) {
          changed.push([j, was]);
          rerun.push([j, it]);
        }
      }
      fresh.push([]);
      pos += s.len;
      continue;
    }
    const items: VItem[] = [];
    for (let j = pos; j < pos + s.len; j++) {
      const v = src[j] === undefined ? null : src[j];
      if (byEl === null) {
        byEl = new Map();
        for (let g = gone.length - 1; g >= 0; g--) byEl.set(old.at(gone[g]!)!.el, gone[g]!);
      }
      const at = byEl.get(v);
      let it: VItem;
      if (at !== undefined && !taken.has(at) && movable(v)) {
        const was = old.at(at)!;
        it = deep.has(j) ? run(j, was) : was;
      } else it = run(j, null);
      // Declared keys: the key slot text, usable and unique among the items kept.
      const k = it.h;
      if (it.key !== k || !isUsableKey(k) || newKeys.has(k)) return null;
      newKeys.add(k);
      if (byKey === null) {
        byKey = new Map();
        for (const g of gone) byKey.set(old.at(g)!.key, g);
      }
      const was = byKey.get(k);
      if (was !== undefined) {
        taken.add(was);
        units.push({ at: j, len: 1, old: was });
        if (it !== old.at(was)) changed.push([j, old.at(was)!]);
      } else {
        // A key that a kept item holds would now be in the list twice.
        if (before.index.get(k) !== undefined) return null;
        const last = units[units.length - 1];
        if (last && last.old < 0 && last.at + last.len === j) units[units.length - 1] = { at: last.at, len: last.len + 1, old: -1 };
        else units.push({ at: j, len: 1, old: -1 });
      }
      items.push(it);
    }
    fresh.push(items);
    pos += s.len;
  }

  // The new list and index: splice views of the old ones, one per gap or insert, in order.
  let items: ItemList<VItem> = old;
  let index: KeyIndex = before.index;
  let at = 0;
  let oldNext = 0;
  const apply = (removed: number, ins: readonly VItem[]): void => {
    if (removed === 0 && ins.length === 0) return;
    items = items.splice(at, removed, ins);
    index = index.splice(at, removed, ins, items);
  };
  segs.forEach((s, si) => {
    if (s.old >= 0) {
      apply(s.old - oldNext, []);
      at += s.len;
      oldNext = s.old + s.len;
    } else {
      // An insert takes the gap of old items before the next run with it.
      const nextRun = segs.slice(si + 1).find((t) => t.old >= 0);
      const removed = (nextRun ? nextRun.old : L) - oldNext;
      apply(removed, fresh[si]!);
      oldNext += removed;
      at += s.len;
    }
  });
  apply(L - oldNext, []);
  // Kept items re-run in place (same keys: the index stands).
  for (const [j, it] of rerun) items = items.splice(j, 1, [it]);
  return {
    kind: "range",
    construct: c,
    idKey: before.idKey,
    items,
    index,
    change: {
      mode: "spliced",
      of: old,
      units,
      gone: gone.filter((g) => !taken.has(g)).map((g) => old.at(g)!),
      changed: changed.sort((a, b) => a[0] - b[0]),
    },
  };
}

/**
 * True when an element found again after the splices may keep its old item: its state lives in
 * properties the journal sees (a write inside it is listed below its new index), unlike a Map,
 * Set, Date or buffer.
 */
function movable(v: unknown): boolean {
  if (typeof v !== "object" || v === null) return true;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null || !isSlotted(v);
}

/**
 * The splices as the written indices they amount to (every index from the first splice's on,
 * up to the longest the list got, and `length`), for the cases {@link spliceRange} leaves to
 * the index-by-index path, with the lowest such index.
 */
export function splicedIndices(L: number, splices: ListEdits["splices"]): { kids: string[]; from: number } {
  let from = Infinity;
  let length = L;
  let max = L;
  for (const [at, removed, added] of splices) {
    from = Math.min(from, at);
    length += added - removed;
    max = Math.max(max, length);
  }
  const kids: string[] = ["length"];
  for (let i = from; i < max; i++) kids.push(String(i));
  return { kids, from };
}
