/**
 * The wire tree types, re-exported from their home in `protocol/tree.ts` for existing importers.
 */
export type { RangeItem, RangeMeta, RangeNode, RangeOp, SlotValue, TreeNode, TreeUpdate } from "../protocol/tree.js";
