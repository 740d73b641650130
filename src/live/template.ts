/**
 * The live template: an html/template that also renders to the live tree of PROTOCOL.md §4 and
 * to the smallest update between two renders (§5, §6).
 */
import { randomBytes } from "node:crypto";
import { HtmlTemplate } from "../template/template.js";
import type { ChangeEntry } from "../changes/path.js";
import { ATTR_LOADING, ATTR_WRAPPER_ID } from "../protocol/wire.js";
import { LiveView, type TreeNode, type TreeUpdate } from "../tree/index.js";
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
   * method shifted, or instead of those indices the array's splices as one `ListEdit`, after
   * which paths below the array use the indices the splices produced); a missed write leaves
   * that part of the page stale. Without this option every
   * call re-renders the whole page and diffs it (always correct). Functions called by templates
   * and getters are assumed to depend only on their arguments and on the object they belong to.
   */
  changed?: Iterable<ChangeEntry>;
}

/** Options of {@link Template.executeToHTML}. */
export interface PageOptions {
  /** Wrapper id to use (default: this instance's {@link Template.wrapperId}); it becomes this instance's id. */
  wrapperId?: string;
  /** Mark the wrapper with `data-lvt-loading="true"` (default true). */
  loading?: boolean;
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
  /** What this instance's client holds. */
  #view = new LiveView();

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
    return this.#view.update(this.prepare(), data, options.changed);
  }

  /**
   * Renders `data` as the full page, the live part inside the wrapper div
   * `<div data-lvt-id="..." data-lvt-loading="true">`. Outside the wrapper the text is exactly
   * `execute(data)`. Forgets the client's tree: the next {@link executeUpdates} returns a full
   * tree, as a client that just loaded the page and connects expects.
   */
  executeToHTML(data: unknown, options: PageOptions = {}): string {
    if (options.wrapperId !== undefined) this.#wrapperId = options.wrapperId;
    const page = this.#view.page(this.prepare(), data);
    const loading = options.loading ?? true;
    const open = `<div ${ATTR_WRAPPER_ID}="${this.#wrapperId}"${loading ? ` ${ATTR_LOADING}="true"` : ""}>`;
    return page.head + open + page.body + "</div>" + page.tail;
  }

  /** Forgets the client's tree, so that the next {@link executeUpdates} returns a full tree. */
  reset(): void {
    this.#view.reset();
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
}
