/**
 * Diff: turns two hydrated trees into the smallest update the client can apply (PROTOCOL.md §5-6),
 * and a hydrated tree into a full wire tree.
 *
 * The published client merges an update into its cached tree (tree-renderer.js,
 * `deepMergeTreeNodes`): a node sent with statics replaces the cached one only when the cached one
 * has a slot the new one lacks, or held a range and the new one holds none; otherwise the two are
 * merged key by key, and a cached range's `d`/`m` would survive under new statics. `full()` mirrors
 * that rule and, where the merge would go wrong (a range replaced by a node that itself contains a
 * range), sends the node as a one-item range, which always merges exactly. Which nodes the client
 * holds that way is part of what the client holds, not of the tree: a {@link HeldRanges} set
 * owned by that client's view, which the {@link Differ} keeps up to date.
 *
 * Neither tree is written: the update is computed from the two, and shares statics arrays with
 * the compiled blocks (serialise it, do not mutate it).
 */
import type { RangeItem, RangeNode, RangeOp, SlotValue, TreeNode, TreeUpdate } from "../protocol/tree.js";
import { GENERATED_KEY, OP, RANGE_ITEMS, RANGE_META, STATICS } from "../protocol/wire.js";
import type { ItemList } from "./item-list.js";
import { runLis } from "./run-lis.js";
import { encodeText, keySlotOf, slotObject } from "./wire-values.js";
import type { SpliceUnit, VItem, VNode, VRange, VValue } from "./value.js";

/** Wire form of a slot in an update: a value, a partial node, or range operations. */
export type WireDiff = SlotValue | TreeUpdate | RangeOp[];

/**
 * The nodes a client holds as a one-item range (sent so in place of a range, see {@link Differ}).
 * A `WeakSet<VNode>` owned by the client's view is one.
 */
export interface HeldRanges {
  has(node: VNode): boolean;
  add(node: VNode): unknown;
  delete(node: VNode): unknown;
}

/** Indices (into `seq`) of one longest strictly increasing subsequence. */
export function lis(seq: number[]): boolean[] {
  const n = seq.length;
  const tails: number[] = [];
  const prev = new Array<number>(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const v = seq[i]!;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seq[tails[mid]!]! < v) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const keep = new Array<boolean>(n).fill(false);
  let k = tails.length > 0 ? tails[tails.length - 1]! : -1;
  while (k >= 0) {
    keep[k] = true;
    k = prev[k]!;
  }
  return keep;
}

const jsonLen = (v: unknown): number => JSON.stringify(v).length;

/**
 * Computes updates for one client: `held` is that client's {@link HeldRanges}, updated as nodes
 * are sent plain or as one-item ranges. Use one Differ per update; it keeps no other state.
 */
export class Differ {
  constructor(private readonly held: HeldRanges) {}

  private plainNode(n: VNode): TreeNode {
    this.held.delete(n);
    const slots = n.slots;
    const out = slotObject(slots.length) as TreeNode;
    out[STATICS] = n.block.statics;
    for (let i = 0; i < slots.length; i++) out[i] = this.full(undefined, slots[i]!);
    return out;
  }

  private disguise(n: VNode): RangeNode {
    this.held.add(n);
    const item = slotObject(n.slots.length) as RangeItem;
    for (let i = 0; i < n.slots.length; i++) item[i] = this.full(undefined, n.slots[i]!);
    return { [STATICS]: n.block.statics, [RANGE_ITEMS]: [item] };
  }

  /** Full wire form of an item (all slots, nested nodes with statics). */
  private fullItem(item: VItem, idKey: string): RangeItem {
    const slots = item.slots;
    const out = slotObject(slots.length) as RangeItem;
    const keySlot = keySlotOf(idKey);
    for (let i = 0; i < slots.length; i++) {
      const v = slots[i]!;
      // A declared key slot stays a string: the client compares it with `===` to op keys.
      out[i] = i === keySlot && typeof v === "string" ? v : this.full(undefined, v);
    }
    if (idKey === GENERATED_KEY) out[GENERATED_KEY] = item.key;
    return out;
  }

