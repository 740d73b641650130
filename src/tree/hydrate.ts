/**
 * Hydration: runs compiled blocks on data and produces the engine's tree (value.ts). Pipelines are
 * evaluated by the template executor, so values are escaped exactly as a plain render escapes them.
 *
 * With a change set, a construct whose reads (deps.ts) do not overlap any written path keeps its
 * previous value (the same object, which the differ then skips in O(1)), and a range whose list
 * did not change re-runs only the items under written paths.
 */
import type { ActionNode, Node, PipeNode, RangeNode, TemplateNode } from "../template/node.js";
import type { Block, Construct, RangeConstruct, TreeCompiler } from "./compile.js";
import { GENERATED_KEY } from "../protocol/wire.js";
import { isSlotted } from "../changes/builtins.js";
import type { ChangeSet } from "../changes/change-set.js";
import { constructDeps, type Ref } from "./deps.js";
import { isUsableKey } from "./diff.js";
import { makeNode, type VItem, type VNode, type VRange, type VValue } from "./value.js";
import { vNodeHtml } from "./html.js";

/**
 * What hydration needs from the template executor. Variable scopes are the executor's; dot is
 * passed explicitly.
 */
export interface TreeExec {
  /** Evaluates a pipeline with Go semantics, declaring or assigning its variables. */
  evalPipeline(dot: unknown, pipe: PipeNode): unknown;
  /** The text an action prints for its final value. */
  print(node: ActionNode, value: unknown): string;
  /** Go's truth of a value. */
  isTrue(value: unknown): boolean;
  /** Current depth of the variable stack, for {@link pop}. */
  mark(): number;
  /** Drops variables declared since `mark`. */
  pop(mark: number): void;
  /** The entries a range iterates, in Go's order, as [key or index, element]. */
  rangeEntries(node: RangeNode, value: unknown): [unknown, unknown][];
  /** Binds the range's declared variables for one iteration. */
  setRangeVars(node: RangeNode, key: unknown, elem: unknown): void;
  /** Renders a node to escaped text, as plain execution would. */
  walk(dot: unknown, node: Node): string;
  /**
   * Runs `body` as the invocation `node` made with `dot`: evaluates the argument in the caller's
   * scope, then gives `body` the callee's dot inside fresh variables, depth checked.
   */
  invoke<T>(node: TemplateNode, dot: unknown, body: (dot: unknown) => T): T;
}

/** What a value was read from: one exact data path, a set of paths covering it, or unknown. */
type Deps = { readonly exact: readonly string[] } | { readonly cover: readonly (readonly string[])[] } | null;

const ROOT: Deps = { exact: [] };

function fnv(s: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 16777619);
    h2 = Math.imul(h2 ^ c, 2246822519);
  }
  return (h1 >>> 0).toString(36) + (h2 >>> 0 & 0xffff).toString(36);
}

/** One hydration pass over a template set's compiled blocks. */
export class Hydrator {
  private vars: { name: string; deps: Deps }[] = [{ name: "$", deps: ROOT }];
  /** Restores in-place changes to the previous tree if the render fails (run in reverse). */
  readonly undo: (() => void)[] = [];
  /** Inside a subtree known to be entirely new: no reuse checks. */
  private suspended = 0;

  /**
   * @param changes written paths since `prev` was built, or null to re-run everything.
   * @param assigned variables that some pipeline reassigns: reads of them are never reused.
   */
  constructor(
    private readonly compiler: TreeCompiler,
    private readonly exec: TreeExec,
    private readonly changes: ChangeSet | null,
    private readonly assigned: ReadonlySet<string>,
  ) {}

  /** Hydrates `block` on `dot` (the root data), reusing parts of `prev` where allowed. */
  root(block: Block, dot: unknown, prev: VNode | null): VNode {
    return this.block(block, dot, ROOT, prev && prev.block === block ? prev : null);
  }

  private block(block: Block, dot: unknown, dotDeps: Deps, prev: VNode | null): VNode {
    const slots: VValue[] = [];
    const marks: [number, number][] = [];
    for (const step of block.steps) {
      switch (step.kind) {
        case "slot":
          slots.push(this.construct(step.c, dot, dotDeps, prev ? prev.slots[slots.length] : undefined));
          break;
        case "effect":
          this.runPipe(dot, dotDeps, step.node.pipe);
          break;
        case "open":
          marks.push([this.exec.mark(), this.vars.length]);
          break;
        case "close": {
          const [m, v] = marks.pop()!;
          this.exec.pop(m);
          this.vars.length = v;
          break;
        }
        default: {
          const never: never = step;
          void never;
        }
      }
    }
    return makeNode(block, slots);
  }

