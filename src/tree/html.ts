/**
 * Tree to HTML: the wire tree (PROTOCOL.md §4) and the engine's hydrated form both print as
 * s0 + v0 + s1 + ... + sN, ranges as their items in order.
 */
import type { RangeItem, RangeNode, SlotValue, TreeNode } from "../protocol/tree.js";
import { RANGE_ITEMS, STATICS } from "../protocol/wire.js";
import type { VNode, VRange, VValue } from "./value.js";

function isRange(v: TreeNode | RangeNode): v is RangeNode {
  return Array.isArray((v as RangeNode)[RANGE_ITEMS]);
}

function slotHtml(v: SlotValue | undefined): string {
  if (v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (isRange(v)) {
    let out = "";
    for (const item of v[RANGE_ITEMS]) out += itemHtml(v[STATICS], item);
    return out;
  }
  return treeToHtml(v);
}

function itemHtml(statics: string[], item: RangeItem): string {
  let out = statics[0] ?? "";
  for (let i = 1; i < statics.length; i++) out += slotHtml(item[String(i - 1)]) + statics[i]!;
  return out;
}

/**
 * Prints a full wire tree (one that carries all its statics) as HTML.
 *
 * @example
 * treeToHtml({ s: ["<p>", "</p>"], "0": "hi" }) // "<p>hi</p>"
 */
export function treeToHtml(tree: TreeNode): string {
  const s = tree[STATICS];
  if (!s) return "";
  let out = s[0] ?? "";
  for (let i = 1; i < s.length; i++) {
    const v = tree[String(i - 1)];
    out += (Array.isArray(v) ? "" : slotHtml(v)) + s[i]!;
  }
  return out;
}

/** Prints a hydrated value. */
export function vHtml(v: VValue): string {
  if (typeof v === "string") return v;
  if (v.kind === "node") return vNodeHtml(v);
  return vRangeHtml(v);
}

/** Prints a hydrated node. */
export function vNodeHtml(n: VNode): string {
  const s = n.block.statics;
  let out = s[0]!;
  for (let i = 0; i < n.slots.length; i++) out += vHtml(n.slots[i]!) + s[i + 1]!;
  return out;
}

function vRangeHtml(r: VRange): string {
  const s = r.construct.body.statics;
  let out = "";
  for (const item of r.items.toArray()) {
    out += s[0]!;
    for (let i = 0; i < item.slots.length; i++) out += vHtml(item.slots[i]!) + s[i + 1]!;
  }
  return out;
}
