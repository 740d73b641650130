/**
 * The tree's entry point: a template set compiled once into static/dynamic blocks, and one
 * client's view of it, which renders data to the full tree or to the update from what that
 * client holds (PROTOCOL.md §4-6), or to the page HTML (§2).
 *
 * The view remembers the last tree it sent and what the client holds beyond it (nodes held as a
 * one-item range, see diff.ts). A render builds a new tree; the remembered one is replaced only
 * when the render succeeded, so a failing render leaves the view exactly as it was.
 */
import { ExecState, type TemplateSet } from "../template/exec.js";
import type { Tree } from "../template/node.js";
import { ChangeSet } from "../changes/change-set.js";
import type { ChangeEntry } from "../changes/path.js";
import type { TreeNode, TreeUpdate } from "../protocol/tree.js";
import { TreeCompiler, type Block } from "./compile.js";
import { assignedVariables } from "./deps.js";
import { Differ, exposedSlots } from "./diff.js";
import { ExecAdapter } from "./exec-adapter.js";
import { vNodeHtml } from "./html.js";
import { Hydrator } from "./hydrate.js";
import { layoutOf, splitPage, type PageLayout } from "./page.js";
import type { VNode } from "./value.js";

/** What a live render runs: an escaped template set and the tree to execute in it. */
export interface LiveSource {
  readonly set: TemplateSet;
  readonly tree: Tree;
}

/** A template compiled for live rendering. */
export interface CompiledTemplate {
  readonly compiler: TreeCompiler;
  readonly root: Block;
  readonly layout: PageLayout;
  /** Variables some pipeline reassigns: reads of them are never reused. */
  readonly assigned: ReadonlySet<string>;
  /** Root slots whose range shares its parent element (see `Differ.diffTree`). */
  readonly exposed: ReadonlySet<number>;
}

/** Compiled forms per template set and root name: a set is frozen once escaped. */
const compiledSets = new WeakMap<TemplateSet, Map<string, CompiledTemplate>>();

/** The compiled form of `source`, made once per template set and root name. */
export function compileTemplate(source: LiveSource): CompiledTemplate {
  const { set, tree } = source;
  let byName = compiledSets.get(set);
  if (!byName) compiledSets.set(set, (byName = new Map()));
  const hit = byName.get(tree.name);
  if (hit) return hit;
  const compiler = new TreeCompiler(set.trees, set.funcs);
  const root = compiler.pageBlock(tree.name)!;
  const layout = layoutOf(root);
  const c: CompiledTemplate = {
    compiler,
    root,
    layout,
    exposed: exposedSlots(layout.body.statics),
    assigned: assignedVariables([...set.trees.values()].map((t) => t.root)),
  };
  byName.set(tree.name, c);
  return c;
}

/** A page cut at its live part: `body` is the HTML inside the wrapper div. */
export interface RenderedPage {
  readonly head: string;
  readonly body: string;
  readonly tail: string;
}

interface Hydrated {
  readonly root: VNode;
  readonly body: VNode;
  readonly head: string;
  readonly tail: string;
  readonly compiled: CompiledTemplate;
}

/** Hydrates `source` on `data`, reusing parts of `prev` that `changes` does not reach. */
function hydrate(source: LiveSource, data: unknown, changes: ChangeSet | null, prev: VNode | null): Hydrated {
  const compiled = compileTemplate(source);
  const st = new ExecState(source.set, source.tree);
  const dot = st.begin(data);
  const h = new Hydrator(compiled.compiler, new ExecAdapter(st), changes, compiled.assigned);
  try {
    const root = h.root(compiled.root, dot, changes ? prev : null);
    return { ...splitPage(compiled.layout, root), root, compiled };
  } catch (err) {
    throw st.wrapError(err);
  }
}

/**
 * One client's view of a live template: renders data as the update from the tree this client
 * holds. Make one per connection.
 *
 * @example
 * const view = new LiveView();
 * view.update(source, { Count: 1 }); // { s: ["<p>", "</p>"], "0": 1 }
 * view.update(source, { Count: 2 }, [["Count"]]); // { "0": 2 }
 * view.update(source, { Count: 2 }, []); // {}
 */
export class LiveView {
  /** The last hydrated root (for reuse) and the live node the client holds, or null. */
  #root: VNode | null = null;
  #body: VNode | null = null;
  /** Nodes the client holds as a one-item range (see diff.ts). */
  #held = new WeakSet<VNode>();
  /** A render failed since the remembered tree was made, so writes were reported and lost. */
  #hintsLost = false;

  /** True when the view remembers a tree (the next {@link update} is a diff). */
  get holdsTree(): boolean {
    return this.#body !== null;
  }

  /**
   * Renders `data`: the full tree with all statics when the view holds none, else the update
   * from the tree it holds (`{}` when nothing changed). `changed` lists the data paths written
   * since the previous call; without it everything is re-rendered and diffed.
   * @throws the template's execution errors; the view is then unchanged.
   */
  update(source: LiveSource, data: unknown, changed?: Iterable<ChangeEntry>): TreeNode | TreeUpdate {
    const changes = changed !== undefined && this.#root !== null && !this.#hintsLost ? new ChangeSet(changed) : null;
    let next: Hydrated;
    try {
      next = hydrate(source, data, changes, this.#root);
    } catch (err) {
      // The writes reported with this call are not reflected in the remembered tree: the next
      // call cannot rely on its own hints alone.
      this.#hintsLost = true;
      throw err;
    }
    this.#hintsLost = false;
    const prev = this.#body;
    if (prev === null) this.#held = new WeakSet();
    const differ = new Differ(this.#held);
    const out = prev ? differ.diffTree(prev, next.body, next.compiled.exposed) : differ.fullTree(next.body);
    this.#root = next.root;
    this.#body = next.body;
    return out;
  }

  /**
   * Renders `data` as a whole page, cut at its live part, and forgets the client's tree (a page
   * load starts a new client).
   */
  page(source: LiveSource, data: unknown): RenderedPage {
    const next = hydrate(source, data, null, null);
    this.reset();
    return { head: next.head, body: vNodeHtml(next.body), tail: next.tail };
  }

  /** Forgets the client's tree, so that the next {@link update} returns a full tree. */
  reset(): void {
    this.#root = null;
    this.#body = null;
    this.#held = new WeakSet();
  }
}
