/**
 * The live handler: one request listener that serves a live page over HTTP (page, JSON, form
 * posts, the client script) and WebSocket (upgrade on the same URL), runs actions against the
 * session group's stores, and keeps every connection of a group in sync.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import {
  ACTION_NAVIGATE,
  ACTION_PING,
  ERROR_GENERAL,
  ERROR_RATE_LIMIT,
  HEADER_WEBSOCKET,
} from "../protocol/wire.js";
import { ActionData, type ActionContext } from "./action-context.js";
import { errorsFromThrown } from "./action-errors.js";
import { AnonymousAuthenticator, type Authenticator } from "./authenticator.js";
import { outbox } from "./outbox.js";
import { RESYNC_CHANNEL, type BroadcastBus, type BroadcastMessage, type BroadcastTarget } from "./broadcast-bus.js";
import { CLIENT_SCRIPT_QUERY, ClientScript, defaultClientScriptFile, injectScriptTag } from "./client-script.js";
import { ConnectionRegistry } from "./connection-registry.js";
import {
  BodyTooLargeError,
  mediaType,
  parseForm,
  readBody,
  sendJSON,
  sendText,
  wantsJSON,
} from "./http-io.js";
import { CLOSE_CODES, LiveConnection } from "./live-connection.js";
import { envelope, pagePath, parseMessage, queryOf, rawToString, rejectUpgrade, stringValues, toRecord, validateMessage } from "./messages.js";
import { resolveOptions, sameOrigin, type LiveHandlerOptions, type OriginValidator, type ResolvedOptions } from "./options.js";
import { SessionGroup } from "./session-group.js";
import { MemorySessionStore, type SessionStore } from "./session-store.js";
import { resolveActionMethod, StoreSet, type NamedStores } from "./store-set.js";
import type { Broadcaster, ConnectContext, LiveView, MaybePromise, MountContext, SessionStores, StoreSource } from "./types.js";
import type { ChangeHint } from "../changes/path.js";
import { withLvt } from "./template-errors.js";
import { snapshotStores, WriteJournal } from "../changes/journal.js";

/**
 * A function run against each targeted group's state before it is re-rendered: it receives the
 * template data (the single store, or the object of stores by name) and may change it, possibly
 * asynchronously. It runs in the group's queue like an action; if it throws, that group's state
 * is rolled back and the error logged.
 */
export type BroadcastUpdate = (data: unknown, info: { groupId: string }) => MaybePromise<void>;

/** Node's request listener signature, with Express's optional `next`. */
export type RequestListener = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

/**
 * The value `tmpl.handle(...)` returns: a request listener (usable as `http.createServer(handler)`,
 * an Express/Fastify/Hono route handler on the raw node objects) plus WebSocket wiring,
 * broadcasting and shutdown.
 */
