/**
 * The live handler an application serves: a thin assembly of the session engine (`src/session/`) and
 * the HTTP and WebSocket transports (`src/transport/`), with the authenticator, the session store
 * and the broadcast bus from the options. It is a node:http request listener with WebSocket
 * wiring, broadcasting and shutdown on it.
 */
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { SessionEngine } from "../session/engine.js";
import type { BroadcastUpdate } from "../session/events.js";
import { StoreSet, type NamedStores } from "../session/store-set.js";
import type { LiveView, StoreSource } from "../session/types.js";
import { ChunkScripts, ClientScript, defaultClientScriptFile } from "../transport/client-script.js";
import type { LiveConnection } from "../transport/frames.js";
import { clientLimits } from "../transport/client-limits.js";
import { HttpTransport } from "../transport/http.js";
import { identifier } from "../transport/identify.js";
import { WsTransport } from "../transport/ws.js";
import { LiveTemplateError } from "../errors.js";
import { AnonymousAuthenticator } from "./authenticator.js";
import type { ConnectionRegistry } from "./connection-registry.js";
import { resolveOptions, sameOrigin, type LiveHandlerOptions } from "./options.js";
import { MemorySessionStore, type SessionStore } from "./session-store.js";
import { addUpgradeRoute } from "./upgrade-router.js";
import { HANDLER_INTERNALS } from "./handler-internals.js";
import { DEV_COOKIE } from "../protocol/wire.js";
import { hasCookie } from "../transport/http-io.js";
import { sendDevErrorPage } from "./dev-page.js";
import { checkHealth, type HealthReport } from "./health.js";
import { Metrics, measuredView, type HandlerMetrics } from "./metrics.js";
import { devSessionStore } from "../cli/dev/session-store.js";
import type { PresenceEntry } from "../topics/types.js";
import { Uploads } from "../uploads/uploads.js";
import { resolveStaging, resolveUploads } from "../uploads/options.js";

export type { BroadcastUpdate } from "../session/events.js";

/** Node's request listener signature, with Express's optional `next`. */
export type RequestListener = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

/**
 * The value `tmpl.handle(...)` returns: a request listener (usable as `http.createServer(handler)`,
 * an Express/Fastify/Hono route handler on the raw node objects) plus WebSocket wiring,
 * broadcasting and shutdown.
 */