  /** Evaluates a pipeline and mirrors its variable declarations in the dependency scope. */
  private runPipe(dot: unknown, dotDeps: Deps, pipe: PipeNode): unknown {
    const v = this.exec.evalPipeline(dot, pipe);
    if (pipe.decl.length > 0) {
      const d = pipe.isAssign ? null : this.pipeDeps(pipe, dotDeps);
      for (const dv of pipe.decl) {
        const name = dv.ident[0]!;
        if (pipe.isAssign) {
          for (let i = this.vars.length - 1; i >= 0; i--) {
            if (this.vars[i]!.name === name) {
              this.vars[i] = { name, deps: null };
              break;
            }
          }
        } else this.vars.push({ name, deps: d });
      }
    }
    return v;
  }

  private lookup(name: string): Deps {
    if (this.assigned.has(name)) return null;
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.deps;
    return null;
  }

  private resolve(r: Ref, dotDeps: Deps): Deps {
    const base = r.base === "." ? dotDeps : this.lookup(r.base);
    if (!base) return null;
    if ("exact" in base) return { exact: r.path.length ? [...base.exact, ...r.path] : base.exact };
    return base;
  }

  /** What a pipeline's value derives from: exact when it is a plain field chain. */
  private pipeDeps(pipe: PipeNode, dotDeps: Deps): Deps {
    if (!this.changes) return null;
    const cmd = pipe.cmds.length === 1 ? pipe.cmds[0] : undefined;
    const arg = cmd && cmd.args.length === 1 ? cmd.args[0] : undefined;
    if (arg) {
      if (arg.type === "field") return this.resolve({ base: ".", path: arg.ident }, dotDeps);
      if (arg.type === "dot") return dotDeps;
      if (arg.type === "variable") return this.resolve({ base: arg.ident[0]!, path: arg.ident.slice(1) }, dotDeps);
    }
    const cover: (readonly string[])[] = [];
    const refs: Ref[] = [];
    for (const c of pipe.cmds) {
      for (const a of c.args) {
        if (a.type === "field") refs.push({ base: ".", path: a.ident });
        else if (a.type === "dot") refs.push({ base: ".", path: [] });
        else if (a.type === "variable") refs.push({ base: a.ident[0]!, path: a.ident.slice(1) });
        else if (a.type === "chain" || a.type === "pipe") return null;
      }
    }
    for (const r of refs) {
      const d = this.resolve(r, dotDeps);
      if (!d) return null;
      if ("exact" in d) cover.push(d.exact);
      else cover.push(...d.cover);
    }
    return { cover };
  }

  /** True when no reported write can reach what `c` reads. */
  private unchanged(c: Construct, dotDeps: Deps): boolean {
    const changes = this.changes;
    if (!changes || this.suspended > 0) return false;
    const deps = constructDeps(c);
    if (deps.assigns) return false;
    for (const r of deps.refs) {
      const d = this.resolve(r, dotDeps);
      if (!d) return false;
      if ("exact" in d) {
        if (changes.overlaps(d.exact)) return false;
      } else {
        for (const p of d.cover) if (changes.overlaps(p)) return false;
      }
    }
    return true;
  }

  private construct(c: Construct, dot: unknown, dotDeps: Deps, prev: VValue | undefined): VValue {
    if (prev !== undefined && this.unchanged(c, dotDeps)) return prev;
    switch (c.kind) {
      case "expr":
        return this.exec.print(c.node, this.exec.evalPipeline(dot, c.node.pipe));
      case "dyn":
        return this.exec.walk(dot, c.node);
      case "cond":
        return this.cond(c.branches, c.elseBlock, dot, dotDeps, prev);
      case "range":
        return this.range(c, dot, dotDeps, prev);
      case "call":
        return this.call(c.node, dot, dotDeps, prev);
      default: {
        const never: never = c;
        return never;
      }
    }
  }

