/**
 * Options of a live handler, with their defaults in one place.
 */
import type { IncomingMessage } from "node:http";
import type { Authenticator } from "./authenticator.js";
import type { BroadcastBus } from "./broadcast-bus.js";
import type { SessionStore } from "./session-store.js";
import type { Logger } from "../session/types.js";
import { rateLimitLogger, type LogLimit } from "./log-limiter.js";
import type { TopicOptions } from "../topics/types.js";
import type { UploadConfig, UploadStaging } from "../uploads/options.js";

/** Decides whether a WebSocket upgrade from `origin` is allowed. */
export type OriginValidator = (origin: string | undefined, req: IncomingMessage) => boolean;

/** Options of `createLiveHandler` / `Template.handle`. Every field is optional. */
export interface LiveHandlerOptions {
  /** Who is the user and which session group. Default: a new {@link AnonymousAuthenticator}. */
  authenticator?: Authenticator;
  /** Where session groups live between requests. Default: a new `MemorySessionStore` (24 h TTL). */
  sessionStore?: SessionStore;
  /**
   * Origin check of WebSocket upgrades and of POSTs that carry an `Origin`; refused ones get 403.
   * Default: same origin ({@link sameOrigin}: the `Origin`'s scheme, host and port equal the
   * request's); a request without `Origin` (not a browser) passes.
   */
  originValidator?: OriginValidator;
  /**
   * The server runs behind a reverse proxy that sets `X-Forwarded-Proto` (and, if it rewrites
   * `Host`, `X-Forwarded-Host`) and `X-Forwarded-For`: the default origin check then takes the
   * request's scheme and host from those headers, and the per-client limits take the client's
   * address from the first `X-Forwarded-For` entry. Only set it when every request comes
   * through such a proxy: a client that reaches the server directly can send these headers too.
   * Default false (the scheme is https exactly when the socket is TLS; the address is the
   * socket's).
   */
  trustProxy?: boolean;
  /** Show `data-lvt-loading` on the wrapper until the client connects. Default true. */
  loadingIndicator?: boolean;
  /** Accept WebSocket upgrades (header `X-LiveTemplate-WebSocket: enabled`). Default true. */
  webSocket?: boolean;
  /**
   * Path the handler answers WebSocket upgrades on when attached with `attach(server)`; other
   * upgrades are left to other listeners. Default: every upgrade.
   */
  path?: string;
  /**
   * Dev mode: unexpected action and render errors are sent to the client with their message
   * (docs/dev-mode.md). Default: true when `NODE_ENV` is `development`, else false.
   */
  dev?: boolean;
  /** Where diagnostics go. Default: warnings and errors to `console`. */
  logger?: Logger;
  /**
   * Rate limit of repeated log lines (clients can cause many: refused origins, throwing
   * actions). Lines with the same key (level and `LT_ERR_*` code, else the message's first
   * words) pass `perInterval` times per `intervalMs`; the rest are counted and reported as one
   * line `<key> (suppressed K similar messages in the last S s)` when the window ends. `false`
   * logs everything. Default `{ perInterval: 10, intervalMs: 60000 }`.
   */
  logLimit?: Partial<LogLimit> | false;
  /** Largest accepted client message (WebSocket frame or POST body), bytes. Default 65536. */
  maxMessageBytes?: number;
  /** Most simultaneous WebSocket connections; further upgrades get 503. Default 10000. */
  maxConnections?: number;
  /**
   * Per-connection token bucket: `burst` messages at once, refilled at `perSecond`; `false`
   * turns it off. Default `{ perSecond: 20, burst: 40 }`.
   */
  rateLimit?: { perSecond: number; burst: number } | false;
  /**
   * Most bytes queued for a connection that is not reading (`ws.bufferedAmount`); a connection
   * beyond it is closed with code 1013. Default 4 MiB.
   */
  maxBufferedBytes?: number;
  /** Interval of WebSocket protocol pings that detect dead peers, ms; 0 turns it off. Default 30000. */
  heartbeatMs?: number;
  /**
   * The browser client script. `inject` adds a `<script>` tag to full pages (default true);
   * `src` overrides its URL (default: the page URL with `?lvt-client=<version>`, served by the
   * handler itself from `dist/client/livetemplate.min.js`); `file` overrides the file served.
   */
  clientScript?: { inject?: boolean; src?: string; file?: string };
  /**
   * Capabilities announced in the first render's `meta.capabilities`. `"change"` makes the
   * client send a `change` action on every input change. Default `[]`.
   */
  capabilities?: string[];
  /**
   * How an action's writes are tracked for rollback and render hints: `"journal"` (a Proxy
   * records every write; default) or `"snapshot"` (a deep copy before each action; use it for
   * stores with `#private` fields, which a Proxy cannot reach).
   */
  tracking?: "journal" | "snapshot";
  /** Cross-instance broadcasting (see `BroadcastBus`). Default: none (single instance). */
  broadcastBus?: BroadcastBus;
  /** Channel of this handler on the bus. Default `"livetemplate"`. */
  channel?: string;
  /**
   * Most session groups kept in memory, and in the default `MemorySessionStore`; beyond it the
   * least recently used groups without connections are dropped. Default 100,000.
   */
  maxSessions?: number;
  /**
   * A connected session group that has had no event (action, broadcast, message) for this many
   * ms drops its render state (the last tree the diffs are computed from, about 4 KiB for a page
   * of ten rows); its next event sends its connections a full tree instead of a diff. Its state
   * stays in memory (see `hibernateStores`). Checked every `hibernateAfterMs / 2` (at least a second
   * and at most a minute apart). Default 0: never.
   */
  hibernateAfterMs?: number;
  /**
   * With `hibernateAfterMs` and the memory session store: a hibernating group also keeps its
   * stores as one string (the Redis store's format) instead of objects, and rebuilds them on its
   * next event. Only state that comes back exactly is frozen (plain objects, arrays, Date, Map,
   * Set, primitives, each object at one place); any other group keeps its stores as they are.
   * The rebuilt stores are copies (same classes): turn this on only when nothing outside a
   * group's stores refers to their objects (a module-level object, a timer holding a store, a
   * `WeakMap` keyed by state). Default false.
   */
  hibernateStores?: boolean;
  /**
   * New sessions one client address may start (requests without a valid session cookie), as a
   * token bucket: `burst` at once, refilled at `perMinute`; `false` turns it off. Beyond it the
   * request gets 429 (`LT_ERR_PROTOCOL_RATE_LIMIT`). Default `{ perMinute: 60, burst: 120 }`.
   */
  sessionRateLimit?: { perMinute: number; burst: number } | false;
  /**
   * Topics and presence: the ACL (`authorize`), presence batching, and the heartbeat and expiry
   * of other instances' presence entries. See docs/realtime.md.
   */
  topics?: TopicOptions;
  /**
   * File uploads by name (the `lvt-upload="name"` of a file input): accepted types, limits,
   * mode (`volume`, `proxied`, `preview`, `direct` with `presign`). See docs/uploads.md.
   * Default: none (upload messages get `LT_ERR_UPLOAD_UNKNOWN`, multipart files are dropped).
   */
  uploads?: Readonly<Record<string, UploadConfig>>;
  /** Where uploads are staged, the disk quota and the expiry of idle entries. See docs/uploads.md. */
  uploadStaging?: UploadStaging;
}

