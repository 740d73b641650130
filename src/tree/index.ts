/**
 * The live tree (PROTOCOL.md §4-6) seen from outside `tree/`: compile a template set once, render
 * data through one {@link LiveView} per client, print wire trees as HTML.
 */
export { compileTemplate, LiveView, type CompiledTemplate, type LiveSource, type RenderedPage } from "./live-tree.js";
export { treeToHtml } from "./html.js";
export type { RangeItem, RangeNode, RangeOp, SlotValue, TreeNode, TreeUpdate } from "../protocol/tree.js";