  /** Full wire form of a range. `m` is always sent: a merge would otherwise keep a stale one. */
  private fullRange(r: VRange): RangeNode {
    const items = r.items.toArray();
    const d: RangeItem[] = new Array<RangeItem>(items.length);
    for (let i = 0; i < items.length; i++) d[i] = this.fullItem(items[i]!, r.idKey);
    return { [STATICS]: r.construct.body.statics, [RANGE_ITEMS]: d, [RANGE_META]: { idKey: r.idKey } };
  }

  /**
   * Full wire form of `n`, for a place where the client currently holds `p` (undefined: nothing,
   * or a value that a merge replaces outright).
   */
  private full(p: VValue | undefined, n: VValue): SlotValue {
    if (typeof n === "string") return encodeText(n);
    if (n.kind === "range") return this.fullRange(n);
    if (p === undefined || typeof p === "string") return this.plainNode(n);
    if (p.kind === "range" || this.held.has(p)) return n.hasRange ? this.disguise(n) : this.plainNode(n);
    // The client holds a plain node: it replaces it only in these two cases, otherwise merges.
    if (p.slots.length > n.slots.length || (p.hasRange && !n.hasRange)) return this.plainNode(n);
    this.held.delete(n);
    const out = slotObject(n.slots.length) as TreeNode;
    out[STATICS] = n.block.statics;
    for (let i = 0; i < n.slots.length; i++) out[i] = this.full(p.slots[i], n.slots[i]!);
    return out;
  }

  /** The update that turns the client's `p` into `n`, or undefined when nothing changed. */
  private diffValue(p: VValue, n: VValue): WireDiff | undefined {
    if (p === n) return undefined;
    if (typeof n === "string") return encodeText(n);
    if (typeof p !== "string") {
      if (n.kind === "node") {
        if (p.kind === "node" && p.block === n.block && !this.held.has(p)) return this.diffNode(p, n);
      } else if (p.kind === "range" && p.construct === n.construct) {
        const r = this.diffRange(p, n);
        if (r === null) return undefined;
        if (r !== "full") return r;
      }
    }
    return this.full(p, n);
  }

  /** Changed slots of two nodes of the same block, or undefined when none changed. */
  private diffNode(p: VNode, n: VNode): TreeUpdate | undefined {
    if (p === n) return undefined;
    let out: TreeUpdate | undefined;
    for (let i = 0; i < n.slots.length; i++) {
      const d = this.diffValue(p.slots[i]!, n.slots[i]!);
      if (d !== undefined) (out ??= {})[i] = d;
    }
    return out;
  }

  private diffItem(p: VItem, n: VItem, idKey: string): RangeItem | undefined {
    if (p === n) return undefined;
    let out: RangeItem | undefined;
    const keySlot = keySlotOf(idKey);
    for (let i = 0; i < n.slots.length; i++) {
      if (i === keySlot) continue; // same key, same key text
      const d = this.diffValue(p.slots[i]!, n.slots[i]!);
      if (d !== undefined) (out ??= {})[i] = d as SlotValue;
    }
    if (idKey === GENERATED_KEY && p.key !== n.key) (out ??= {})[GENERATED_KEY] = n.key;
    return out;
  }

  /**
   * Adds the items of `items` from `from` on at the end: one append op, or for an exposed range
   * (see {@link diffTree}) a chain of inserts after the item before them, which the published
   * client's direct DOM path places next to that item instead of at the end of the container.
   */
  private pushTail(ops: RangeOp[], items: ItemList<VItem>, from: number, idKey: string, exposed: boolean): void {
    if (!exposed || from === 0) {
      const added: RangeItem[] = [];
      for (let j = from; j < items.length; j++) added.push(this.fullItem(items.at(j)!, idKey));
      ops.push([OP.append, added]);
      return;
    }
    for (let j = from; j < items.length; j++) ops.push([OP.insert, items.at(j - 1)!.key, this.fullItem(items.at(j)!, idKey)]);
  }