/** Options with defaults applied. */
export interface ResolvedOptions {
  loadingIndicator: boolean;
  webSocket: boolean;
  path: string | undefined;
  trustProxy: boolean;
  dev: boolean;
  logger: Logger;
  maxMessageBytes: number;
  maxConnections: number;
  rateLimit: { perSecond: number; burst: number } | false;
  maxBufferedBytes: number;
  heartbeatMs: number;
  clientScript: { inject: boolean; src: string | undefined; file: string | undefined };
  capabilities: string[];
  tracking: "journal" | "snapshot";
  channel: string;
  maxSessions: number;
  hibernateAfterMs: number;
  hibernateStores: boolean;
  sessionRateLimit: { perMinute: number; burst: number } | false;
}

/** Default option values, as documented in docs/server.md. */
export const DEFAULTS = {
  maxMessageBytes: 64 * 1024,
  maxConnections: 10_000,
  rateLimit: { perSecond: 20, burst: 40 },
  maxBufferedBytes: 4 * 1024 * 1024,
  heartbeatMs: 30_000,
  logLimit: { perInterval: 10, intervalMs: 60_000 },
  sessionTtlMs: 24 * 60 * 60 * 1000,
  maxSessions: 100_000,
  hibernateAfterMs: 0,
  hibernateStores: false,
  sessionRateLimit: { perMinute: 60, burst: 120 },
} as const;

