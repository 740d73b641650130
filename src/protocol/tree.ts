/**
 * The live tree on the wire (PROTOCOL.md §4-6): what the server sends and the client caches.
 * The keys and op heads are those of `wire.ts`; this file adds the shapes built from them.
 */
import type { GENERATED_KEY, OP, RANGE_ITEMS, RANGE_META, STATICS } from "./wire.js";

/** A value in a slot: escaped HTML text, a number, a boolean, a nested node, or a range node. */
export type SlotValue = string | number | boolean | TreeNode | RangeNode;

/**
 * A node: `s` holds the statics (one more than the slots), numeric keys hold slot values.
 * Its HTML is s[0] + v0 + s[1] + ... + s[n].
 */
export interface TreeNode {
  [STATICS]?: string[];
  [slot: string]: SlotValue | string[] | undefined;
}

/** One item of a range: numeric slots, plus `_k` when keys are generated. */
export interface RangeItem {
  [GENERATED_KEY]?: string;
  [slot: string]: SlotValue | undefined;
}

/** Range metadata: the name of the key slot (a slot index, or `_k` for generated keys). */
export interface RangeMeta {
  idKey: string;
}

/** A range: item statics, items, and the name of the key slot. */
export interface RangeNode {
  [STATICS]: string[];
  [RANGE_ITEMS]: RangeItem[];
  [RANGE_META]?: RangeMeta;
}

/** A range operation (PROTOCOL.md §6). */
export type RangeOp =
  | [typeof OP.remove, string]
  | [typeof OP.update, string, RangeItem]
  | [typeof OP.append, RangeItem[]]
  | [typeof OP.append, RangeItem[], string[]]
  | [typeof OP.append, RangeItem[], string[], RangeMeta]
  | [typeof OP.prepend, RangeItem[]]
  | [typeof OP.prepend, RangeItem[], string[]]
  | [typeof OP.insert, string, RangeItem]
  | [typeof OP.order, string[]];

/** An update: a partial node whose slots may also hold lists of range operations. */
export interface TreeUpdate {
  [STATICS]?: string[];
  [slot: string]: SlotValue | string[] | RangeOp[] | TreeUpdate | undefined;
}
