/**
 * Hydration: runs compiled blocks on data and produces the engine's tree (value.ts). Pipelines are
 * evaluated by the template executor, so values are escaped exactly as a plain render escapes them.
 *
 * With a change set, a construct whose reads (deps.ts) do not overlap any written path keeps its
 * previous value (the same object, which the differ then skips in O(1)), and a range whose list
 * did not change re-runs only the items under written paths.
 */
import type { PipePlan } from "../template/fast-pipe.js";
import type { ActionNode, Node, PipeNode, RangeNode, TemplateNode } from "../template/node.js";
import type { Block, Construct, RangeConstruct, TreeCompiler } from "./compile.js";
import type { ChangeSet } from "../changes/change-set.js";
import { constructDeps, type Ref } from "./deps.js";
import { contentKey, finishRange, patchRange } from "./hydrate-range.js";
import { splicedIndices, spliceRange } from "./splice-range.js";
import { type VItem, type VNode, type VRange, type VValue } from "./value.js";

/**
 * What hydration needs from the template executor. Variable scopes are the executor's; dot is
 * passed explicitly.
 */
export interface TreeExec {
  /** Evaluates a pipeline with Go semantics, declaring or assigning its variables. */
  evalPipeline(dot: unknown, pipe: PipeNode): unknown;
  /** Evaluates a pipeline through its plan (fast-pipe.ts): the same value and errors as evalPipeline. */
  evalPlanned(dot: unknown, pipe: PipeNode, plan: PipePlan): unknown;
  /** The text an action prints for its final value. */
  print(node: ActionNode, value: unknown): string;
  /** Go's truth of a value. */
  isTrue(value: unknown): boolean;
  /** Current depth of the variable stack, for {@link pop}. */
  mark(): number;
  /** Drops variables declared since `mark`. */
  pop(mark: number): void;
  /** Evaluates a range's pipeline as the executor does (declaring its variables). */
  rangeValue(node: RangeNode, dot: unknown): unknown;
  /**
   * Iterates a range's value with the executor's own loop: `body` runs for each element with the
   * range variables bound (and dropped after it); `orElse` runs when nothing was iterated.
   */
  rangeOver(node: RangeNode, value: unknown, body: (elem: unknown, key: unknown) => void, orElse: (() => void) | null): void;
  /** Runs one iteration of the range over an array, the element at index `i`, alone. */
  rangeIndex<T>(node: RangeNode, i: number, elem: unknown, body: (elem: unknown) => T): T;
  /** Runs `body` with dot being a `with` value (which changes how field errors name dot's type). */
  withDot<T>(body: () => T): T;
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

/** One hydration pass over a template set's compiled blocks. */
export class Hydrator {
  private vars: { name: string; deps: Deps }[] = [{ name: "$", deps: ROOT }];
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
    const slots = new Array<VValue>(block.slotCount);
    const hasRange = this.fill(block, dot, dotDeps, prev ? prev.slots : null, slots);
    return { kind: "node", block, slots, hasRange };
  }

  /**
   * Runs the steps of `block`, filling `slots` (made with the block's slot count; `prev`: the
   * previous node's, or null), and returns whether some slot holds a range (makeNode's flag). Runs once per node
   * and per range item, so it allocates nothing beyond the slots (`marks` only for inlined
   * invocations); an item keeps only its slots, so no node is made for it.
   */
  private fill(block: Block, dot: unknown, dotDeps: Deps, prev: readonly VValue[] | null, slots: VValue[]): boolean {
    let marks: [number, number][] | null = null;
    let hasRange = false;
    let at = 0;
    const steps = block.steps;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      switch (step.kind) {
        case "slot": {
          const v = this.construct(step.c, dot, dotDeps, prev ? prev[at] : undefined);
          if (!hasRange && typeof v !== "string" && (v.kind === "range" || v.hasRange)) hasRange = true;
          slots[at++] = v;
          break;
        }
        case "effect":
          this.runPipe(dot, dotDeps, step.node.pipe);
          break;
        case "open":
          (marks ??= []).push([this.exec.mark(), this.vars.length]);
          break;
        case "close": {
          const [m, v] = marks!.pop()!;
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
    return hasRange;
  }

  /** Evaluates a pipeline and mirrors its variable declarations in the dependency scope. */
  private runPipe(dot: unknown, dotDeps: Deps, pipe: PipeNode): unknown {
    const v = this.exec.evalPipeline(dot, pipe);
    this.declare(pipe, dotDeps);
    return v;
  }

  /** Mirrors the variables `pipe` declared or assigned in the dependency scope. */
  private declare(pipe: PipeNode, dotDeps: Deps): void {
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
        return this.exec.print(c.node, c.plan === null ? this.exec.evalPipeline(dot, c.node.pipe) : this.exec.evalPlanned(dot, c.node.pipe, c.plan));
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
        if (b.kind === "if") return this.block(b.block, dot, dotDeps, sameBlock(prev, b.block));
        const innerDeps = this.pipeDeps(b.node.pipe, dotDeps);
        return this.exec.withDot(() => this.block(b.block, v, innerDeps, sameBlock(prev, b.block)));
      }
      if (elseBlock) return this.block(elseBlock, dot, dotDeps, sameBlock(prev, elseBlock));
      return "";
    } finally {
      this.exec.pop(m);
      if (this.vars.length !== vm) this.vars.length = vm;
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
      const node = c.node;
      const pipe = node.pipe;
      const src = this.exec.rangeValue(node, dot);
      this.declare(pipe, dotDeps);
      const srcDeps = this.pipeDeps(pipe, dotDeps);
      const before = prev !== undefined && typeof prev !== "string" && prev.kind === "range" && prev.construct === c ? prev : null;
      if (before && srcDeps && "exact" in srcDeps && Array.isArray(src)) {
        const partial = this.partialRange(c, src, srcDeps.exact, dotDeps, before);
        if (partial) return partial;
      }
      // When the list itself was written, every item is new to us: skip the reuse checks.
      const whole = !srcDeps || !("exact" in srcDeps) || this.changes?.childrenBelow(srcDeps.exact) === null;
      // An array's items are in index order (an item reused after a shift keeps an older `dk`).
      const prevAt = before && !whole && Array.isArray(src) ? before.items : null;
      const prevByKey = before && !whole && !prevAt ? new Map(before.items.toArray().map((it) => [it.dk, it])) : null;
      const items: VItem[] = [];
      let empty: VValue | null = null;
      const elseBlock = c.elseBlock;
      if (whole) this.suspended++;
      try {
        this.exec.rangeOver(
          node,
          src,
          (v, k) => {
            const itemDeps = whole ? null : this.itemDeps(srcDeps, k);
            const p = (prevAt ? prevAt.at(items.length) : prevByKey?.get(k)) ?? null;
            items.push(this.item(c, k, v, itemDeps, srcDeps, p));
          },
          elseBlock === null
            ? null
            : () => {
                if (whole) this.suspended--;
                try {
                  empty = this.block(elseBlock, dot, dotDeps, sameBlock(prev, elseBlock));
                } finally {
                  if (whole) this.suspended++;
                }
              },
        );
      } finally {
        if (whole) this.suspended--;
      }
      return empty ?? finishRange(c, items);
    } finally {
      this.exec.pop(m);
      if (this.vars.length !== vm) this.vars.length = vm;
    }
  }