  /**
   * Range operations turning `p` into `n` (same construct), null when nothing changed, or "full"
   * when the whole range node should be sent instead.
   */
  private diffRange(p: VRange, n: VRange, exposed = false): RangeOp[] | "full" | null {
    if (p.idKey !== n.idKey) return "full";
    const idKey = n.idKey;
    const ch = n.change;
    if (ch.mode === "patched" && ch.of === p.items) {
      // Only `dirty` items were re-run (keys kept); items may be dropped from or added at the end.
      const ops: RangeOp[] = [];
      for (const r of ch.removed) ops.push([OP.remove, r.key]);
      ch.dirty.forEach((i, j) => {
        const old = ch.replaced[j]!;
        const d = this.diffItem(old, n.items.at(i)!, idKey);
        if (d) ops.push([OP.update, old.key, d]);
      });
      if (ch.addedFrom < n.items.length) this.pushTail(ops, n.items, ch.addedFrom, idKey, exposed);
      return ops.length > 0 ? ops : null;
    }
    if (ch.mode === "shifted" && ch.of === p.items) {
      // Items before `from` are the same in both lists; `oldTail` held the rest.
      const { from, was, kept } = ch;
      // The old items no new item came from are gone.
      return this.diffLists(ch.oldTail, from, (j) => (was[j - from]! >= 0 ? was[j - from] : undefined), (k) => kept[k] === 0, n, exposed);
    }
    if (ch.mode === "spliced" && ch.of === p.items) return this.diffSpliced(p, n, ch.units, ch.gone, ch.changed, exposed);
    if (p.items.length === 0 && n.items.length === 0) return null;
    if (p.items.length === 0) return [[OP.append, n.items.toArray().map((it) => this.fullItem(it, idKey))]];
    if (n.items.length === 0) return "full";
    const N = n.items.toArray();
    const P = p.items.toArray();
    return this.diffLists(P, 0, (j) => p.index.get(N[j]!.key), (k) => !n.index.has(P[k]!.key), n, exposed);
  }