export interface LiveHandler<S = unknown> extends RequestListener {
  /** Handles one HTTP request; resolves when the response is written. */
  handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Handles a WebSocket upgrade for this page (call it from your server's `upgrade` event). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Listens to `server`'s `upgrade` events (only for `options.path` when set). Handlers attached
   * to one server share one listener: an upgrade goes to the handler of its path, else to one
   * attached without a path, else it gets `404` (unless the application has `upgrade` listeners
   * of its own). Returns a function that stops listening.
   */
  attach(server: Server): () => void;
  /** Re-renders every connected group (after running `update` on it) and pushes the diffs. */
  broadcast(update?: BroadcastUpdate<S>): Promise<void>;
  /** Same, for the groups these users are connected in (every tab of those groups updates). */
  broadcastToUsers(userIds: readonly string[], update?: BroadcastUpdate<S>): Promise<void>;
  /** Same, for one group. */
  broadcastToGroup(groupId: string, update?: BroadcastUpdate<S>): Promise<void>;
  /**
   * Moves the session of `req`'s browser to a fresh id and sets the new cookie on `res`: call it
   * after a login (in your login route, before the response is written), so that a session id
   * planted in the browser before the login is not the logged-in session. The state, this
   * instance's open connections and later requests follow the new id; the old id is forgotten.
   * Resolves with the new group id. Rejects with `LT_ERR_AUTH_ROTATE` when the authenticator has
   * no `rotate` (its groups are not chosen by the browser).
   */
  rotateSession(req: IncomingMessage, res: ServerResponse): Promise<string>;
  /**
   * Sends `event` (a JSON value) to every store subscribed to `topic` (`ctx.subscribe`), on every
   * instance: their `onMessage(topic, event, ctx)` runs in each group's queue, and each group
   * re-renders once per tick however many messages it got. Throws `LT_ERR_TOPIC_INVALID` for a
   * bad topic or an event that is not JSON. See docs/realtime.md.
   */
  publish(topic: string, event: unknown): void;
  /** Who is in `topic` (tracked with `ctx.track`), on every instance this one hears from, sorted by key. */
  presence(topic: string): readonly PresenceEntry[];
  /** Closes every connection with 1001, stops timers and the bus; resolves when done. */
  close(): Promise<void>;
  /**
   * A snapshot of this handler's metrics: connections, groups, actions and actions per second,
   * action and render µs percentiles, bytes out, failed actions by code (docs/operations.md).
   */
  metrics(): HandlerMetrics;
  /**
   * Whether the session store and the broadcast bus answer (each within `timeoutMs`, default
   * 2000), and which ones they are.
   */
  health(timeoutMs?: number): Promise<HealthReport>;
  /** Number of open WebSocket connections. */
  readonly connectionCount: number;
  /** Number of session groups held in memory (at most the `maxSessions` option, plus connected ones). */
  readonly sessionCount: number;
  /** The connection registry (read-only use). */
  readonly registry: ConnectionRegistry<LiveConnection>;
}

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
export function createLiveHandler<S extends object = object>(
  view: LiveView,
  stores: StoreSource<S> | NamedStores<S>,
  options: LiveHandlerOptions = {},
): LiveHandler<S> {
  const o = resolveOptions(options);
  const auth = options.authenticator ?? new AnonymousAuthenticator();
  const sessions: SessionStore = options.sessionStore ?? devSessionStore(o.path) ?? new MemorySessionStore({ maxSessions: o.maxSessions });
  if (auth instanceof AnonymousAuthenticator && auth.randomSecret && sessions.transact !== undefined) {
    o.logger.warn(
      "LT_ERR_AUTH_SECRET: session ids are signed with a random per-process key, so other instances sharing this session store refuse this one's cookies; set LT_SESSION_SECRET or AnonymousAuthenticator({ secret })",
    );
  }
  const originOk = options.originValidator ?? ((origin: string | undefined, req: IncomingMessage) => sameOrigin(origin, req, o.trustProxy));
  // The per-action debug lines bypass the log rate limit: a debug logger asked for every one.
  const metrics = new Metrics(options.logger ?? o.logger);
  const uploads = new Uploads(resolveUploads(options.uploads), resolveStaging(options.uploadStaging), o.logger);
  const engine = new SessionEngine<LiveConnection>({
    view: measuredView(view, metrics),
    observer: metrics,
    sourceLines: sourceLinesOf(view),
    wantsDevDetails: (m) => {
      const cookie = (m as LiveConnection).request.headers["cookie"];
      return hasCookie(typeof cookie === "string" ? cookie : undefined, DEV_COOKIE);
    },
    stores: new StoreSet(stores as StoreSource | NamedStores),
    sessions,
    tracking: o.tracking,
    dev: o.dev,
    logger: o.logger,
    capabilities: o.capabilities,
    page: { wrapperId: `lvt-${randomBytes(8).toString("hex")}`, loading: o.loadingIndicator },
    bus: options.broadcastBus,
    channel: o.channel,
    maxGroups: o.maxSessions,
    hibernate: o.hibernateAfterMs > 0 ? { afterMs: o.hibernateAfterMs, stores: o.hibernateStores } : undefined,
    topics: options.topics,
    uploads,
  });
  const identify = identifier(auth, o.logger);
  const limits = clientLimits(o);
  const clientFile = o.clientScript.file ?? defaultClientScriptFile();
  // Dev mode adds the error overlay script, which sits beside the client bundle.
  const devScript = o.dev ? new ClientScript(join(dirname(clientFile), "livetemplate.dev.js")) : undefined;
  const http = new HttpTransport(engine, o, auth, identify, originOk, new ClientScript(clientFile), limits, devScript, new ChunkScripts(dirname(clientFile)), (n) => metrics.httpBytes(n), uploads);
  const ws = new WsTransport(engine, o, auth, identify, originOk, limits, uploads);

  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, fn: () => void): void => {
    const t = setInterval(fn, ms);
    t.unref();
    timers.push(t);
  };
  // One sweep forgets idle groups and hibernates idle connected ones: often enough for the latter.
  every(o.hibernateAfterMs > 0 ? Math.min(60_000, Math.max(1000, o.hibernateAfterMs / 2)) : 60_000, () => engine.evictIdle());
  if (o.heartbeatMs > 0) every(o.heartbeatMs, () => ws.heartbeat());

