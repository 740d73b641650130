/**
 * The engine's own form of a hydrated tree. It mirrors the wire tree of PROTOCOL.md §4 but keeps
 * what the differ needs: which compiled block produced a node (its structure), item keys, and the
 * links that let an unchanged subtree be recognised by identity in O(1).
 *
 * Every value here is immutable once made: the next render builds new values, sharing unchanged
 * subtrees by reference. What a client holds beyond the tree (see `diff.ts`, `HeldRanges`) lives
 * beside it, in that client's view.
 */
import type { Block, RangeConstruct } from "./compile.js";
import type { ItemList, KeyIndex } from "./item-list.js";

/** A hydrated slot: escaped text, a nested node, or a range. */
export type VValue = string | VNode | VRange;

/** A node produced by one compiled block; `slots[i]` fills the gap after `block.statics[i]`. */
export interface VNode {
  readonly kind: "node";
  readonly block: Block;
  readonly slots: readonly VValue[];
  /** True when some slot, at any depth through nodes, is a range (the client's merge rule). */
  readonly hasRange: boolean;
}

/** One item of a range: its key and its slot values. */
export interface VItem {
  readonly key: string;
  /** The item's own identity before deduplication: its key slot text, or its content hash. */
  readonly h: string;
  /**
   * The data key the item was produced from (a map key; for an array the index it was rendered
   * at, which a shift may have changed since: array items are found by position).
   */
  readonly dk: unknown;
  /** The element the item was rendered from (lets a list shift reuse the item, see hydrate-range.ts). */
  readonly el: unknown;
  readonly slots: readonly VValue[];
}

/**
 * How a range was made from the previous render's range at its place, which the differ uses to
 * look only at what changed:
 * - `full`: built from scratch (compare the two lists as wholes);
 * - `patched`: the items at `dirty` were re-run (keys kept), `removed` dropped from the end and
 *   the items from `addedFrom` on added;
 * - `shifted`: items before `from` are the previous ones, the rest were re-keyed (a shift after an
 *   insert or a removal); `oldTail` holds the previous items from `from` on, `was` each new
 *   item's previous position (-1: new) and `kept` which old items stayed.
 * - `spliced`: the array was edited by splices (see splice-range.ts); `units` are the new list
 *   in order, `gone` the previous items no longer in it (in previous order) and `changed` the new
 *   positions of kept items whose content may differ, with their previous items.
 * `of` is the previous range's item list, so the differ can check that the client holds it.
 */
export type RangeChange =
  | { readonly mode: "full" }
  | {
      readonly mode: "patched";
      readonly of: ItemList<VItem>;
      readonly dirty: readonly number[];
      readonly replaced: readonly VItem[];
      readonly removed: readonly VItem[];
      readonly addedFrom: number;
    }
  | {
      readonly mode: "shifted";
      readonly of: ItemList<VItem>;
      readonly from: number;
      readonly oldTail: readonly VItem[];
      readonly was: readonly number[];
      /** For each item of `oldTail`, 1 when some new item came from it (0: it is gone). */
      readonly kept: Uint8Array;
    }
  | {
      readonly mode: "spliced";
      readonly of: ItemList<VItem>;
      readonly units: readonly SpliceUnit[];
      readonly gone: readonly VItem[];
      readonly changed: readonly (readonly [number, VItem])[];
    };

/**
 * A stretch of a spliced list: `len` items from new position `at`, which were the previous items
 * from position `old` on (in the same order), or are new (`old` is -1).
 */
export interface SpliceUnit {
  readonly at: number;
  readonly len: number;
  readonly old: number;
}

/** The change of a range built from scratch. */
export const FULL: RangeChange = { mode: "full" };

/** A range. `idKey` is the slot index of the declared key, or `"_k"` for generated keys. */
export interface VRange {
  readonly kind: "range";
  readonly construct: RangeConstruct;
  readonly idKey: string;
  readonly items: ItemList<VItem>;
  /** key -> position; keys are unique within a range by construction. */
  readonly index: KeyIndex;
  readonly change: RangeChange;
}

/** Builds a node, computing its range flag. */
export function makeNode(block: Block, slots: readonly VValue[]): VNode {
  let hasRange = false;
  for (const v of slots) {
    if (typeof v !== "string" && (v.kind === "range" || v.hasRange)) {
      hasRange = true;
      break;
    }
  }
  return { kind: "node", block, slots, hasRange };
}