  private cond(
    branches: Extract<Construct, { kind: "cond" }>["branches"],
    elseBlock: Block | null,
    dot: unknown,
    dotDeps: Deps,
    prev: VValue | undefined,
  ): VValue {
    const m = this.exec.mark();
    const vm = this.vars.length;
    try {
      for (const b of branches) {
        const v = this.runPipe(dot, dotDeps, b.node.pipe);
        if (!this.exec.isTrue(v)) continue;
        const innerDot = b.kind === "with" ? v : dot;
        const innerDeps = b.kind === "with" ? this.pipeDeps(b.node.pipe, dotDeps) : dotDeps;
        return this.block(b.block, innerDot, innerDeps, sameBlock(prev, b.block));
      }
      if (elseBlock) return this.block(elseBlock, dot, dotDeps, sameBlock(prev, elseBlock));
      return "";
    } finally {
      this.exec.pop(m);
      this.vars.length = vm;
    }
  }

  private call(node: TemplateNode, dot: unknown, dotDeps: Deps, prev: VValue | undefined): VValue {
    const block = this.compiler.block(node.name);
    const argDeps: Deps = node.pipe ? this.pipeDeps(node.pipe, dotDeps) : { cover: [] };
    const saved = this.vars;
    try {
      // The executor evaluates the argument in the caller's scope, then enters the callee's.
      return this.exec.invoke(node, dot, (d) => {
        this.vars = [{ name: "$", deps: argDeps }];
        // The executor raises the undefined-template error first; a null block is unreachable.
        if (!block) return "";
        return this.block(block, d, argDeps, sameBlock(prev, block));
      });
    } finally {
      this.vars = saved;
    }
  }

  private range(c: RangeConstruct, dot: unknown, dotDeps: Deps, prev: VValue | undefined): VValue {
    const m = this.exec.mark();
    const vm = this.vars.length;
    try {
      const pipe = c.node.pipe;
      const src = this.runPipe(dot, dotDeps, pipe);
      const srcDeps = this.pipeDeps(pipe, dotDeps);
      const before = prev !== undefined && typeof prev !== "string" && prev.kind === "range" && prev.construct === c ? prev : null;
      if (before && srcDeps && "exact" in srcDeps && Array.isArray(src)) {
        const partial = this.partialRange(c, src, srcDeps.exact, dotDeps, before);
        if (partial) return partial;
      }
      const entries = this.exec.rangeEntries(c.node, src);
      if (entries.length === 0) {
        if (c.elseBlock) return this.block(c.elseBlock, dot, dotDeps, sameBlock(prev, c.elseBlock));
        return this.finishRange(c, []);
      }
      // When the list itself was written, every item is new to us: skip the reuse checks.
      const whole = !srcDeps || !("exact" in srcDeps) || this.changes?.childrenBelow(srcDeps.exact) === null;
      // An array's items are in index order (an item reused after a shift keeps an older `dk`).
      const prevAt = before && !whole && Array.isArray(src) ? before.items : null;
      const prevByKey = before && !whole && !prevAt ? new Map(before.items.map((it) => [it.dk, it])) : null;
      const items: VItem[] = new Array<VItem>(entries.length);
      if (whole) this.suspended++;
      try {
        for (let i = 0; i < entries.length; i++) {
          const [k, v] = entries[i]!;
          const itemDeps = whole ? null : this.itemDeps(srcDeps, k);
          items[i] = this.item(c, k, v, itemDeps, srcDeps, (prevAt ? prevAt[i] : prevByKey?.get(k)) ?? null);
        }
      } finally {
        if (whole) this.suspended--;
      }
      return this.finishRange(c, items);
    } finally {
      this.exec.pop(m);
      this.vars.length = vm;
    }
  }

  private itemDeps(srcDeps: Deps, k: unknown): Deps {
    if (!srcDeps) return null;
    if ("exact" in srcDeps && (typeof k === "number" || typeof k === "string")) return { exact: [...srcDeps.exact, String(k)] };
    return "exact" in srcDeps ? { cover: [srcDeps.exact] } : srcDeps;
  }