  /**
   * Operations turning the old list into `n`'s items, where the first `from` items of both are
   * the same items (kept, unchanged) and `P` holds the old items from `from` on; `oldAt(j)` gives
   * the old position of the new item at `j`, undefined for a new item, and `gone(k)` whether
   * `P[k]` has no place in the new list. With `from` = 0 this is
   * the whole comparison; a larger `from` gives the same operations while looking only at the
   * lists' ends (the kept prefix is an increasing run of old positions below every other, so the
   * longest increasing subsequence starts with it).
   */
  private diffLists(
    P: readonly VItem[],
    from: number,
    oldAt: (j: number) => number | undefined,
    gone: (k: number) => boolean,
    n: VRange,
    exposed: boolean,
  ): RangeOp[] | "full" | null {
    const idKey = n.idKey;
    const N = n.items.toArray();
    const oldItem = (pos: number): VItem => P[pos - from]!;
    const removes: RangeOp[] = [];
    for (let k = 0; k < P.length; k++) if (gone(k)) removes.push([OP.remove, P[k]!.key]);
    const oldPos: number[] = [];
    const newPos: number[] = [];
    for (let j = from; j < N.length; j++) {
      const oi = oldAt(j);
      if (oi !== undefined) {
        oldPos.push(oi);
        newPos.push(j);
      }
    }
    if (oldPos.length === 0 && from === 0) return "full";
    const keep = lis(oldPos);
    // stable[j - from]: the item at new position j keeps its place (positions below `from` all do).
    const stable = new Array<boolean>(N.length - from).fill(false);
    const movedNew: number[] = [];
    for (let t = 0; t < oldPos.length; t++) {
      if (keep[t]) stable[newPos[t]! - from] = true;
      else movedNew.push(newPos[t]!);
    }
    const isStable = (j: number): boolean => j < from || stable[j - from]!;

    // Moves either as remove + re-insert of each moved item, or as one order op of every key.
    let useOrder = false;
    if (movedNew.length > 0 && !exposed) {
      let orderCost = 8;
      for (const it of N) orderCost += it.key.length + 3;
      let moveCost = 0;
      for (const j of movedNew) {
        moveCost += jsonLen(this.fullItem(N[j]!, idKey)) + 2 * N[j]!.key.length + 16;
        if (moveCost > orderCost) {
          useOrder = true;
          break;
        }
      }
    }

    const ops: RangeOp[] = [...removes];
    let inserted = 0;
    if (useOrder) {
      for (let t = 0; t < oldPos.length; t++) {
        const d = this.diffItem(oldItem(oldPos[t]!), N[newPos[t]!]!, idKey);
        if (d) ops.push([OP.update, N[newPos[t]!]!.key, d]);
      }
      const added: RangeItem[] = [];
      for (let j = from; j < N.length; j++) if (oldAt(j) === undefined) added.push(this.fullItem(N[j]!, idKey));
      inserted = added.length;
      if (added.length > 0) ops.push([OP.append, added]);
      ops.push([OP.order, N.map((it) => it.key)]);
    } else {
      for (const j of movedNew) ops.push([OP.remove, N[j]!.key]);
      for (let t = 0; t < oldPos.length; t++) {
        if (!keep[t]) continue;
        const d = this.diffItem(oldItem(oldPos[t]!), N[newPos[t]!]!, idKey);
        if (d) ops.push([OP.update, N[newPos[t]!]!.key, d]);
      }
      let first = 0;
      while (!isStable(first)) first++;
      let last = N.length - 1;
      while (last >= from && !isStable(last)) last--;
      if (first > 0) {
        if (exposed) return "full";
        ops.push([OP.prepend, N.slice(0, first).map((it) => this.fullItem(it, idKey))]);
      }
      for (let j = Math.max(first + 1, from); j < last; j++) {
        if (!isStable(j)) ops.push([OP.insert, N[j - 1]!.key, this.fullItem(N[j]!, idKey)]);
      }
      if (last < N.length - 1) this.pushTail(ops, n.items, last + 1, idKey, exposed);
      inserted = N.length - from - oldPos.length + movedNew.length;
    }
    if (ops.length === 0) return null;
    // A large rewrite may cost more than the range itself.
    if (removes.length + inserted > N.length / 2 && jsonLen(ops) > jsonLen(this.fullRange(n))) return "full";
    return ops;
  }