  /**
   * Re-runs only the items under written paths when the array itself was not replaced and
   * nothing else the range reads changed (see hydrate-range.ts), or null.
   */
  private partialRange(c: RangeConstruct, src: unknown[], path: readonly string[], dotDeps: Deps, before: VRange): VRange | null {
    const changes = this.changes!;
    const edits = changes.listEdits(path);
    const kids = edits === null ? changes.childrenBelow(path) : edits.kids;
    if (kids === null || !this.unchangedExcept(c, dotDeps)) return null;
    const srcDeps: Deps = { exact: path };
    const run = (i: number, prev: VItem | null): VItem =>
      this.exec.rangeIndex(c.node, i, src[i], (v) => this.item(c, i, v, { exact: [...path, String(i)] }, srcDeps, prev));
    const reuse = c.node.pipe.decl.length < 2;
    if (edits === null) return patchRange({ c, src, before, kids, reuse: reuse && !changes.deepBelow(path), run });
    if (reuse) {
      const spliced = spliceRange({ c, src, before, edits, run });
      if (spliced) return spliced;
    }
    // Replayed as written indices: from the first splice on, an index's previous item belonged
    // to another element, so it is no base for a re-run.
    const replay = splicedIndices(before.items.length, edits.splices);
    return patchRange({
      c,
      src,
      before,
      kids: [...replay.kids, ...kids],
      reuse: reuse && !changes.deepBelow(path),
      run: (i, prev) => run(i, i < replay.from ? prev : null),
    });
  }

  private itemDeps(srcDeps: Deps, k: unknown): Deps {
    if (!srcDeps) return null;
    if ("exact" in srcDeps && (typeof k === "number" || typeof k === "string")) return { exact: [...srcDeps.exact, String(k)] };
    return "exact" in srcDeps ? { cover: [srcDeps.exact] } : srcDeps;
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

  /** Hydrates one item of `c`; the executor has bound the range variables for it. */
  private item(c: RangeConstruct, k: unknown, v: unknown, itemDeps: Deps, srcDeps: Deps, prev: VItem | null): VItem {
    const vm = this.vars.length;
    try {
      const decl = c.node.pipe.decl;
      // Mirror the executor: the element variable, then the key variable (covering the list).
      if (decl.length > 0 && !c.node.pipe.isAssign) this.bindTop(decl.length === 1 ? 1 : 2, decl.length === 1 ? itemDeps : srcDeps, itemDeps);
      const slots = new Array<VValue>(c.body.slotCount);
      this.fill(c.body, v, itemDeps, prev ? prev.slots : null, slots);
      const key = c.keySlot !== null ? (slots[c.keySlot] as string) : contentKey(c, slots);
      return { key, h: key, slots, dk: k, el: v };
    } finally {
      // Setting an array's length costs a call even when it does not change.
      if (this.vars.length !== vm) this.vars.length = vm;
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

}

function sameBlock(prev: VValue | undefined, block: Block): VNode | null {
  return prev !== undefined && typeof prev !== "string" && prev.kind === "node" && prev.block === block ? prev : null;
}
