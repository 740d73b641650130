/**
 * The WebSocket transport: checks and accepts upgrades, turns each connection's open, messages
 * and close into engine events, and answers what needs no session (pings, malformed or oversized
 * messages, the rate limit) by itself. Liveness pings and shutdown live here too.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { PONG, errorMessage, rateLimitedReply, stringValues, validateMessage } from "../protocol/messages.js";
import { isUploadAction, parseBinaryChunk, parseUploadMessage, UPLOAD_CHUNK } from "../protocol/uploads.js";
import type { Uploads } from "../uploads/uploads.js";
import { ACTION_NAVIGATE, ACTION_PING, CAPABILITY_NAV } from "../protocol/wire.js";
import type { Authenticator } from "../server/authenticator.js";
import type { OriginValidator, ResolvedOptions } from "../server/options.js";
import type { SessionEngine } from "../session/engine.js";
import type { ConnectContext } from "../session/types.js";
import { CLOSE_CODES, LiveConnection, upgradeRequest } from "./frames.js";
import { queryOf } from "./http-io.js";
import { clientAddress, mayStartSession, type ClientLimits } from "./client-limits.js";
import type { Identify, Identity } from "./identify.js";

/** What the transport does with a socket's events; one for all its sockets. */
interface SocketEvents {
  message(conn: LiveConnection, raw: RawData, isBinary: boolean): void;
  close(conn: LiveConnection, context: ConnectContext): void;
  error(conn: LiveConnection, err: unknown): void;
}

/**
 * The sockets the transport accepts: `ws`'s own class, carrying its connection, whose own events
 * (message, pong, error, close) go straight to the transport instead of through listeners. A
 * listener costs a function and a slot in the socket's table of events for as long as the socket
 * is open, for every socket; here they cost three fields. Listeners added with `on` still run,
 * after the transport's handling, as they did when the transport's were the first ones added.
 */
class LiveSocket extends WebSocket {
  conn: LiveConnection | undefined = undefined;
  /** What `onConnect` and `onDisconnect` receive as `ctx`, the same object for both. */
  context: ConnectContext | undefined = undefined;
  events: SocketEvents | undefined = undefined;

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    const { conn, events, context } = this;
    if (conn === undefined || events === undefined || context === undefined) return super.emit(event, ...args);
    let handled = true;
    switch (event) {
      case "message":
        events.message(conn, args[0] as RawData, args[1] === true);
        break;
      case "pong":
        conn.alive = true;
        break;
      case "error":
        events.error(conn, args[0]);
        break;
      case "close":
        events.close(conn, context);
        break;
      default:
        handled = false;
    }
    // An "error" without listeners is handled: EventEmitter would throw it.
    if (handled && this.listenerCount(event) === 0) return true;
    return super.emit(event, ...args);
  }
}

export class WsTransport {
  private readonly wss: WebSocketServer;
  private readonly upgradeHeaders = new WeakMap<IncomingMessage, Record<string, string | string[]>>();
  private nextConnId = 0;
  private closing = false;
  /** Largest frame carrying upload bytes (0: uploads are not configured). */
  private readonly chunkFrameBytes: number;
  /**
   * Upload bytes received and not yet on disk, per connection: its socket is paused while they
   * pass {@link UPLOAD_IN_FLIGHT_BYTES}, so the network and the disk work at the same time while
   * what the server holds stays bounded.
   */
  private readonly writing = new WeakMap<LiveConnection, number>();

