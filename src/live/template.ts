/**
 * The live template: an html/template that also renders to the live tree of PROTOCOL.md §4 and
 * to the smallest update between two renders (§5, §6).
 */
import { randomBytes } from "node:crypto";
import { ExecState, type TemplateSet } from "../template/exec.js";
import { HtmlTemplate } from "../template/template.js";
import type { Tree } from "../template/node.js";
import { ChangeSet } from "../changes/change-set.js";
import type { ChangePath } from "../changes/path.js";
import { TreeCompiler, type Block } from "../tree/compile.js";
import { assignedVariables } from "../tree/deps.js";
import { diffTree, exposedSlots, fullTree } from "../tree/diff.js";
import { ExecAdapter } from "../tree/exec-adapter.js";
import { vNodeHtml } from "../tree/html.js";
import { Hydrator } from "../tree/hydrate.js";
import { layoutOf, splitPage, type PageLayout, type SplitPage } from "../tree/page.js";
import type { TreeNode, TreeUpdate } from "../tree/types.js";
import type { VNode } from "../tree/value.js";
import { createLiveHandler, type LiveHandler } from "../server/live-handler.js";
import type { LiveHandlerOptions } from "../server/options.js";
import type { NamedStores } from "../session/store-set.js";
import type { StoreSource } from "../session/types.js";

/** Options of {@link Template.executeUpdates}. */
export interface UpdateOptions {
  /**
   * The data paths written since the previous call (property names and array indices from the
   * root of the data, e.g. `[["todos", 3, "done"], ["count"]]`). A path covers everything below
   * it; `[]` means "anything". Parts of the page that read none of them are not re-rendered, and
   * a list whose length did not change re-renders only the items under a written path.
   *
   * Every write must be listed (including deletes, array length changes and the indices an array
   * method shifted); a missed write leaves that part of the page stale. Without this option every
   * call re-renders the whole page and diffs it (always correct). Functions called by templates
   * and getters are assumed to depend only on their arguments and on the object they belong to.
   */
  changed?: Iterable<ChangePath>;
}

/** Options of {@link Template.executeToHTML}. */
export interface PageOptions {
  /** Wrapper id to use (default: this instance's {@link Template.wrapperId}); it becomes this instance's id. */
  wrapperId?: string;
  /** Mark the wrapper with `data-lvt-loading="true"` (default true). */
  loading?: boolean;
}

interface Compiled {
  readonly compiler: TreeCompiler;
  readonly root: Block;
  readonly layout: PageLayout;
  readonly assigned: ReadonlySet<string>;
  /** Root slots whose range shares its parent element (see diffTree). */
  readonly exposed: ReadonlySet<number>;
}

/** Compiled forms per template set and root name: the set is frozen once escaped. */
const compiledSets = new WeakMap<TemplateSet, Map<string, Compiled>>();

function compiledFor(set: TemplateSet, tree: Tree): Compiled {
  let byName = compiledSets.get(set);
  if (!byName) compiledSets.set(set, (byName = new Map()));
  const hit = byName.get(tree.name);
  if (hit) return hit;
  const compiler = new TreeCompiler(set.trees);
  const root = compiler.pageBlock(tree.name)!;
  const layout = layoutOf(root);
  const c: Compiled = {
    compiler,
    root,
    layout,
    exposed: exposedSlots(layout.body.statics),
    assigned: assignedVariables([...set.trees.values()].map((t) => t.root)),
  };
  byName.set(tree.name, c);
  return c;
}

function newWrapperId(): string {
  return "lvt-" + randomBytes(8).toString("hex");
}

/**
 * An html/template whose renders can be sent as live trees. One instance follows one client:
 * it remembers the tree the client holds, so {@link executeUpdates} returns only what changed.
 * Use {@link clone} for each new connection.
 *
 * @example
 * const t = new Template("counter").parse("<p>{{.Count}}</p>");
 * t.executeUpdates({ Count: 1 }); // { s: ["<p>", "</p>"], "0": 1 }
 * t.executeUpdates({ Count: 2 }); // { "0": 2 }
 * t.executeUpdates({ Count: 2 }); // {}
 */
export class Template extends HtmlTemplate {
  #wrapperId = newWrapperId();
  /** The last hydrated root (for reuse) and the live node the client holds, or null. */
  #prevRoot: VNode | null = null;
  #prevBody: VNode | null = null;
  /** A render failed since the remembered tree was made, so writes were reported and lost. */
  #hintsLost = false;