export interface LiveHandler extends RequestListener {
  /** Handles one HTTP request; resolves when the response is written. */
  handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Handles a WebSocket upgrade for this page (call it from your server's `upgrade` event). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Listens to `server`'s `upgrade` events (only for `options.path` when set). Returns a function
   * that stops listening.
   */
  attach(server: Server): () => void;
  /** Re-renders every connected group (after running `update` on it) and pushes the diffs. */
  broadcast(update?: BroadcastUpdate): Promise<void>;
  /** Same, for the groups these users are connected in (every tab of those groups updates). */
  broadcastToUsers(userIds: readonly string[], update?: BroadcastUpdate): Promise<void>;
  /** Same, for one group. */
  broadcastToGroup(groupId: string, update?: BroadcastUpdate): Promise<void>;
  /** Closes every connection with 1001, stops timers and the bus; resolves when done. */
  close(): Promise<void>;
  /** Number of open WebSocket connections. */
  readonly connectionCount: number;
  /** The connection registry (read-only use). */
  readonly registry: ConnectionRegistry<LiveConnection>;
}

interface Identity {
  userId: string;
  groupId: string;
  headers: Record<string, string | string[]>;
}

type Outcome = { known: false } | { known: true; errors: Record<string, string> };

/** How long a group without connections stays cached in memory before it is reloaded. */
const IDLE_GROUP_MS = 5 * 60 * 1000;

/**
 * Builds the live handler for a view and its stores. `Template.handle(stores, options)` calls it.
 *
 * @example
 * ```ts
 * const handler = createLiveHandler(tmpl, new Counter());
 * const server = http.createServer(handler);
 * handler.attach(server);
 * server.listen(8080);
 * ```
 */
export function createLiveHandler(
  view: LiveView,
  stores: StoreSource | NamedStores,
  options: LiveHandlerOptions = {},
): LiveHandler {
  const core = new HandlerCore(view, new StoreSet(stores), options);
  const fn = ((req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => {
    core.handleRequest(req, res).catch((err: unknown) => (next ? next(err) : core.fail(res, err)));
  }) as LiveHandler;
  return Object.defineProperties(fn, {
    handleRequest: { value: core.handleRequest.bind(core) },
    handleUpgrade: { value: core.handleUpgrade.bind(core) },
    attach: { value: core.attach.bind(core) },
    broadcast: { value: (u?: BroadcastUpdate) => core.broadcastTo({ kind: "all" }, u) },
    broadcastToUsers: { value: (ids: readonly string[], u?: BroadcastUpdate) => core.broadcastTo({ kind: "users", ids: [...ids] }, u) },
    broadcastToGroup: { value: (id: string, u?: BroadcastUpdate) => core.broadcastTo({ kind: "group", id }, u) },
    close: { value: core.close.bind(core) },
    connectionCount: { get: () => core.registry.size },
    registry: { get: () => core.registry },
  });
}

class HandlerCore {
  readonly registry = new ConnectionRegistry<LiveConnection>();
  private readonly o: ResolvedOptions;
  private readonly auth: Authenticator;
  private readonly sessions: SessionStore;
  private readonly ownsSessions: boolean;
  private readonly originOk: OriginValidator;
  private readonly wss: WebSocketServer;
  private readonly groups = new Map<string, SessionGroup>();
  private readonly loading = new Map<string, Promise<SessionGroup>>();
  private readonly upgradeHeaders = new WeakMap<IncomingMessage, Record<string, string | string[]>>();
  private readonly wrapperId = `lvt-${randomBytes(8).toString("hex")}`;
  private readonly instanceId = randomBytes(8).toString("hex");
  private readonly client: ClientScript;
  private readonly bus: BroadcastBus | undefined;
  private unsubscribe: Promise<() => MaybePromise<void>> | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly detachers = new Set<() => void>();
  private nextConnId = 0;
  private closing = false;

  constructor(
    private readonly view: LiveView,
    private readonly storeSet: StoreSet,
    options: LiveHandlerOptions,
  ) {
    this.o = resolveOptions(options);
    this.auth = options.authenticator ?? new AnonymousAuthenticator();
    this.ownsSessions = options.sessionStore === undefined;
    this.sessions = options.sessionStore ?? new MemorySessionStore();
    this.sessions.bind?.({ names: storeSet.names, createStores: () => storeSet.create(), resync: (id) => this.resync(id) });
    this.originOk = options.originValidator ?? sameOrigin;
    this.client = new ClientScript(this.o.clientScript.file ?? defaultClientScriptFile());
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.o.maxMessageBytes, perMessageDeflate: false });
    this.wss.on("headers", (headers: string[], req: IncomingMessage) => {
      const extra = this.upgradeHeaders.get(req);
      if (extra === undefined) return;
      for (const [k, v] of Object.entries(extra)) for (const one of Array.isArray(v) ? v : [v]) headers.push(`${k}: ${one}`);
    });
    this.bus = options.broadcastBus;
    if (this.bus !== undefined) {
      this.unsubscribe = Promise.resolve(this.bus.subscribe((m) => this.onBusMessage(m)));
      this.unsubscribe.catch((err: unknown) => this.o.logger.error("broadcast bus subscribe failed", err));
    }
    this.every(60_000, () => this.evictIdleGroups());
    if (this.o.heartbeatMs > 0) this.every(this.o.heartbeatMs, () => this.heartbeat());
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  // ---------------------------------------------------------------- groups

  private async group(groupId: string): Promise<SessionGroup> {
    const g = this.groups.get(groupId);
    if (g !== undefined) return g;
    let pending = this.loading.get(groupId);
    if (pending === undefined) {
      pending = this.loadGroup(groupId).finally(() => this.loading.delete(groupId));
      this.loading.set(groupId, pending);
    }
    return pending;
  }

  private async loadGroup(groupId: string): Promise<SessionGroup> {
    const stores = (await this.sessionGet(groupId)) ?? (await this.freshStores(groupId));
    const g = new SessionGroup(groupId, stores, this.view, (s, lvt) => withLvt(this.storeSet.data(s), lvt, this.storeSet.single));
    this.groups.set(groupId, g);
    return g;
  }

  private async freshStores(groupId: string): Promise<SessionStores> {
    const stores = await this.storeSet.create();
    for (const name of this.storeSet.names) {
      const store = stores[name] as { init?: () => MaybePromise<void> };
      if (typeof store.init === "function") await store.init();
    }
    // Another instance may have created the group meanwhile: then its state is the one to use.
    return this.saveMade(groupId, stores, "creating the group");
  }

  /**
   * For a group without live connections, the session store is the source of truth (another
   * instance may have changed it, or it may have expired): reload it. Call inside `run`.
   */
  private async refresh(g: SessionGroup): Promise<void> {
    if (g.members.size > 0) return;
    const stored = await this.sessionGet(g.id);
    if (stored === undefined) {
      g.stores = await this.freshStores(g.id);
      g.noteChanged(undefined);
    } else if (stored !== g.stores) {
      g.stores = stored;
      g.noteChanged(undefined);
    }
  }

  private async sessionGet(groupId: string): Promise<SessionStores | undefined> {
    try {
      return await this.sessions.get(groupId);
    } catch (err) {
      this.o.logger.error(`LT_ERR_SESSION_STORE: loading group failed`, err);
      throw err;
    }
  }

  private async sessionSet(groupId: string, stores: SessionStores): Promise<void> {
    try {
      await this.sessions.set(groupId, stores);
    } catch (err) {
      // State stays in memory; the next successful save catches up.
      this.o.logger.error(`LT_ERR_SESSION_STORE: saving group failed`, err);
    }
  }

  /**
   * Saves a change that was already made to `made` and cannot be made again (a lifecycle hook or
   * a store's own timer made it). With a shared store (`transact`) it is saved only if nobody
   * saved the group since `made` was loaded (a version check); otherwise the saved state wins and
   * is returned, and the change is dropped (logged). Without `transact` it is saved with `set`.
   */
  private async saveMade(groupId: string, made: SessionStores, label: string): Promise<SessionStores> {
    if (this.sessions.transact === undefined) {
      await this.sessionSet(groupId, made);
      return made;
    }
    let result: { stores: SessionStores };
    try {
      result = await this.sessions.transact(groupId, made, (stores) => Promise.resolve(stores === made));
    } catch (err) {
      this.o.logger.error(`LT_ERR_SESSION_STORE: saving group failed`, err);
      return made;
    }
    if (result.stores !== made) this.droppedChange(groupId, label);
    return result.stores;
  }

  private droppedChange(groupId: string, label: string): void {
    this.o.logger.warn(
      `LT_ERR_SESSION_STORE: session group ${groupId}: the change made by ${label} was dropped, another instance saved the group first`,
    );
  }

  /**
   * Runs lifecycle hooks (`onConnect`/`onDisconnect`) and saves what they changed. With a shared
   * store they run on the latest saved state (loaded first, inside `transact`); they are never run
   * twice (they may start timers), so if another instance saves the group between the hook and the
   * save, the saved state wins and the hook's change is dropped (logged). Returns whether any
   * hook ran or the state was replaced. Call inside `run`.
   */
  private async runHooks(
    g: SessionGroup,
    call: (s: { onConnect?: Function; onDisconnect?: Function } & Record<string, unknown>) => unknown,
    name: "onConnect" | "onDisconnect",
  ): Promise<boolean> {
    const hasHook = Object.values(g.stores).some((s) => typeof (s as Record<string, unknown>)[name] === "function");
    if (!hasHook) return false;
    const before = g.stores;
    let hooked: SessionStores | undefined;
    await this.commit(g, async () => {
      if (hooked !== undefined) return { value: undefined, save: false };
      hooked = g.stores;
      const any = await this.callHooks(g, call, name);
      if (any) g.noteChanged(undefined);
      return { value: undefined, save: any };
    });
    if (hooked !== undefined && g.stores !== hooked) this.droppedChange(g.id, name);
    return hooked !== undefined || g.stores !== before;
  }

  private evictIdleGroups(): void {
    const limit = Date.now() - IDLE_GROUP_MS;
    for (const [id, g] of this.groups) {
      if (g.members.size === 0 && !g.busy && g.lastUsed < limit) this.groups.delete(id);
    }
  }

  // ---------------------------------------------------------------- actions

  /**
   * Runs one action against a group's stores. Writes are tracked so that a throwing action is
   * rolled back and a successful one reports the paths it wrote. Call inside `run`.
   */
  private async execute(
    g: SessionGroup,
    fullAction: string,
    data: Record<string, unknown>,
    submitter: string | undefined,
    who: { userId: string; connectionId: string | undefined },
  ): Promise<Outcome> {
    return this.commit<Outcome>(g, async () => {
      const route = this.storeSet.route(g.stores, fullAction);
      if (route === undefined) return { value: { known: false }, save: false };
      const store = g.stores[route.store]!;
      const ctx: ActionContext = {
        action: route.action,
        fullAction,
        store: route.store,
        data: new ActionData(data),
        submitter,
        userId: who.userId,
        groupId: g.id,
        connectionId: who.connectionId,
      };
      const errors = await this.tracked(g, { [route.store]: store }, (view) => {
        const target = view[route.store] as Record<string, (c: ActionContext) => unknown>;
        return target[route.method]!(ctx);
      }, fullAction);
      return { value: { known: true, errors }, save: Object.keys(errors).length === 0 };
    });
  }

  /**
   * Runs one change of a group's stores and saves it. With a session store that has `transact`
   * (shared by several instances) the change runs on the latest saved state and is re-run if
   * another instance saved in between; otherwise it runs once and is saved with `set`.
   * `attempt` works on `g.stores`, which may be replaced between runs. Call inside `run`.
   */
  private async commit<T>(g: SessionGroup, attempt: () => Promise<{ value: T; save: boolean }>): Promise<T> {
    if (this.sessions.transact === undefined) {
      const r = await attempt();
      if (r.save) await this.sessionSet(g.id, g.stores);
      return r.value;
    }
    let last: { value: T } | undefined;
    try {
      const result = await this.sessions.transact(g.id, g.stores, async (stores) => {
        adoptStores(g, stores);
        const r = await attempt();
        last = { value: r.value };
        return r.save;
      });
      adoptStores(g, result.stores);
    } catch (err) {
      // State stays in memory, as with a failed `set`.
      this.o.logger.error(`LT_ERR_SESSION_STORE: saving group failed`, err);
    }
    if (last === undefined) last = { value: (await attempt()).value };
    return last.value;
  }

  /**
   * Brings a group held in memory in line with a shared session store (see
   * `SessionStoreBinding.resync`) and re-renders it; tells other instances when it saved.
   */
  private async resync(groupId: string): Promise<boolean> {
    const g = this.groups.get(groupId);
    const transact = this.sessions.transact?.bind(this.sessions);
    if (g === undefined || transact === undefined || this.closing) return false;
    const saved = await g.run(async () => {
      let result: { stores: SessionStores; saved: boolean };
      try {
        result = await transact(g.id, g.stores, () => Promise.resolve(false));
      } catch (err) {
        this.o.logger.error(`LT_ERR_SESSION_STORE: re-syncing group failed`, err);
        return false;
      }
      adoptStores(g, result.stores);
      g.pushUpdate();
      return result.saved;
    });
    if (saved) this.publish({ kind: "group", id: groupId });
    return true;
  }

  /**
   * Runs `fn` on tracked views of `stores`; on a throw restores them and returns `meta.errors`.
   * Records the changed paths on the group and saves it after success.
   */
  private async tracked(
    g: SessionGroup,
    stores: SessionStores,
    fn: (views: SessionStores) => unknown,
    label: string,
  ): Promise<Record<string, string>> {
    let rollback: () => void;
    let paths: () => ChangeHint;
    let views: SessionStores;
    let done: () => void = () => {};
    if (this.o.tracking === "journal") {
      const journal = new WriteJournal();
      views = {};
      for (const [name, s] of Object.entries(stores)) views[name] = journal.wrap(s, this.storeSet.basePath(name));
      rollback = () => journal.rollback();
      paths = () => {
        // A write to an object that is also reachable elsewhere in the state changes both
        // places; a path hint names only one of them, so render unhinted then.
        if (journal.referenceWritten) g.invalidateAliases();
        const aliases = g.aliases();
        for (const o of journal.writtenObjects()) if (aliases.has(o)) return undefined;
        return journal.hintPaths();
      };
      done = () => journal.close();
    } else {
      views = stores;
      rollback = snapshotStores(stores);
      paths = () => undefined;
    }
    g.storeCode++;
    try {
      await fn(views);
      g.storeCode--;
      done();
    } catch (thrown) {
      g.storeCode--;
      done();
      rollback();
      const { errors, unexpected } = errorsFromThrown(thrown, this.o.dev);
      if (unexpected) {
        // The usual surprise with journal tracking: `#private` members cannot be reached through a Proxy.
        const hint =
          this.o.tracking === "journal" && thrown instanceof TypeError && /private/i.test(thrown.message)
            ? ' (stores with #private members need the option tracking: "snapshot")'
            : "";
        this.o.logger.error(`LT_ERR_ACTION_FAILED: "${label}" threw; state rolled back${hint}`, thrown);
      }
      return errors;
    }
    g.noteChanged(paths());
    return {};
  }

  /**
   * Calls `mount(ctx)` on every store that has one, tracked like an action (a throw rolls it back
   * and is logged). Call inside `run`, before a full render.
   */
  private async mount(g: SessionGroup, query: Record<string, string>, who: { userId: string; connectionId: string | undefined }): Promise<void> {
    const names = Object.keys(g.stores).filter((n) => typeof (g.stores[n] as { mount?: unknown }).mount === "function");
    if (names.length === 0) return;
    const ctx: MountContext = { query, userId: who.userId, groupId: g.id, connectionId: who.connectionId };
    await this.commit(g, async () => {
      const subset: SessionStores = {};
      for (const n of names) subset[n] = g.stores[n]!;
      const errors = await this.tracked(g, subset, async (views) => {
        for (const n of names) await (views[n] as { mount(c: MountContext): unknown }).mount(ctx);
      }, "mount");
      return { value: undefined, save: Object.keys(errors).length === 0 };
    });
  }

  // ---------------------------------------------------------------- HTTP

  fail(res: ServerResponse, err: unknown): void {
    this.o.logger.error("request failed", err);
    if (!res.headersSent) sendText(res, 500, "internal server error\n");
    else res.destroy();
  }

  private async identify(req: IncomingMessage): Promise<Identity | undefined> {
    try {
      const userId = await this.auth.identify(req);
      const groupId = await this.auth.getSessionGroup(req, userId);
      return { userId, groupId, headers: this.auth.responseHeaders?.(req, groupId) ?? {} };
    } catch (err) {
      this.o.logger.debug("authentication refused", err);
      return undefined;
    }
  }

  async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader(HEADER_WEBSOCKET, this.o.webSocket ? "enabled" : "disabled");
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://localhost");
    if ((method === "GET" || method === "HEAD") && url.searchParams.has(CLIENT_SCRIPT_QUERY)) {
      this.client.serve(req, res);
      return;
    }
    if (method === "HEAD") {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
      res.end();
      return;
    }
    if (method !== "GET" && method !== "POST") {
      sendText(res, 405, "method not allowed\n", { Allow: "GET, HEAD, POST" });
      return;
    }
    // Cross-site form posts could otherwise ride on credentials a browser sends by itself
    // (Basic auth, cookies of a custom authenticator); browsers always send Origin on POST.
    if (method === "POST" && req.headers.origin !== undefined && !this.originOk(req.headers.origin, req)) {
      this.o.logger.warn(`LT_ERR_AUTH_ORIGIN: rejected POST from origin ${req.headers.origin}`);
      sendJSON(res, 403, envelope("LT_ERR_AUTH_ORIGIN", "cross-origin request refused"));
      return;
    }
    const who = await this.identify(req);
    if (who === undefined) {
      sendText(res, 401, "unauthorized\n", this.auth.challenge?.(req) ?? {});
      return;
    }
    const g = await this.group(who.groupId);
    if (method === "GET") {
      if (wantsJSON(req)) {
        const tree = await g.run(async () => {
          await this.refresh(g);
          await this.mount(g, queryOf(req), { userId: who.userId, connectionId: undefined });
          return g.httpFullTree();
        });
        sendJSON(res, 200, { tree, meta: this.firstMeta() }, who.headers);
      } else {
        const html = await g.run(async () => {
          await this.refresh(g);
          await this.mount(g, queryOf(req), { userId: who.userId, connectionId: undefined });
          return g.page({ wrapperId: this.wrapperId, loading: this.o.loadingIndicator });
        });
        this.sendPage(req, res, 200, html, who.headers);
      }
      return;
    }
    await this.handlePost(req, res, g, who);
  }