  const detachers = new Set<() => void>();
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      for (const t of timers) clearInterval(t);
      for (const detach of [...detachers]) detach();
      await ws.close();
      await engine.close();
      await ws.stop();
      // A store the handler made itself is its own to close; one passed in may be shared.
      if (options.sessionStore === undefined) await sessions.close?.();
    })());
  const attach = (server: Server): (() => void) => {
    // One listener per server routes by path and answers 404 when no handler takes the upgrade.
    const remove = addUpgradeRoute(server, { path: o.path, handle: (req, socket, head) => ws.handleUpgrade(req, socket, head) });
    const detach = (): void => {
      remove();
      detachers.delete(detach);
    };
    detachers.add(detach);
    return detach;
  };

  const rotateSession = async (req: IncomingMessage, res: ServerResponse): Promise<string> => {
    if (auth.rotate === undefined) throw new LiveTemplateError("LT_ERR_AUTH_ROTATE", "this authenticator's sessions cannot be rotated");
    const who = await identify(req);
    if (who === undefined) throw new LiveTemplateError("LT_ERR_AUTH_UNAUTHORIZED", "the request could not be authenticated");
    const next = auth.rotate(req);
    await engine.dispatch(who.groupId, { kind: "rotate", to: next.groupId }, { kind: "server" });
    for (const [name, value] of Object.entries(next.headers)) appendHeader(res, name, value);
    return next.groupId;
  };

  const sourceLines = sourceLinesOf(view);
  // Dev mode shows a page that cannot be rendered as an error page instead of a bare 500.
  const handleRequest = (req: IncomingMessage, res: ServerResponse): Promise<void> =>
    !o.dev
      ? http.handleRequest(req, res)
      : http.handleRequest(req, res).catch((err: unknown) => {
          if (res.headersSent) throw err;
          o.logger.error("request failed", err);
          sendDevErrorPage(res, err, sourceLines);
        });
  const fn = ((req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => {
    handleRequest(req, res).catch((err: unknown) => (next ? next(err) : http.fail(res, err)));
  }) as LiveHandler<S>;
  return Object.defineProperties(fn, {
    handleRequest: { value: handleRequest },
    handleUpgrade: { value: (req: IncomingMessage, socket: Duplex, head: Buffer) => ws.handleUpgrade(req, socket, head) },
    attach: { value: attach },
    broadcast: { value: (u?: BroadcastUpdate) => engine.broadcast({ kind: "all" }, u) },
    broadcastToUsers: { value: (ids: readonly string[], u?: BroadcastUpdate) => engine.broadcast({ kind: "users", ids: [...ids] }, u) },
    broadcastToGroup: { value: (id: string, u?: BroadcastUpdate) => engine.broadcast({ kind: "group", id }, u) },
    rotateSession: { value: rotateSession },
    publish: { value: (topic: string, event: unknown) => engine.topics.publish(topic, event) },
    presence: { value: (topic: string) => engine.topics.presence(topic) },
    close: { value: close },
    metrics: { value: () => metrics.snapshot(engine.registry.size, engine.groupCount) },
    health: { value: (timeoutMs?: number) => checkHealth(sessions, options.broadcastBus, timeoutMs) },
    connectionCount: { get: () => engine.registry.size },
    sessionCount: { get: () => engine.groupCount },
    registry: { get: () => engine.registry },
    [HANDLER_INTERNALS]: { value: { engine, options: o } },
  });
}

/** The view's `sourceLine` (a `Template` has one), for dev-mode details of template errors. */
function sourceLinesOf(view: LiveView): ((name: string, line: number) => string | undefined) | undefined {
  const v = view as LiveView & { sourceLine?: (name: string, line: number) => string | undefined };
  return typeof v.sourceLine === "function" ? (name, line) => v.sourceLine!(name, line) : undefined;
}

/** Adds a header value, keeping values already set under that name (several `Set-Cookie`s). */
function appendHeader(res: ServerResponse, name: string, value: string | string[]): void {
  const prev = res.getHeader(name);
  const add = Array.isArray(value) ? value : [value];
  if (prev === undefined) res.setHeader(name, add);
  else res.setHeader(name, [...(Array.isArray(prev) ? prev : [String(prev)]), ...add]);
}
