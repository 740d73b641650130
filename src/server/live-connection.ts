/**
 * One WebSocket connection: its identity, its rate limiter, and a send path that refuses to
 * buffer without limit.
 */
import type { IncomingMessage } from "node:http";
import type { WebSocket } from "ws";
import type { RegisteredConnection } from "./connection-registry.js";
import { outbox } from "./outbox.js";
import { EncodedFrame, type GroupMember } from "./session-group.js";
import { TokenBucket } from "./rate-limiter.js";

/** WebSocket close codes the handler uses (documented in docs/server.md). */
export const CLOSE_CODES = {
  /** The server is shutting down (`handler.close()`). */
  goingAway: 1001,
  /** Origin or policy violation after the upgrade. */
  policy: 1008,
  /** A frame larger than `maxMessageBytes` (sent by `ws` itself). */
  tooLarge: 1009,
  /** An unexpected server failure. */
  internal: 1011,
  /** The connection fell more than `maxBufferedBytes` behind (slow reader). */
  slowConsumer: 1013,
} as const;

export class LiveConnection implements RegisteredConnection, GroupMember {
  closed = false;
  /**
   * The close code this side chose when it closed the connection itself (1013 for a slow reader),
   * recorded even when the close frame never reaches the peer.
   */
  closeCode: number | undefined;
  /** Set while the peer answers protocol pings. */
  alive = true;
  readonly bucket: TokenBucket | undefined;

  constructor(
    readonly id: string,
    readonly groupId: string,
    readonly userId: string,
    readonly ws: WebSocket,
    readonly request: IncomingMessage,
    private readonly maxBufferedBytes: number,
    rateLimit: { perSecond: number; burst: number } | false,
    private readonly onSlow: (conn: LiveConnection) => void,
  ) {
    this.bucket = rateLimit === false ? undefined : new TokenBucket(rateLimit.perSecond, rateLimit.burst);
  }

  sendFrame(frame: EncodedFrame): boolean {
    // Frames parked by a broadcast were rendered before this one: they go first.
    if (outbox.size > 0) outbox.flush();
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return false;
    if (this.ws.bufferedAmount + frame.length > this.maxBufferedBytes) {
      this.closeSlow();
      return false;
    }
    // Fast path for fan-out: the frame bytes are built once per broadcast and written as they
    // are. Equivalent to ws.send() here because no extension (compression) is negotiated, so
    // ws never queues frames of its own ahead of the socket. The bytes land in the socket's
    // write buffer, which `bufferedAmount` counts, so the bound above applies to them too.
    // Anything unexpected (another `ws` version, a socket that is not writable) takes ws.send().
    const socket = rawSocket(this.ws);
    const wire = socket !== undefined && this.ws.extensions === "" ? frame.wire : undefined;
    if (wire !== undefined) socket!.write(wire);
    else this.ws.send(frame.payload, { binary: false });
    return true;
  }

  sendJSON(message: object): boolean {
    return this.sendFrame(new EncodedFrame(Buffer.from(JSON.stringify(message), "utf8")));
  }

  private closeSlow(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeCode = CLOSE_CODES.slowConsumer;
    this.onSlow(this);
    // The close frame queues behind the unread data: a peer that resumes reading within the
    // grace period receives 1013; one that does not sees the socket end without a close frame.
    this.ws.close(CLOSE_CODES.slowConsumer, "send queue full");
    const timer = setTimeout(() => this.ws.terminate(), 1000);
    timer.unref();
  }
}

/** The socket under a `ws` connection, when this version of `ws` exposes one that accepts writes. */
function rawSocket(ws: WebSocket): { write(b: Buffer): boolean } | undefined {
  const socket = (ws as unknown as { _socket?: unknown })._socket;
  if (typeof socket !== "object" || socket === null) return undefined;
  const s = socket as { write?: unknown; writable?: unknown };
  if (typeof s.write !== "function" || s.writable !== true) return undefined;
  return socket as { write(b: Buffer): boolean };
}
