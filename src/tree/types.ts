/**
 * The live tree (PROTOCOL.md §4-6): what the server sends and the client caches.
 */

/** A value in a slot: escaped HTML text, a number, a boolean, a nested node, or a range node. */
export type SlotValue = string | number | boolean | TreeNode | RangeNode;

/**
 * A node: `s` holds the statics (one more than the slots), numeric keys hold slot values.
 * Its HTML is s[0] + v0 + s[1] + ... + s[n].
 */
export interface TreeNode {
  s?: string[];
  [slot: string]: SlotValue | string[] | undefined;
}

/** One item of a range: numeric slots, plus `_k` when keys are generated. */
export interface RangeItem {
  _k?: string;
  [slot: string]: SlotValue | undefined;
}

/** A range: item statics, items, and the name of the key slot. */
export interface RangeNode {
  s: string[];
  d: RangeItem[];
  m?: { idKey: string };
}

/** A range operation (PROTOCOL.md §6). */
export type RangeOp =
  | ["r", string]
  | ["u", string, RangeItem]
  | ["a", RangeItem[]]
  | ["a", RangeItem[], string[]]
  | ["a", RangeItem[], string[], { idKey: string }]
  | ["p", RangeItem[]]
  | ["p", RangeItem[], string[]]
  | ["i", string, RangeItem]
  | ["o", string[]];

/** An update: a partial node whose slots may also hold lists of range operations. */
export interface TreeUpdate {
  s?: string[];
  [slot: string]: SlotValue | string[] | RangeOp[] | TreeUpdate | undefined;
}