  private firstMeta(): { success: true; errors: Record<string, string>; capabilities: string[] } {
    return { success: true, errors: {}, capabilities: [...this.o.capabilities] };
  }

  private sendPage(req: IncomingMessage, res: ServerResponse, status: number, html: string, headers: Record<string, string | string[]>): void {
    let body = html;
    if (this.o.clientScript.inject) {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      const src = this.o.clientScript.src ?? `${pagePath(req, path)}?${CLIENT_SCRIPT_QUERY}=${this.client.version()}`;
      body = injectScriptTag(body, src);
    }
    res.writeHead(status, {
      ...headers,
      "Content-Type": "text/html; charset=utf-8",
      "Content-Length": Buffer.byteLength(body),
      "Cache-Control": "no-store",
    });
    res.end(body);
  }

  private async handlePost(req: IncomingMessage, res: ServerResponse, g: SessionGroup, who: Identity): Promise<void> {
    let body: Buffer | { parsed: unknown };
    try {
      body = await readBody(req, this.o.maxMessageBytes);
    } catch (err) {
      if (!(err instanceof BodyTooLargeError)) throw err;
      sendJSON(res, 413, envelope("LT_ERR_PROTOCOL_TOO_LARGE", `message larger than ${this.o.maxMessageBytes} bytes`), who.headers);
      req.resume();
      return;
    }
    const type = mediaType(req);
    const isForm = type === "application/x-www-form-urlencoded" || type === "multipart/form-data";
    let action: string;
    let data: Record<string, unknown>;
    let submitter: string | undefined;
    if (isForm) {
      const fields = Buffer.isBuffer(body) ? await parseForm(body, req.headers["content-type"] ?? "") : toRecord(body.parsed);
      const picked = this.formAction(g, fields);
      if (picked === undefined) {
        sendText(res, 400, "no action: add an lvt-action field or name the submit button after an action\n", who.headers);
        return;
      }
      ({ action, data, submitter } = picked);
    } else {
      const msg = Buffer.isBuffer(body) ? parseMessage(body.toString("utf8")) : validateMessage(body.parsed);
      if (typeof msg === "string") {
        sendJSON(res, 400, envelope("LT_ERR_PROTOCOL_MALFORMED", msg), who.headers);
        return;
      }
      if (msg.action === ACTION_PING) {
        sendJSON(res, 200, { pong: true }, who.headers);
        return;
      }
      if (msg.action === ACTION_NAVIGATE) {
        const tree = await g.run(async () => {
          await this.refresh(g);
          await this.mount(g, stringValues(msg.data), { userId: who.userId, connectionId: undefined });
          return g.httpFullTree();
        });
        sendJSON(res, 200, { tree, meta: this.firstMeta() }, who.headers);
        return;
      }
      ({ action, data, submitter } = msg);
    }
    const json = !isForm || wantsJSON(req);
    const result = await g.run(async () => {
      await this.refresh(g);
      const outcome = await this.execute(g, action, data, submitter, { userId: who.userId, connectionId: undefined });
      if (!outcome.known) return outcome;
      g.pushUpdate();
      // The request's own errors show only in its own reply (`.lvt.Errors`).
      const tree = json ? g.httpDiff(outcome.errors) : {};
      const page =
        !json && Object.keys(outcome.errors).length > 0
          ? g.page({ wrapperId: this.wrapperId, loading: this.o.loadingIndicator }, outcome.errors)
          : undefined;
      return { ...outcome, tree, page };
    });
    if (!result.known) {
      sendJSON(res, 400, envelope("LT_ERR_PROTOCOL_UNKNOWN_ACTION", `no store handles action "${action}"`), who.headers);
      return;
    }
    this.publish({ kind: "group", id: g.id });
    const success = Object.keys(result.errors).length === 0;
    if (json) {
      sendJSON(res, 200, { tree: result.tree, meta: { success, errors: result.errors, action } }, who.headers);
    } else if (success) {
      const location = (req as { originalUrl?: string }).originalUrl ?? req.url ?? "/";
      res.writeHead(303, { ...who.headers, Location: location, "Content-Length": 0 });
      res.end();
    } else {
      this.sendPage(req, res, 422, result.page ?? "", who.headers);
    }
  }