  constructor(
    private readonly engine: SessionEngine<LiveConnection>,
    private readonly o: ResolvedOptions,
    private readonly auth: Authenticator,
    private readonly identify: Identify,
    private readonly originOk: OriginValidator,
    private readonly limits: ClientLimits,
    uploads?: Uploads,
  ) {
    // A chunk of upload bytes may be larger than any other message: base64 in JSON (the
    // published client's 256 KiB chunks) or a binary frame.
    this.chunkFrameBytes = uploads?.configured === true ? Math.ceil(uploads.maxChunk / 3) * 4 + 4096 : 0;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: Math.max(o.maxMessageBytes, this.chunkFrameBytes),
      perMessageDeflate: false,
      WebSocket: LiveSocket,
    });
    this.wss.on("headers", (headers: string[], req: IncomingMessage) => {
      const extra = this.upgradeHeaders.get(req);
      if (extra === undefined) return;
      for (const [k, v] of Object.entries(extra)) for (const one of Array.isArray(v) ? v : [v]) headers.push(`${k}: ${one}`);
    });
  }

  /**
   * One listener for every upgrading socket. A closure made inside `handleUpgrade` would share
   * that call's scope, and so keep its request and `head` buffer alive as long as the socket.
   */
  private readonly onUpgradeSocketError = (err: Error): void => this.o.logger.debug("upgrade socket error", err);

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", this.onUpgradeSocketError);
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
    if (this.engine.registry.size >= this.o.maxConnections) {
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
        if (!mayStartSession(this.limits, this.auth.isNew?.(req) === true, req)) {
          this.o.logger.warn(`LT_ERR_PROTOCOL_RATE_LIMIT: too many new sessions from ${clientAddress(req, this.limits.trustProxy)}`);
          rejectUpgrade(socket, 429, "Too Many Requests", { "Retry-After": "60" });
          return;
        }
        this.upgradeHeaders.set(req, who.headers);
        this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws as LiveSocket, req, who));
      },
      (err: unknown) => {
        this.o.logger.error("upgrade failed", err);
        rejectUpgrade(socket, 500, "Internal Server Error");
      },
    );
  }

  private onConnection(ws: LiveSocket, req: IncomingMessage, who: Identity): void {
    const request = upgradeRequest(req);
    // A group id read from a cookie is a slice of the header's text, which it would keep alive.
    const groupId = who.groupId.split("").join("");
    const conn = new LiveConnection(`c${++this.nextConnId}`, groupId, who.userId, ws, request, this.o.maxBufferedBytes, this.o.rateLimit, this.onSlow);
    ws.conn = conn;
    ws.context = { connectionId: conn.id, userId: who.userId, groupId, request };
    ws.events = this.socketEvents;
    this.engine.dispatch(conn.groupId, { kind: "connect", query: queryOf(request), context: ws.context }, { kind: "live", member: conn }).catch((err: unknown) => {
      this.o.logger.error("connection setup failed", err);
      ws.close(CLOSE_CODES.internal, "setup failed");
    });
  }

  private readonly onSlow = (c: LiveConnection): void =>
    this.o.logger.warn(`LT_ERR_SERVER_LIMIT: connection ${c.id} closed with ${CLOSE_CODES.slowConsumer}, send queue above ${this.o.maxBufferedBytes} bytes`);

  /** What every socket's events do (see `LiveSocket`). */
  private readonly socketEvents: SocketEvents = {
    message: (conn, raw, isBinary) => this.onMessage(conn, raw, isBinary),
    error: (conn, err) => this.o.logger.debug(`connection ${conn.id} error`, err),
    close: (conn, context) => {
      conn.closed = true;
      this.engine
        .dispatch(conn.groupId, { kind: "disconnect", context }, { kind: "live", member: conn })
        .catch((err: unknown) => this.o.logger.error("disconnect handling failed", err));
    },
  };

  private onMessage(conn: LiveConnection, raw: RawData, isBinary: boolean): void {
    if (conn.closed) return;
    if (isBinary) {
      if (this.chunkFrameBytes === 0) {
        conn.send(errorMessage("LT_ERR_PROTOCOL_MALFORMED", "binary frames are not accepted"));
        return;
      }
      const chunk = parseBinaryChunk(rawToBuffer(raw));
      if (typeof chunk === "string") conn.send(errorMessage("LT_ERR_UPLOAD_MALFORMED", chunk));
      else this.uploadChunk(conn, { kind: "chunk", entryId: chunk.entryId, bytes: chunk.bytes, offset: undefined });
      return;
    }
    const text = rawToString(raw);
    const bytes = Buffer.byteLength(text);
    if (bytes > this.o.maxMessageBytes && bytes > this.chunkFrameBytes) {
      conn.send(errorMessage("LT_ERR_PROTOCOL_TOO_LARGE", "message too large"));
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      conn.send(errorMessage("LT_ERR_PROTOCOL_MALFORMED", "message is not valid JSON"));
      return;
    }
    const action = (value as { action?: unknown } | null)?.action;
    // Only upload bytes may be larger than an ordinary message.
    if (bytes > this.o.maxMessageBytes && action !== UPLOAD_CHUNK) {
      conn.send(errorMessage("LT_ERR_PROTOCOL_TOO_LARGE", "message too large"));
      return;
    }
    if (this.chunkFrameBytes > 0 && isUploadAction(action)) {
      const up = parseUploadMessage(value as Record<string, unknown>, decodeBase64);
      if (typeof up === "string") {
        conn.send(errorMessage("LT_ERR_UPLOAD_MALFORMED", up));
        return;
      }
      // Chunks are bounded by bytes and disk back-pressure, not by the message rate.
      if (up.kind === "chunk") return this.uploadChunk(conn, up);
      if (conn.bucket !== undefined && !conn.bucket.take()) {
        conn.send(rateLimitedReply(String(action), "rate limit exceeded, slow down"));
        return;
      }
      this.engine
        .dispatch(conn.groupId, { kind: "upload", message: up }, { kind: "live", member: conn })
        .catch((err: unknown) => this.o.logger.error(`upload message handling failed on ${conn.id}`, err));
      return;
    }
    const msg = validateMessage(value);
    if (typeof msg === "string") {
      conn.send(errorMessage("LT_ERR_PROTOCOL_MALFORMED", msg));
      return;
    }
    if (msg.action === ACTION_PING) {
      conn.send(PONG);
      return;
    }
    if (conn.bucket !== undefined && !conn.bucket.take()) {
      conn.send(rateLimitedReply(msg.action, "rate limit exceeded, slow down"));
      return;
    }
    const event =
      msg.action === ACTION_NAVIGATE
        ? ({ kind: "navigate", query: stringValues(msg.data), diff: conn.capabilities.has(CAPABILITY_NAV) } as const)
        : ({ kind: "action", action: msg.action, data: msg.data, submitter: msg.submitter, id: msg.id } as const);
    this.engine
      .dispatch(conn.groupId, event, { kind: "live", member: conn })
      .catch((err: unknown) => this.o.logger.error(`message handling failed on ${conn.id}`, err));
  }

  /**
   * Hands one chunk to the engine (its bytes are written in order, in the group's queue). While
   * more than {@link UPLOAD_IN_FLIGHT_BYTES} received bytes are not yet on disk the socket is
   * paused, so a fast sender cannot make the server buffer more than that (plus one frame).
   */
  private uploadChunk(conn: LiveConnection, message: { kind: "chunk"; entryId: string; bytes: Uint8Array; offset: number | undefined }): void {
    const size = message.bytes.length;
    const before = this.writing.get(conn) ?? 0;
    this.writing.set(conn, before + size);
    if (before <= UPLOAD_IN_FLIGHT_BYTES && before + size > UPLOAD_IN_FLIGHT_BYTES) conn.ws.pause();
    const done = (): void => {
      const was = this.writing.get(conn) ?? size;
      const left = Math.max(0, was - size);
      this.writing.set(conn, left);
      if (was > UPLOAD_IN_FLIGHT_BYTES && left <= UPLOAD_IN_FLIGHT_BYTES) conn.ws.resume();
    };
    this.engine
      .dispatch(conn.groupId, { kind: "upload", message }, { kind: "live", member: conn })
      .catch((err: unknown) => this.o.logger.error(`upload chunk handling failed on ${conn.id}`, err))
      .finally(done);
  }

  /** Pings every connection; one that did not answer the last ping is terminated. */
  heartbeat(): void {
    for (const conn of this.engine.registry.all()) {
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

  /** Closes every connection with 1001 and resolves once all are closed. */
  async close(): Promise<void> {
    this.closing = true;
    const closed = this.engine.registry.all().map(
      (conn) =>
        new Promise<void>((resolve) => {
          if (conn.ws.readyState === conn.ws.CLOSED) return resolve();
          conn.ws.once("close", () => resolve());
          conn.ws.close(CLOSE_CODES.goingAway, "server shutting down");
          setTimeout(() => conn.ws.terminate(), 2000).unref();
        }),
    );
    await Promise.all(closed);
  }

  /** Stops the WebSocket server (after the engine finished its queued work). */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
function rejectUpgrade(socket: Duplex, status: number, text: string, headers: Record<string, string> = {}): void {
  const lines = [`HTTP/1.1 ${status} ${text}`, "Connection: close", "Content-Length: 0"];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  socket.end(lines.join("\r\n") + "\r\n\r\n");
}

/** The bytes of a WebSocket message, whatever buffer shape `ws` delivered. */
function rawToBuffer(raw: RawData): Buffer {
  if (Buffer.isBuffer(raw)) return raw;
  if (Array.isArray(raw)) return Buffer.concat(raw);
  return Buffer.from(raw);
}

/** Strict base64 (standard alphabet, padding optional); undefined when `s` is not base64. */
function decodeBase64(s: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 === 1) return undefined;
  return Buffer.from(s, "base64");
}

/** The text of a WebSocket message, whatever buffer shape `ws` delivered. */
function rawToString(raw: RawData): string {
  if (Buffer.isBuffer(raw)) return raw.toString("utf8");
  if (Array.isArray(raw)) return Buffer.concat(raw).toString("utf8");
  return Buffer.from(raw).toString("utf8");
}

/** Upload bytes a connection may have received and not yet written before its socket is paused. */
const UPLOAD_IN_FLIGHT_BYTES = 4 * 1024 * 1024;