  /**
   * Re-runs only the items under written paths when the array itself was not replaced (writes
   * only below it: indices and `length`) and nothing else the range reads changed. Items past the
   * old length are added, items past the new length dropped. The item list and key index are
   * updated in place (a copy would make a one-row change cost O(N)); what was replaced is kept for
   * the differ, and everything is restored if the render fails.
   *
   * A written index whose element the list held at another written index before (a shift by
   * `splice`, `unshift`, a sort) gets that item back instead of a re-render, unless some write
   * went below an index (then any element may have changed inside). See {@link reusable}.
   */
  private partialRange(c: RangeConstruct, src: unknown[], path: readonly string[], dotDeps: Deps, before: VRange): VRange | null {
    const changes = this.changes!;
    const kids = changes.childrenBelow(path);
    if (kids === null || !this.unchangedExcept(c, dotDeps)) return null;
    const L = before.items.length;
    const L2 = src.length;
    if (L === 0 || L2 === 0) return null;
    const keep = Math.min(L, L2);
    const dirty: number[] = [];
    for (const k of kids) {
      if (k === "length") continue;
      const i = indexOf(k);
      if (i < 0) return null;
      if (i < keep) dirty.push(i);
    }
    if (dirty.length === 0 && L === L2) return before;
    dirty.sort((a, b) => a - b);
    const srcDeps: Deps = { exact: path };
    const items = before.items;
    const index = before.index;
    const replaced = dirty.map((i) => items[i]!);
    const removed = L2 < L ? items.slice(L2) : [];

    // Where an element was before: first the item as far from its index as the last one found
    // (a shift moves a run of elements by the same offset), else a map of the elements of the
    // written and removed items, built on the first miss.
    const reuse = c.node.pipe.decl.length < 2 && !changes.deepBelow(path);
    const oldAt = (p: number): VItem | undefined => (p < L2 ? (p < L ? items[p] : undefined) : removed[p - L2]);
    let byEl: Map<unknown, number> | null = null;
    let shift = 0;
    const run = (i: number, prev: VItem | null): VItem => {
      const v = src[i] === undefined ? null : src[i];
      if (reuse) {
        let at = i + shift;
        let old = oldAt(at);
        if (old === undefined || old.el !== v) {
          if (!byEl) {
            byEl = new Map();
            for (let j = dirty.length - 1; j >= 0; j--) byEl.set(replaced[j]!.el, dirty[j]!);
            for (let j = removed.length - 1; j >= 0; j--) byEl.set(removed[j]!.el, L2 + j);
          }
          at = byEl.get(v) ?? -1;
          old = at >= 0 ? oldAt(at) : undefined;
        }
        if (old !== undefined && reusable(v, old.el, at, i)) {
          shift = at - i;
          return old;
        }
      }
      return this.item(c, i, v, { exact: [...path, String(i)] }, srcDeps, prev);
    };
    const fresh: VItem[] = dirty.map((i) => run(i, items[i]!));
    const added: VItem[] = [];
    for (let i = L; i < L2; i++) added.push(run(i, null));
    const taken = (key: string, seen: Set<string>): boolean => seen.has(key) || (index.get(key) ?? L2) < L2;

    // Keys: re-run items keep theirs (declared keys must not have changed); added items need
    // usable keys not held by a kept item.
    let ok = true;
    const seen = new Set<string>();
    if (before.idKey !== GENERATED_KEY) {
      ok = fresh.every((it, j) => it.h === replaced[j]!.h);
      for (const a of added) {
        if (!ok) break;
        if (!isUsableKey(a.h) || taken(a.h, seen)) ok = false;
        seen.add(a.h);
      }
      if (!ok) {
        const shifted = this.shiftRange(c, before, dirty, fresh, added, L2);
        if (shifted) return shifted;
      }
    } else {
      // Generated keys stay with their position for an edited item; when several items changed
      // (a journal of shifted indices after an insert or a removal) matching by content finds
      // the shift instead of updating every item.
      ok = fresh.filter((it, j) => it.h !== replaced[j]!.h).length <= 1;
      if (ok) fresh.forEach((it, j) => (fresh[j] = it.key === replaced[j]!.key ? it : { ...it, key: replaced[j]!.key }));
      added.forEach((a, j) => {
        const h = c.keySlot !== null ? fnv(vNodeHtml({ kind: "node", block: c.body, slots: a.slots, hasRange: false })) : a.h;
        let key = h;
        for (let n = 1; taken(key, seen); n++) key = `${h}~${n}`;
        seen.add(key);
        if (key !== a.key) added[j] = { ...a, key };
      });
    }
    if (!ok) {
      const copy = items.slice(0, keep);
      dirty.forEach((i, j) => (copy[i] = fresh[j]!));
      return this.finishRange(c, [...copy, ...added]);
    }

    dirty.forEach((i, j) => (items[i] = fresh[j]!));
    items.length = keep;
    for (const r of removed) if ((index.get(r.key) ?? -1) >= L2) index.delete(r.key);
    added.forEach((a, j) => {
      items.push(a);
      index.set(a.key, L + j);
    });
    this.undo.push(() => {
      for (const a of added) index.delete(a.key);
      items.length = keep;
      dirty.forEach((i, j) => (items[i] = replaced[j]!));
      removed.forEach((r, j) => {
        items.push(r);
        index.set(r.key, L2 + j);
      });
    });
    return { kind: "range", construct: c, idKey: before.idKey, items, index, base: before, dirty, replaced, removed, addedFrom: L };
  }

