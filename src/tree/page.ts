/**
 * Where the live part of a page is (PROTOCOL.md §2): a fragment is live as a whole; in a page,
 * the body content up to the first `<script` (or `</body>`). The boundaries are looked for in the
 * static text of the root block; when they are not there (a `<body>` written by a conditional, say),
 * they are found in the rendered text at each render and the live part travels as one string.
 */
import { makeBlock, type Block, type Step } from "./compile.js";
import { vHtml } from "./html.js";
import { makeNode, type VNode } from "./value.js";

/** The live part of a root block, cut at static text. */
export interface StaticLayout {
  readonly kind: "static";
  /** Static index and offset where the live part starts, and where it ends. */
  readonly from: readonly [number, number];
  readonly to: readonly [number, number];
  /** The block the wire tree uses: the root's statics trimmed to the live part. */
  readonly body: Block;
}

/** The live part must be found in the rendered text. */
export interface RuntimeLayout {
  readonly kind: "runtime";
  readonly body: Block;
}

export type PageLayout = StaticLayout | RuntimeLayout;

const PAGE_MARK = /<html[\s>]|<!doctype/i;
const BODY_OPEN = /<body[\s>/]/i;
const BODY_END = /<script[\s>/]|<\/body[\s>]/i;

/** Finds `re` in the statics from (static, offset) on, returning its position. */
function search(statics: readonly string[], re: RegExp, from: readonly [number, number]): [number, number] | null {
  for (let i = from[0]; i < statics.length; i++) {
    const start = i === from[0] ? from[1] : 0;
    const m = re.exec(statics[i]!.slice(start));
    if (m) return [i, start + m.index];
  }
  return null;
}

/** Cuts `root` into head, live body and tail. */
export function layoutOf(root: Block): PageLayout {
  const s = root.statics;
  const slotSteps = root.steps.filter((st): st is Extract<Step, { kind: "slot" }> => st.kind === "slot");
  const cut = (from: readonly [number, number], to: readonly [number, number]): StaticLayout => {
    const statics: string[] = [];
    for (let i = from[0]; i <= to[0]; i++) {
      const text = s[i]!;
      statics.push(text.slice(i === from[0] ? from[1] : 0, i === to[0] ? to[1] : text.length));
    }
    return { kind: "static", from, to, body: makeBlock(statics, slotSteps.slice(from[0], to[0])) };
  };
  const isPage = s.some((t) => PAGE_MARK.test(t));
  if (!isPage) return cut([0, 0], [s.length - 1, s[s.length - 1]!.length]);
  const open = search(s, BODY_OPEN, [0, 0]);
  if (open) {
    const gt = search(s, />/, [open[0], open[1]]);
    if (gt) {
      const from: [number, number] = [gt[0], gt[1] + 1];
      const end = search(s, BODY_END, from) ?? [s.length - 1, s[s.length - 1]!.length];
      return cut(from, end);
    }
  }
  return { kind: "runtime", body: makeBlock(["", ""], [{ kind: "slot", c: { kind: "dyn", node: { type: "list", pos: 0, line: 1, nodes: [] } } }]) };
}

/** A hydrated page split into the text before the live part, the live node, and the text after. */
export interface SplitPage {
  readonly head: string;
  readonly body: VNode;
  readonly tail: string;
}

/** Splits a hydrated root by its layout. */
export function splitPage(layout: PageLayout, root: VNode): SplitPage {
  if (layout.kind === "static") {
    const s = root.block.statics;
    const [fi, fo] = layout.from;
    const [ti, to] = layout.to;
    let head = "";
    for (let i = 0; i < fi; i++) head += s[i]! + vHtml(root.slots[i]!);
    head += s[fi]!.slice(0, fo);
    let tail = s[ti]!.slice(to);
    for (let i = ti; i < root.slots.length; i++) tail += vHtml(root.slots[i]!) + s[i + 1]!;
    return { head, body: makeNode(layout.body, root.slots.slice(fi, ti)), tail };
  }
  const html = vHtml(root);
  const open = BODY_OPEN.exec(html);
  const gt = open ? html.indexOf(">", open.index) : -1;
  if (!open || gt < 0) return { head: "", body: makeNode(layout.body, [html]), tail: "" };
  const rest = html.slice(gt + 1);
  const end = BODY_END.exec(rest);
  const stop = end ? end.index : rest.length;
  return { head: html.slice(0, gt + 1), body: makeNode(layout.body, [rest.slice(0, stop)]), tail: rest.slice(stop) };
}
