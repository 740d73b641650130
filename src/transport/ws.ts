/**
 * The WebSocket transport: checks and accepts upgrades, turns each connection's open, messages
 * and close into engine events, and answers what needs no session (pings, malformed or oversized
 * messages, the rate limit) by itself. Liveness pings and shutdown live here too.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { PONG, errorMessage, parseMessage, rateLimitedReply, stringValues } from "../protocol/messages.js";
import { ACTION_NAVIGATE, ACTION_PING, CAPABILITY_NAV } from "../protocol/wire.js";
import type { Authenticator } from "../server/authenticator.js";
import type { OriginValidator, ResolvedOptions } from "../server/options.js";
import type { SessionEngine } from "../session/engine.js";
import type { ConnectContext } from "../session/types.js";
import { CLOSE_CODES, LiveConnection } from "./frames.js";
import { queryOf } from "./http-io.js";
import { clientAddress, mayStartSession, type ClientLimits } from "./client-limits.js";
import type { Identify, Identity } from "./identify.js";

export class WsTransport {
  private readonly wss: WebSocketServer;
  private readonly upgradeHeaders = new WeakMap<IncomingMessage, Record<string, string | string[]>>();
  private nextConnId = 0;
  private closing = false;

  constructor(
    private readonly engine: SessionEngine<LiveConnection>,
    private readonly o: ResolvedOptions,
    private readonly auth: Authenticator,
    private readonly identify: Identify,
    private readonly originOk: OriginValidator,
    private readonly limits: ClientLimits,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: o.maxMessageBytes, perMessageDeflate: false });
    this.wss.on("headers", (headers: string[], req: IncomingMessage) => {
      const extra = this.upgradeHeaders.get(req);
      if (extra === undefined) return;
      for (const [k, v] of Object.entries(extra)) for (const one of Array.isArray(v) ? v : [v]) headers.push(`${k}: ${one}`);
    });
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
    const context: ConnectContext = { connectionId: conn.id, userId: who.userId, groupId: who.groupId, request: req };
    const origin = { kind: "live", member: conn } as const;
    ws.on("pong", () => (conn.alive = true));
    ws.on("error", (err) => this.o.logger.debug(`connection ${conn.id} error`, err));
    ws.on("message", (raw: RawData, isBinary: boolean) => this.onMessage(conn, raw, isBinary));
    ws.once("close", () => {
      conn.closed = true;
      this.engine
        .dispatch(conn.groupId, { kind: "disconnect", context }, origin)
        .catch((err: unknown) => this.o.logger.error("disconnect handling failed", err));
    });
    this.engine.dispatch(conn.groupId, { kind: "connect", query: queryOf(req), context }, origin).catch((err: unknown) => {
      this.o.logger.error("connection setup failed", err);
      ws.close(CLOSE_CODES.internal, "setup failed");
    });
  }

  private onMessage(conn: LiveConnection, raw: RawData, isBinary: boolean): void {
    if (conn.closed) return;
    const text = rawToString(raw);
    if (isBinary) {
      conn.send(errorMessage("LT_ERR_PROTOCOL_MALFORMED", "binary frames are not accepted"));
      return;
    }
    if (Buffer.byteLength(text) > this.o.maxMessageBytes) {
      conn.send(errorMessage("LT_ERR_PROTOCOL_TOO_LARGE", "message too large"));
      return;
    }
    const msg = parseMessage(text);
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

/** The text of a WebSocket message, whatever buffer shape `ws` delivered. */
function rawToString(raw: RawData): string {
  if (Buffer.isBuffer(raw)) return raw.toString("utf8");
  if (Array.isArray(raw)) return Buffer.concat(raw).toString("utf8");
  return Buffer.from(raw).toString("utf8");
}