  /**
   * Declared keys that changed at re-run indices (items shifted): when every new key is usable
   * and unique, updates the list and index in place from the first re-run index on and keeps the
   * previous items from there for the differ (which then looks at that part only). Null when the
   * keys do not allow it (the caller re-keys the whole list).
   */
  private shiftRange(c: RangeConstruct, before: VRange, dirty: number[], fresh: VItem[], added: VItem[], L2: number): VRange | null {
    const items = before.items;
    const index = before.index;
    const L = items.length;
    const keep = Math.min(L, L2);
    const from = dirty.length > 0 ? Math.min(dirty[0]!, keep) : keep;
    const next: VItem[] = items.slice(from, keep);
    dirty.forEach((i, j) => (next[i - from] = fresh[j]!));
    for (const a of added) next.push(a);
    // Old positions of the new items (-1: new), for the differ. Keys must be usable and unique:
    // kept ones held distinct old positions after `from`, new ones are checked with a set.
    const was: number[] = new Array<number>(next.length);
    const held = new Uint8Array(L - from);
    let newKeys: Set<string> | null = null;
    for (let j = 0; j < next.length; j++) {
      const it = next[j]!;
      // Declared keys: every item's key is its key slot text.
      const k = it.key;
      if (k !== it.h || !isUsableKey(k)) return null;
      const o = index.get(k);
      if (o === undefined) {
        newKeys ??= new Set();
        if (newKeys.has(k)) return null;
        newKeys.add(k);
        was[j] = -1;
      } else {
        if (o < from || held[o - from] === 1) return null;
        held[o - from] = 1;
        was[j] = o;
      }
    }
    // The index is updated with `set` on kept keys and `delete` only for keys that are gone.
    const oldTail = items.slice(from);
    items.length = from;
    next.forEach((it, j) => {
      items.push(it);
      index.set(it.key, from + j);
    });
    // Old keys whose position no new item held are gone.
    oldTail.forEach((it, j) => held[j] === 0 && index.delete(it.key));
    this.undo.push(() => {
      for (let j = 0; j < was.length; j++) if (was[j] === -1) index.delete(items[from + j]!.key);
      items.length = from;
      oldTail.forEach((it, j) => {
        items.push(it);
        index.set(it.key, from + j);
      });
    });
    return { kind: "range", construct: c, idKey: before.idKey, items, index, base: before, from, oldTail, was };
  }

  /**
   * Like {@link unchanged}, but without the range's own source (its first read, a plain field
   * chain, whose writes partialRange handles item by item). Every other read, including a
   * variable derived from the list (`{{$n := len .L}}`), must be untouched.
   */
  private unchangedExcept(c: RangeConstruct, dotDeps: Deps): boolean {
    const deps = constructDeps(c);
    if (deps.assigns) return false;
    for (let i = 1; i < deps.refs.length; i++) {
      const d = this.resolve(deps.refs[i]!, dotDeps);
      if (!d) return false;
      if ("exact" in d) {
        if (this.changes!.overlaps(d.exact)) return false;
      } else {
        for (const p of d.cover) if (this.changes!.overlaps(p)) return false;
      }
    }
    return true;
  }