  /**
   * The operations {@link diffLists} would compute for a whole-list comparison of a list edited
   * by splices, from its units (value.ts `SpliceUnit`) without visiting the items that stayed in
   * place: the same removes, moves (via the same longest increasing subsequence, run-lis.ts),
   * updates, inserts and fallbacks, in the same order.
   */
  private diffSpliced(
    p: VRange,
    n: VRange,
    units: readonly SpliceUnit[],
    gone: readonly VItem[],
    changed: readonly (readonly [number, VItem])[],
    exposed: boolean,
  ): RangeOp[] | "full" | null {
    const idKey = n.idKey;
    const items = n.items;
    const len = items.length;
    const kept = units.filter((u) => u.old >= 0);
    if (kept.length === 0) return "full";
    const keep = runLis(
      kept.map((u) => u.old),
      kept.map((u) => u.len),
    );
    const keepOf = new Map<SpliceUnit, number>();
    kept.forEach((u, k) => keepOf.set(u, keep[k]!));
    // Positions that do not keep their place, in new order: new items and moved kept ones.
    const moved: number[] = [];
    const unstable: number[] = [];
    let keptCount = 0;
    for (const u of units) {
      const k = u.old >= 0 ? keepOf.get(u)! : 0;
      if (u.old >= 0) keptCount += u.len;
      for (let j = u.at + k; j < u.at + u.len; j++) {
        unstable.push(j);
        if (u.old >= 0) moved.push(j);
      }
    }
    const isStable = (j: number): boolean => {
      // `unstable` is sorted: a binary search.
      let lo = 0;
      let hi = unstable.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (unstable[mid]! < j) lo = mid + 1;
        else hi = mid;
      }
      return unstable[lo] !== j;
    };
    const removes: RangeOp[] = gone.map((it) => [OP.remove, it.key]);
    if (moved.length > 0 && !exposed) {
      // The order op lists every key (at least 4 bytes each); only then is it worth its O(N) cost.
      let moveCost = 0;
      for (const j of moved) moveCost += jsonLen(this.fullItem(items.at(j)!, idKey)) + 2 * items.at(j)!.key.length + 16;
      if (moveCost > 8 + 4 * len) {
        let orderCost = 8;
        for (const it of items.toArray()) orderCost += it.key.length + 3;
        if (moveCost > orderCost) {
          const N = items.toArray();
          const P = p.items.toArray();
          return this.diffLists(P, 0, (j) => p.index.get(N[j]!.key), (k) => !n.index.has(P[k]!.key), n, exposed);
        }
      }
    }
    const ops: RangeOp[] = [...removes];
    for (const j of moved) ops.push([OP.remove, items.at(j)!.key]);
    for (const [j, was] of changed) {
      if (!isStable(j)) continue;
      const d = this.diffItem(was, items.at(j)!, idKey);
      if (d) ops.push([OP.update, items.at(j)!.key, d]);
    }
    let first = 0;
    for (const j of unstable) {
      if (j !== first) break;
      first++;
    }
    let last = len - 1;
    for (let t = unstable.length - 1; t >= 0 && unstable[t] === last; t--) last--;
    if (first > 0) {
      if (exposed) return "full";
      const head: RangeItem[] = [];
      for (let j = 0; j < first; j++) head.push(this.fullItem(items.at(j)!, idKey));
      ops.push([OP.prepend, head]);
    }
    for (const j of unstable) {
      if (j > first && j < last) ops.push([OP.insert, items.at(j - 1)!.key, this.fullItem(items.at(j)!, idKey)]);
    }
    if (last < len - 1) this.pushTail(ops, items, last + 1, idKey, exposed);
    const inserted = len - keptCount + moved.length;
    if (ops.length === 0) return null;
    if (removes.length + inserted > len / 2 && jsonLen(ops) > jsonLen(this.fullRange(n))) return "full";
    return ops;
  }

  /** The full wire tree of a root node (first render, reconnect). */
  fullTree(root: VNode): TreeNode {
    return this.plainNode(root);
  }

  /**
   * The update from the client's root to `next`; `{}` when nothing changed.
   *
   * `exposed` lists root slots holding a range that shares its parent element with other content.
   * The published client applies operations on ranges at the root straight to the DOM, assuming
   * the items are the only children of their parent: it appends at the parent's end, prepends at
   * its start and reorders by re-appending. For exposed ranges only anchored inserts are used; a
   * prepend or a reorder sends the whole range.
   */
  diffTree(prev: VNode, next: VNode, exposed: ReadonlySet<number> = new Set()): TreeUpdate {
    if (prev.block !== next.block) return this.plainNode(next);
    if (exposed.size === 0) return this.diffNode(prev, next) ?? {};
    const out: TreeUpdate = {};
    for (let i = 0; i < next.slots.length; i++) {
      const p = prev.slots[i]!;
      const n = next.slots[i]!;
      let d: WireDiff | undefined;
      if (exposed.has(i) && p !== n && typeof p !== "string" && typeof n !== "string" && p.kind === "range" && n.kind === "range" && p.construct === n.construct) {
        const r = this.diffRange(p, n, true);
        d = r === null ? undefined : r === "full" ? this.full(p, n) : r;
      } else d = this.diffValue(p, n);
      if (d !== undefined) out[i] = d;
    }
    return out;
  }
}

/** Root slots of `statics` whose range would not be alone in its parent element. */
export function exposedSlots(statics: readonly string[]): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i + 1 < statics.length; i++) {
    const alone = /<[A-Za-z][^<>]*>\s*$/.test(statics[i]!) && !/\/>\s*$/.test(statics[i]!) && /^\s*<\//.test(statics[i + 1]!);
    if (!alone) out.add(i);
  }
  return out;
}
