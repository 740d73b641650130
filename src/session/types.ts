/**
 * The types store code sees and the engine works with: stores and their hooks, the contexts
 * handed to them, the broadcaster, the view contract the engine renders through, and the logger.
 */
import type { ChangeEntry } from "../changes/path.js";
import type { WireTree } from "../protocol/messages.js";
import type { ActionContext } from "./action-context.js";
import type { NavigationControls } from "./navigation.js";
import type { PushControls } from "./client-events.js";
import type { AsyncControls } from "./async-state.js";
import type { PresenceDiff, TopicContext, TopicControls } from "../topics/types.js";

/** A value or a promise of it: every user hook and every pluggable backend may be async. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * A store: plain state plus methods. The handler calls, for an action named `a`:
 * a method named after the action when the store has one (see `resolveActionMethod`), otherwise
 * `change(ctx)`. A store may be any object; none of the hooks below is required.
 */
export interface Store {
  /** Handles every action that has no method of its own. */
  change?(ctx: ActionContext): MaybePromise<void>;
  /** Called once when a session group's copy of the store is created. */
  init?(): MaybePromise<void>;
  /**
   * Called with the page's query before each full render: page GET, JSON GET, WebSocket connect
   * and `__navigate__` (whose `data` is the new query). State is shared by the group, so what it
   * sets is seen by every tab of the group. Tracked like an action (a throw rolls it back).
   */
  mount?(ctx: MountContext): MaybePromise<void>;
  /**
   * Called when a live (WebSocket) connection of the group opens. `ctx` has the navigation
   * methods too (`ctx.redirect("/login")`): they are sent with the connection's first tree.
   */
  onConnect?(ctx: ConnectContext & NavigationControls & TopicControls, broadcaster: Broadcaster): MaybePromise<void>;
  /** Called when a live connection of the group closes. */
  onDisconnect?(ctx: ConnectContext): MaybePromise<void>;
  /**
   * Called for each event published to a topic the group subscribes to (`ctx.subscribe`), in
   * the group's queue and tracked like an action; the group re-renders once per batch.
   */
  onMessage?(topic: string, event: unknown, ctx: TopicContext): MaybePromise<void>;
  /** Called with the joins and leaves of a subscribed topic's presence (see docs/realtime.md). */
  onPresence?(topic: string, diff: PresenceDiff, ctx: TopicContext): MaybePromise<void>;
}

/**
 * Where a session group's store comes from: an instance (deep-copied per group, prototype kept),
 * a factory function returning a fresh store (may be async), or a class with a no-argument
 * constructor.
 */
export type StoreSource<S extends object = object> = S | (() => MaybePromise<S>) | (new () => S);

/**
 * The live state of one session group: its stores by name. A handler with a single store keeps it
 * under the name `""` ({@link SINGLE_STORE}); its template data is then that store itself. With
 * several named stores the template data is an object of the stores by name.
 */
export type SessionStores = Record<string, object>;

/** Name under which a single (unnamed) store is kept in {@link SessionStores}. */
export const SINGLE_STORE = "";

/** What `mount` gets, with the navigation methods (`ctx.redirect("/login")`, `ctx.patch(...)`, `ctx.flash(...)`). */
export interface MountContext extends NavigationControls, PushControls, AsyncControls, TopicControls {
  /** Query parameters of the page URL (the last value wins for repeated names). */
  readonly query: Readonly<Record<string, string>>;
  readonly userId: string;
  readonly groupId: string;
  /** The live connection, when mounting for one; `undefined` over HTTP. */
  readonly connectionId: string | undefined;
}

/** Identity of a live connection, given to `onConnect`/`onDisconnect`. */
export interface ConnectContext {
  readonly connectionId: string;
  readonly userId: string;
  readonly groupId: string;
  /**
   * What the connection keeps of its upgrade request: a plain object with `method`, `url` (with
   * its query) and `headers` (the request's own headers object), the same for both hooks.
   */
  readonly request: RequestInfo;
}

/** What store code may read of the request that opened a connection. */
export interface RequestInfo {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * Handed to `onConnect`: lets a store push state it changed outside an action (timers, feeds).
 * State is shared by the whole session group, so `send()` re-renders the group and pushes the
 * diff to every connection of the group, not only to the one that received this broadcaster.
 */
export interface Broadcaster {
  /** Re-renders the group's stores and pushes the diff; resolves when the frames are queued. */
  send(): Promise<void>;
  /** True once the connection that received this broadcaster has closed. */
  readonly closed: boolean;
}


/**
 * What the engine needs from a live template; the public `Template` class implements it, and
 * tests may use a fake. One instance remembers the last tree it produced.
 */
export interface LiveView {
  /**
   * Renders `data`: the first call returns the full tree (with statics), later calls the diff
   * against the previous call (`{}` when nothing changed). `options.changed` lists the data paths
   * (and list splices) written since the previous call; without it anything may have changed.
   */
  executeUpdates(data: unknown, options?: { changed?: Iterable<ChangeEntry> }): WireTree;
  /** Renders the whole page with the wrapper div around the body content. */
  executeToHTML(data: unknown, options?: { wrapperId?: string; loading?: boolean }): string;
  /** A fresh instance with no previous render (same parsed template). */
  clone(): LiveView;
}

/** The logger the handler writes to (console-compatible). */
export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}