/** A logger printing warnings and errors to the console and dropping debug/info. */
export const consoleLogger: Logger = {
  debug() {},
  info() {},
  warn: (message, ...details) => console.warn(`[livetemplate] ${message}`, ...details),
  error: (message, ...details) => console.error(`[livetemplate] ${message}`, ...details),
};

/** A logger that drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Resolves the options; the logger is wrapped by the log rate limit (see `logLimit`). */
export function resolveOptions(o: LiveHandlerOptions): ResolvedOptions {
  const logger = o.logger ?? consoleLogger;
  return {
    loadingIndicator: o.loadingIndicator ?? true,
    webSocket: o.webSocket ?? true,
    path: o.path,
    trustProxy: o.trustProxy ?? false,
    dev: o.dev ?? process.env["NODE_ENV"] === "development",
    logger: o.logLimit === false ? logger : rateLimitLogger(logger, { ...DEFAULTS.logLimit, ...o.logLimit }),
    maxMessageBytes: o.maxMessageBytes ?? DEFAULTS.maxMessageBytes,
    maxConnections: o.maxConnections ?? DEFAULTS.maxConnections,
    rateLimit: o.rateLimit ?? { ...DEFAULTS.rateLimit },
    maxBufferedBytes: o.maxBufferedBytes ?? DEFAULTS.maxBufferedBytes,
    heartbeatMs: o.heartbeatMs ?? DEFAULTS.heartbeatMs,
    clientScript: {
      inject: o.clientScript?.inject ?? true,
      src: o.clientScript?.src,
      file: o.clientScript?.file,
    },
    capabilities: o.capabilities ?? [],
    tracking: o.tracking ?? "journal",
    channel: o.channel ?? "livetemplate",
    maxSessions: o.maxSessions ?? DEFAULTS.maxSessions,
    hibernateAfterMs: Math.max(0, o.hibernateAfterMs ?? DEFAULTS.hibernateAfterMs),
    hibernateStores: o.hibernateStores ?? DEFAULTS.hibernateStores,
    sessionRateLimit: o.sessionRateLimit ?? { ...DEFAULTS.sessionRateLimit },
  };
}

/**
 * Same-origin check used when no validator is given: `origin` (scheme, host and port, default
 * ports normalized, host case-insensitive) must equal the request's own origin. The request's
 * scheme is `https` when its socket is TLS, else `http`; with `trustProxy` the first value of
 * `X-Forwarded-Proto` and of `X-Forwarded-Host`, when present, replace the socket's scheme and
 * the `Host` header. No `origin` (a non-browser client) passes; `"null"` (an opaque origin) and
 * a request without `Host` fail.
 */
export function sameOrigin(origin: string | undefined, req: IncomingMessage, trustProxy = false): boolean {
  if (origin === undefined || origin === "") return true;
  const encrypted = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
  let scheme = encrypted ? "https" : "http";
  let host = req.headers.host ?? "";
  if (trustProxy) {
    const proto = firstValue(req.headers["x-forwarded-proto"])?.toLowerCase();
    if (proto === "http" || proto === "https") scheme = proto;
    host = firstValue(req.headers["x-forwarded-host"]) ?? host;
  }
  if (host === "") return false;
  try {
    return new URL(origin).origin === new URL(`${scheme}://${host}`).origin;
  } catch {
    return false;
  }
}

/** The first comma-separated value of a header a proxy may have appended to. */
function firstValue(header: string | string[] | undefined): string | undefined {
  const v = (Array.isArray(header) ? header[0] : header)?.split(",")[0]?.trim();
  return v === undefined || v === "" ? undefined : v;
}
