/**
 * The live handler an application serves: a thin assembly of the session engine (`src/session/`) and
 * the HTTP and WebSocket transports (`src/transport/`), with the authenticator, the session store
 * and the broadcast bus from the options. It is a node:http request listener with WebSocket
 * wiring, broadcasting and shutdown on it.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { SessionEngine } from "../session/engine.js";
import type { BroadcastUpdate } from "../session/events.js";
import { StoreSet, type NamedStores } from "../session/store-set.js";
import type { LiveView, StoreSource } from "../session/types.js";
import { ClientScript, defaultClientScriptFile } from "../transport/client-script.js";
import type { LiveConnection } from "../transport/frames.js";
import { HttpTransport } from "../transport/http.js";
import { identifier } from "../transport/identify.js";
import { WsTransport } from "../transport/ws.js";
import { AnonymousAuthenticator } from "./authenticator.js";
import type { ConnectionRegistry } from "./connection-registry.js";
import { resolveOptions, sameOrigin, type LiveHandlerOptions } from "./options.js";
import { MemorySessionStore } from "./session-store.js";
import { addUpgradeRoute } from "./upgrade-router.js";

export type { BroadcastUpdate } from "../session/events.js";

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
   * Listens to `server`'s `upgrade` events (only for `options.path` when set). Handlers attached
   * to one server share one listener: an upgrade goes to the handler of its path, else to one
   * attached without a path, else it gets `404` (unless the application has `upgrade` listeners
   * of its own). Returns a function that stops listening.
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
export function createLiveHandler(view: LiveView, stores: StoreSource | NamedStores, options: LiveHandlerOptions = {}): LiveHandler {
  const o = resolveOptions(options);
  const auth = options.authenticator ?? new AnonymousAuthenticator();
  const sessions = options.sessionStore ?? new MemorySessionStore();
  const originOk = options.originValidator ?? ((origin: string | undefined, req: IncomingMessage) => sameOrigin(origin, req, o.trustProxy));
  const engine = new SessionEngine<LiveConnection>({
    view,
    stores: new StoreSet(stores),
    sessions,
    tracking: o.tracking,
    dev: o.dev,
    logger: o.logger,
    capabilities: o.capabilities,
    page: { wrapperId: `lvt-${randomBytes(8).toString("hex")}`, loading: o.loadingIndicator },
    bus: options.broadcastBus,
    channel: o.channel,
  });
  const identify = identifier(auth, o.logger);
  const http = new HttpTransport(engine, o, auth, identify, originOk, new ClientScript(o.clientScript.file ?? defaultClientScriptFile()));
  const ws = new WsTransport(engine, o, auth, identify, originOk);

  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, fn: () => void): void => {
    const t = setInterval(fn, ms);
    t.unref();
    timers.push(t);
  };
  every(60_000, () => engine.evictIdle());
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

  const fn = ((req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => {
    http.handleRequest(req, res).catch((err: unknown) => (next ? next(err) : http.fail(res, err)));
  }) as LiveHandler;
  return Object.defineProperties(fn, {
    handleRequest: { value: (req: IncomingMessage, res: ServerResponse) => http.handleRequest(req, res) },
    handleUpgrade: { value: (req: IncomingMessage, socket: Duplex, head: Buffer) => ws.handleUpgrade(req, socket, head) },
    attach: { value: attach },
    broadcast: { value: (u?: BroadcastUpdate) => engine.broadcast({ kind: "all" }, u) },
    broadcastToUsers: { value: (ids: readonly string[], u?: BroadcastUpdate) => engine.broadcast({ kind: "users", ids: [...ids] }, u) },
    broadcastToGroup: { value: (id: string, u?: BroadcastUpdate) => engine.broadcast({ kind: "group", id }, u) },
    close: { value: close },
    connectionCount: { get: () => engine.registry.size },
    registry: { get: () => engine.registry },
  });
}