  /**
   * The action of a no-JS form post: the `lvt-action` field, else the first field named after an
   * action method (the submit button's `name`). That field is removed from the data.
   */
  private formAction(
    g: SessionGroup,
    fields: Record<string, unknown>,
  ): { action: string; data: Record<string, unknown>; submitter: string | undefined } | undefined {
    const data = { ...fields };
    const explicit = data["lvt-action"];
    if (typeof explicit === "string" && explicit !== "") {
      delete data["lvt-action"];
      return { action: explicit, data, submitter: undefined };
    }
    for (const key of Object.keys(fields)) {
      const dot = key.indexOf(".");
      const storeName = dot > 0 ? key.slice(0, dot) : undefined;
      const actionName = dot > 0 ? key.slice(dot + 1) : key;
      const candidates = storeName !== undefined ? [g.stores[storeName]] : Object.values(g.stores);
      if (candidates.some((s) => s !== undefined && resolveActionMethod(s, actionName) !== undefined)) {
        delete data[key];
        return { action: key, data, submitter: key };
      }
    }
    return undefined;
  }

  // ---------------------------------------------------------------- WebSocket

  attach(server: Server): () => void {
    const listener = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
      if (this.o.path !== undefined && new URL(req.url ?? "/", "http://localhost").pathname !== this.o.path) return;
      this.handleUpgrade(req, socket, head);
    };
    server.on("upgrade", listener);
    const detach = (): void => {
      server.off("upgrade", listener);
      this.detachers.delete(detach);
    };
    this.detachers.add(detach);
    return detach;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", (err) => this.o.logger.debug("upgrade socket error", err));
    if (this.closing || !this.o.webSocket) {
      rejectUpgrade(socket, 503, "Service Unavailable");
      return;
    }
    const origin = req.headers.origin;
    if (!this.originOk(origin, req)) {
      this.o.logger.warn(`LT_ERR_AUTH_ORIGIN: rejected upgrade from origin ${String(origin)}`);
      rejectUpgrade(socket, 403, "Forbidden");
      return;
    }
    if (this.registry.size >= this.o.maxConnections) {
      this.o.logger.warn(`LT_ERR_SERVER_LIMIT: connection limit ${this.o.maxConnections} reached`);
      rejectUpgrade(socket, 503, "Service Unavailable");
      return;
    }
    this.identify(req).then(
      (who) => {
        if (who === undefined) {
          rejectUpgrade(socket, 401, "Unauthorized", this.auth.challenge?.(req));
          return;
        }
        this.upgradeHeaders.set(req, who.headers);
        this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req, who));
      },
      (err: unknown) => {
        this.o.logger.error("upgrade failed", err);
        rejectUpgrade(socket, 500, "Internal Server Error");
      },
    );
  }

  private onConnection(ws: WebSocket, req: IncomingMessage, who: Identity): void {
    const conn = new LiveConnection(
      `c${++this.nextConnId}`,
      who.groupId,
      who.userId,
      ws,
      req,
      this.o.maxBufferedBytes,
      this.o.rateLimit,
      (c) => this.o.logger.warn(`LT_ERR_SERVER_LIMIT: connection ${c.id} closed with ${CLOSE_CODES.slowConsumer}, send queue above ${this.o.maxBufferedBytes} bytes`),
    );
    this.registry.register(conn);
    const ready = this.group(who.groupId);
    const connectCtx: ConnectContext = { connectionId: conn.id, userId: who.userId, groupId: who.groupId, request: req };
    const broadcaster: Broadcaster = {
      send: async () => {
        const g = await ready;
        if (g.storeCode > 0) {
          // Called by store code running in the group's own task (an onConnect hook, an action):
          // queueing would wait for that task, which may be awaiting this very call. Render now;
          // the task saves the stores when it ends, and other instances hear of it after that.
          g.noteChanged(undefined);
          g.pushUpdate();
          g.run(() => this.publish({ kind: "group", id: g.id })).catch(() => {});
          return;
        }
        await g.run(async () => {
          g.noteChanged(undefined);
          adoptStores(g, await this.saveMade(g.id, g.stores, "broadcaster.send()"));
          g.pushUpdate();
        });
        this.publish({ kind: "group", id: g.id });
      },
      get closed() {
        return conn.closed;
      },
    };

    ws.on("pong", () => (conn.alive = true));
    ws.on("error", (err) => this.o.logger.debug(`connection ${conn.id} error`, err));
    ws.on("message", (raw: RawData, isBinary: boolean) => this.onMessage(conn, ready, raw, isBinary));
    ws.once("close", () => {
      conn.closed = true;
      this.registry.unregister(conn);
      ready
        .then((g) =>
          g.run(async () => {
            g.removeMember(conn);
            if (await this.runHooks(g, (s) => s.onDisconnect?.(connectCtx), "onDisconnect")) g.pushUpdate();
          }),
        )
        .then(() => this.publish({ kind: "group", id: who.groupId }))
        .catch((err: unknown) => this.o.logger.error("disconnect handling failed", err));
    });

    ready
      .then((g) =>
        g.run(async () => {
          if (conn.closed) return;
          await this.refresh(g);
          await this.mount(g, queryOf(req), { userId: conn.userId, connectionId: conn.id });
          await this.runHooks(g, (s) => s.onConnect?.(connectCtx, broadcaster), "onConnect");
          conn.sendJSON({ tree: g.fullTreeFor(conn), meta: this.firstMeta() });
        }),
      )
      .catch((err: unknown) => {
        this.o.logger.error("connection setup failed", err);
        ws.close(CLOSE_CODES.internal, "setup failed");
      });
  }

  /** Calls a lifecycle hook on every store that has it; returns whether any hook existed. */
  private async callHooks(
    g: SessionGroup,
    call: (s: { onConnect?: Function; onDisconnect?: Function } & Record<string, unknown>) => unknown,
    name: string,
  ): Promise<boolean> {
    let any = false;
    for (const store of Object.values(g.stores)) {
      const s = store as { onConnect?: Function; onDisconnect?: Function } & Record<string, unknown>;
      if (typeof s[name] !== "function") continue;
      any = true;
      g.storeCode++;
      try {
        await call(s);
      } catch (err) {
        this.o.logger.error(`${name} threw`, err);
      } finally {
        g.storeCode--;
      }
    }
    return any;
  }

  private onMessage(conn: LiveConnection, ready: Promise<SessionGroup>, raw: RawData, isBinary: boolean): void {
    if (conn.closed) return;
    const text = rawToString(raw);
    if (isBinary || Buffer.byteLength(text) > this.o.maxMessageBytes) {
      conn.sendJSON(envelope(isBinary ? "LT_ERR_PROTOCOL_MALFORMED" : "LT_ERR_PROTOCOL_TOO_LARGE", isBinary ? "binary frames are not accepted" : "message too large"));
      return;
    }
    const msg = parseMessage(text);
    if (typeof msg === "string") {
      conn.sendJSON(envelope("LT_ERR_PROTOCOL_MALFORMED", msg));
      return;
    }
    if (msg.action === ACTION_PING) {
      conn.sendJSON({ pong: true });
      return;
    }
    if (conn.bucket !== undefined && !conn.bucket.take()) {
      conn.sendJSON({
        tree: {},
        meta: { success: false, errors: { [ERROR_RATE_LIMIT]: "rate limit exceeded, slow down" }, action: msg.action },
      });
      return;
    }
    ready
      .then(async (g) => {
        if (msg.action === ACTION_NAVIGATE) {
          await g.run(async () => {
            if (conn.closed) return;
            await this.mount(g, stringValues(msg.data), { userId: conn.userId, connectionId: conn.id });
            conn.sendJSON({ tree: g.fullTreeFor(conn), meta: this.firstMeta() });
          });
          return;
        }
        const result = await g.run(async () => {
          if (conn.closed) return { known: true as const, errors: {}, tree: {} };
          const outcome = await this.execute(g, msg.action, msg.data, msg.submitter, { userId: conn.userId, connectionId: conn.id });
          if (!outcome.known) return outcome;
          const tree = g.replyTo(conn, outcome.errors);
          conn.sendJSON({ tree, meta: { success: Object.keys(outcome.errors).length === 0, errors: outcome.errors, action: msg.action } });
          return { ...outcome, tree };
        });
        if (!result.known) {
          conn.sendJSON(envelope("LT_ERR_PROTOCOL_UNKNOWN_ACTION", `no store handles action "${msg.action}"`));
          return;
        }
        this.publish({ kind: "group", id: g.id });
      })
      .catch((err: unknown) => {
        // Typically a render that threw (a template error on the new state): the client's tree is
        // unchanged, so tell it the action did not go through instead of leaving it waiting.
        this.o.logger.error(`message handling failed on ${conn.id}`, err);
        const detail = this.o.dev && err instanceof Error ? `: ${err.message}` : "";
        conn.sendJSON({ tree: {}, meta: { success: false, errors: { [ERROR_GENERAL]: `the update could not be rendered${detail}` }, action: msg.action } });
      });
  }

  private heartbeat(): void {
    for (const conn of this.registry.all()) {
      if (!conn.alive) {
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      try {
        conn.ws.ping();
      } catch {
        conn.ws.terminate();
      }
    }
  }

  // ---------------------------------------------------------------- broadcasting

  private targetGroups(target: BroadcastTarget): string[] {
    switch (target.kind) {
      case "all":
        return this.registry.groupIds();
      case "users":
        return [...this.registry.groupsOfUsers(target.ids)];
      case "group":
        return this.registry.getByGroup(target.id).size > 0 ? [target.id] : [];
      default: {
        const never: never = target;
        return never;
      }
    }
  }

  async broadcastTo(target: BroadcastTarget, update?: BroadcastUpdate): Promise<void> {
    const ids = this.targetGroups(target);
    await Promise.all(
      ids.map(async (id) => {
        const g = this.groups.get(id);
        if (g === undefined) return;
        await g.run(async () => {
          if (update !== undefined) {
            await this.commit(g, async () => {
              const errors = await this.tracked(g, g.stores, (views) => update(this.storeSet.data(views), { groupId: id }), "broadcast");
              return { value: undefined, save: Object.keys(errors).length === 0 };
            });
          } else {
            // Without a function the point is to show state changed elsewhere (shared objects,
            // external data): nothing was journaled, so render unhinted.
            g.noteChanged(undefined);
            if (this.sessions.transact !== undefined) {
              // A shared store may hold newer state (changed by another instance): render that.
              await this.commit(g, () => Promise.resolve({ value: undefined, save: false }));
            }
          }
          // Parked, and written below in one loop once every group has rendered (see `Outbox`).
          g.pushUpdate(undefined, true);
        });
      }),
    );
    outbox.flush();
    this.publish(target);
  }

  private publish(target: BroadcastTarget): void {
    if (this.bus === undefined) return;
    const message: BroadcastMessage = { source: this.instanceId, channel: this.o.channel, target };
    Promise.resolve()
      .then(() => this.bus!.publish(message))
      .catch((err: unknown) => this.o.logger.error("broadcast bus publish failed", err));
  }

  private onBusMessage(message: BroadcastMessage): void {
    if (message.source === this.instanceId || this.closing) return;
    if (message.channel !== this.o.channel && message.channel !== RESYNC_CHANNEL) return;
    for (const id of this.targetGroups(message.target)) {
      const g = this.groups.get(id);
      if (g === undefined) continue;
      if (this.sessions.transact !== undefined) {
        this.resync(id).catch((err: unknown) => this.o.logger.error("applying a remote broadcast failed", err));
        continue;
      }
      g.run(async () => {
        const stored = await this.sessionGet(id);
        if (stored !== undefined && stored !== g.stores) g.stores = stored;
        g.noteChanged(undefined);
        g.pushUpdate();
      }).catch((err: unknown) => this.o.logger.error("applying a remote broadcast failed", err));
    }
  }

  // ---------------------------------------------------------------- shutdown

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const t of this.timers) clearInterval(t);
    for (const detach of [...this.detachers]) detach();
    const closed = this.registry.all().map(
      (conn) =>
        new Promise<void>((resolve) => {
          if (conn.ws.readyState === conn.ws.CLOSED) return resolve();
          conn.ws.once("close", () => resolve());
          conn.ws.close(CLOSE_CODES.goingAway, "server shutting down");
          setTimeout(() => conn.ws.terminate(), 2000).unref();
        }),
    );
    await Promise.all(closed);
    await Promise.all([...this.groups.values()].map((g) => g.run(() => undefined)));
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    if (this.unsubscribe !== undefined) {
      try {
        await (await this.unsubscribe)();
      } catch (err) {
        this.o.logger.error("broadcast bus unsubscribe failed", err);
      }
    }
    if (this.ownsSessions) await this.sessions.close?.();
  }
}

/** Makes `stores` the group's state; a replaced state is re-rendered without hints. */
function adoptStores(g: SessionGroup, stores: SessionStores): void {
  if (stores === g.stores) return;
  g.stores = stores;
  g.noteChanged(undefined);
}
