/**
 * The engine's own form of a hydrated tree. It mirrors the wire tree of PROTOCOL.md §4 but keeps
 * what the differ needs: which compiled block produced a node (its structure), item keys, and the
 * links that let an unchanged subtree be recognised by identity in O(1).
 */
import type { Block, RangeConstruct } from "./compile.js";

/** A hydrated slot: escaped text, a nested node, or a range. */
export type VValue = string | VNode | VRange;

/** A node produced by one compiled block; `slots[i]` fills the gap after `block.statics[i]`. */
export interface VNode {
  readonly kind: "node";
  readonly block: Block;
  readonly slots: VValue[];
  /** True when some slot, at any depth through nodes, is a range (the client's merge rule). */
  readonly hasRange: boolean;
  /**
   * Set when this node was sent as a one-item range because the client held a range at its place
   * (see `diff.ts`); the client then holds a range here, whatever the node is.
   */
  disguised?: boolean;
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
  /** The element the item was rendered from (lets a list shift reuse the item, see hydrate.ts). */
  readonly el: unknown;
  readonly slots: VValue[];
}

/** A range. `idKey` is the slot index of the declared key, or `"_k"` for generated keys. */
export interface VRange {
  readonly kind: "range";
  readonly construct: RangeConstruct;
  readonly idKey: string;
  readonly items: VItem[];
  /** key -> position; keys are unique within a range by construction. */
  readonly index: Map<string, number>;
  /**
   * When this range was derived from `base` by re-hydrating only some items (a change hint said the
   * list itself did not change), the positions of those items; the differ then looks at them only.
   */
  readonly base?: VRange;
  readonly dirty?: number[];
  /** The items `dirty` replaced (`items` is then `base.items`, updated in place). */
  readonly replaced?: VItem[];
  /** Items dropped from the end, and the position from which `items` holds added ones. */
  readonly removed?: VItem[];
  readonly addedFrom?: number;
  /**
   * Set instead of `dirty` when re-run items changed keys (a shift after an insert or a removal):
   * items before `from` are the same in both lists, `oldTail` holds the previous items from `from`
   * on, and `items`/`index` (shared with `base`) now hold the new ones.
   */
  readonly from?: number;
  readonly oldTail?: VItem[];
  /** For each item from `from` on, its position in the previous list, or -1 when it is new. */
  readonly was?: number[];
}

/** Builds a node, computing its range flag. */
export function makeNode(block: Block, slots: VValue[]): VNode {
  let hasRange = false;
  for (const v of slots) {
    if (typeof v !== "string" && (v.kind === "range" || v.hasRange)) {
      hasRange = true;
      break;
    }
  }
  return { kind: "node", block, slots, hasRange };
}