  private item(c: RangeConstruct, k: unknown, v: unknown, itemDeps: Deps, srcDeps: Deps, prev: VItem | null): VItem {
    const m = this.exec.mark();
    const vm = this.vars.length;
    try {
      this.exec.setRangeVars(c.node, k, v);
      const decl = c.node.pipe.decl;
      // Mirror the executor: the element variable, then the key variable (covering the list).
      if (decl.length > 0 && !c.node.pipe.isAssign) this.bindTop(decl.length === 1 ? 1 : 2, decl.length === 1 ? itemDeps : srcDeps, itemDeps);
      const prevNode: VNode | null = prev ? { kind: "node", block: c.body, slots: prev.slots, hasRange: false } : null;
      const node = this.block(c.body, v, itemDeps, prevNode);
      const key = c.keySlot !== null ? (node.slots[c.keySlot] as string) : fnv(vNodeHtml(node));
      return { key, h: key, slots: node.slots, dk: k, el: v };
    } finally {
      this.exec.pop(m);
      this.vars.length = vm;
    }
  }

  /** Rebinds the dependency scope of the range variables (declared by the range pipeline). */
  private bindTop(count: number, keyDeps: Deps, elemDeps: Deps): void {
    const n = this.vars.length;
    if (count === 1) {
      const top = this.vars[n - 1];
      if (top) this.vars[n - 1] = { name: top.name, deps: elemDeps };
    } else {
      const k = this.vars[n - 2];
      const e = this.vars[n - 1];
      if (k) this.vars[n - 2] = { name: k.name, deps: keyDeps };
      if (e) this.vars[n - 1] = { name: e.name, deps: elemDeps };
    }
  }

  /** Chooses keys: the declared key slot when every item has a usable, unique one, else generated content keys made unique by an occurrence suffix. */
  private finishRange(c: RangeConstruct, items: VItem[]): VRange {
    const index = new Map<string, number>();
    if (c.keySlot !== null) {
      let ok = true;
      for (let i = 0; i < items.length; i++) {
        const k = items[i]!.h;
        if (!isUsableKey(k) || index.has(k)) {
          ok = false;
          break;
        }
        index.set(k, i);
      }
      if (ok) {
        // An item may carry a key from an earlier generated-key render.
        for (let i = 0; i < items.length; i++) if (items[i]!.key !== items[i]!.h) items[i] = { ...items[i]!, key: items[i]!.h };
        return { kind: "range", construct: c, idKey: String(c.keySlot), items, index };
      }
      index.clear();
    }
    const seen = new Map<string, number>();
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      const h = c.keySlot !== null ? fnv(vNodeHtml({ kind: "node", block: c.body, slots: it.slots, hasRange: false })) : it.h;
      const n = seen.get(h) ?? 0;
      seen.set(h, n + 1);
      const key = n === 0 ? h : `${h}~${n}`;
      if (key !== it.key) items[i] = { ...it, key };
      index.set(key, i);
    }
    return { kind: "range", construct: c, idKey: GENERATED_KEY, items, index };
  }
}

/**
 * True when the item rendered from `old` (at index `oldAt`) can stand for element `v` at index
 * `at`: a primitive renders the same wherever it is; an object must have moved (the same object
 * re-reported at its own index may have been changed inside, which a coarse index path allows)
 * and must keep its state in properties a write journal sees (not a Map, Set, Date or buffer,
 * whose changes are reported at their own path).
 */
function reusable(v: unknown, old: unknown, oldAt: number, at: number): boolean {
  if (typeof v !== "object" && typeof v !== "function") return Object.is(v, old);
  if (v === null) return old === null;
  if (oldAt === at) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return true;
  return !isSlotted(v);
}

/** The array index a path segment names (canonical decimal), or -1. */
function indexOf(k: string): number {
  const n = k.length;
  if (n === 0 || n > 15 || (n > 1 && k.charCodeAt(0) === 48)) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = k.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

function sameBlock(prev: VValue | undefined, block: Block): VNode | null {
  return prev !== undefined && typeof prev !== "string" && prev.kind === "node" && prev.block === block ? prev : null;
}

function sameOrBelow(p: readonly string[], base: readonly string[]): boolean {
  if (p.length < base.length) return false;
  for (let i = 0; i < base.length; i++) if (p[i] !== base[i]) return false;
  return true;
}