  /** The id of this instance's wrapper div (`lvt-` and 16 hex digits). */
  get wrapperId(): string {
    return this.#wrapperId;
  }

  /**
   * Renders `data` as a tree update for this instance's client: the first call (and the first
   * after {@link executeToHTML} or {@link reset}) returns the full tree with all statics, later
   * calls the update from the previous call's tree (`{}` when nothing changed).
   * The result shares its statics arrays with the compiled template: serialise it, do not mutate it.
   * @throws the same template errors as `execute`; on error the remembered tree is unchanged.
   */
  executeUpdates(data: unknown, options: UpdateOptions = {}): TreeNode | TreeUpdate {
    const hints = options.changed;
    const changes = hints !== undefined && this.#prevRoot !== null && !this.#hintsLost ? new ChangeSet(hints) : null;
    let page: SplitPage & { root: VNode; exposed: ReadonlySet<number> };
    try {
      page = this.render(data, changes, this.#prevRoot);
    } catch (err) {
      // The writes reported with this call are not reflected in the remembered tree: the next
      // call cannot rely on its own hints alone.
      this.#hintsLost = true;
      throw err;
    }
    this.#hintsLost = false;
    const prev = this.#prevBody;
    const out = prev ? diffTree(prev, page.body, page.exposed) : fullTree(page.body);
    this.#prevRoot = page.root;
    this.#prevBody = page.body;
    return out;
  }

  /**
   * Renders `data` as the full page, the live part inside the wrapper div
   * `<div data-lvt-id="..." data-lvt-loading="true">`. Outside the wrapper the text is exactly
   * `execute(data)`. Forgets the client's tree: the next {@link executeUpdates} returns a full
   * tree, as a client that just loaded the page and connects expects.
   */
  executeToHTML(data: unknown, options: PageOptions = {}): string {
    if (options.wrapperId !== undefined) this.#wrapperId = options.wrapperId;
    const page = this.render(data, null, null);
    this.reset();
    const loading = options.loading ?? true;
    const open = `<div data-lvt-id="${this.#wrapperId}"${loading ? ' data-lvt-loading="true"' : ""}>`;
    return page.head + open + vNodeHtml(page.body) + "</div>" + page.tail;
  }

  /** Forgets the client's tree, so that the next {@link executeUpdates} returns a full tree. */
  reset(): void {
    this.#prevRoot = null;
    this.#prevBody = null;
  }

  /**
   * A fresh instance for a new connection: the same parsed (and escaped) set and functions, no
   * remembered tree, a new wrapper id.
   */
  override clone(): this {
    const t = this.new(this.name());
    // `new` registers the copy under the name; lookups keep finding this instance.
    this.common.handles.set(this.name(), this);
    return t;
  }

  /**
   * Serves this template live: returns a request handler for node:http, Express, Fastify or Hono
   * that renders the page, keeps a session group's stores, runs actions and pushes updates over
   * WebSocket (see docs/server.md). `stores` is one store (instance, factory or class) or
   * `namedStores({...})`.
   *
   * @example
   * const handler = tmpl.handle(new Counter());
   * const server = http.createServer(handler);
   * handler.attach(server);
   */
  handle<S extends object>(stores: StoreSource<S> | NamedStores<S>, options: LiveHandlerOptions = {}): LiveHandler<S> {
    return createLiveHandler<S>(this, stores, options);
  }

  private render(
    data: unknown,
    changes: ChangeSet | null,
    prev: VNode | null,
  ): SplitPage & { root: VNode; exposed: ReadonlySet<number> } {
    const { set, tree } = this.prepare();
    const compiled = compiledFor(set, tree);
    const st = new ExecState(set, tree);
    const dot = st.begin(data);
    const h = new Hydrator(compiled.compiler, new ExecAdapter(st), changes, compiled.assigned);
    try {
      const root = h.root(compiled.root, dot, changes ? prev : null);
      return { ...splitPage(compiled.layout, root), root, exposed: compiled.exposed };
    } catch (err) {
      for (let i = h.undo.length - 1; i >= 0; i--) h.undo[i]!();
      throw st.wrapError(err);
    }
  }
}
