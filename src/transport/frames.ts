/**
 * WebSocket frames, built once and written to many sockets: the one place that relies on `ws`
 * internals. A broadcast renders an update once and hands the same {@link EncodedFrame} to every
 * connection in step with it; here its complete WebSocket frame is built once too
 * ({@link wireFrame}) and written straight to each connection's socket, instead of `ws.send()`
 * framing the same payload once per connection.
 *
 * The internals used are `ws`'s `Sender.frame` (a public but undocumented static) and a
 * connection's `_socket`; `frames.test.ts` pins the `ws` version they were checked against, and
 * every path falls back to `ws.send()` when they are missing.
 */
import * as wsModule from "ws";
import type { WebSocket } from "ws";
import { encode, type EncodedFrame, type Member } from "../session/frame.js";
import type { ServerMessage } from "../protocol/messages.js";
import type { RequestInfo } from "../session/types.js";
import { TokenBucket } from "./rate-limiter.js";
import { capabilitiesOf } from "./http-io.js";

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

type FrameFn = (data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }) => Buffer[];
/** `ws`'s public (untyped) frame builder, when this version of `ws` has it. */
const wsFrame: FrameFn | undefined = (wsModule as unknown as { Sender?: { frame?: FrameFn } }).Sender?.frame;

/**
 * The unmasked, unfragmented text frame (server to client) of `frame`, built on first use and
 * kept on the frame for its other receivers; `undefined` when this `ws` cannot build it.
 */
export function wireFrame(frame: EncodedFrame): Buffer | undefined {
  if (frame.framed === undefined) {
    frame.framed = wsFrame === undefined ? null : Buffer.concat(wsFrame(frame.payload, { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false }));
  }
  return frame.framed ?? undefined;
}

/**
 * What a connection keeps of its upgrade request for as long as it is open: the method, URL and
 * headers, in a plain object. The `IncomingMessage` itself is let go once the socket is upgraded
 * (with its raw headers, streams state and the buffer of the request's bytes it is a slice of).
 */
export type UpgradeRequest = RequestInfo;

/** The {@link UpgradeRequest} of a request: the same headers object, without the request around it. */
export function upgradeRequest(req: UpgradeRequest): UpgradeRequest {
  return { method: req.method, url: req.url, headers: req.headers };
}

/** Capability sets by the `lvt-cap` text they were read from: every tab of one client shares one. */
const capabilitySets = new Map<string, ReadonlySet<string>>();

function sharedCapabilities(request: RequestInfo): ReadonlySet<string> {
  const caps = capabilitiesOf(request);
  const key = [...caps].join(",");
  const known = capabilitySets.get(key);
  if (known !== undefined) return known;
  // Bounded: the text comes from clients; past the bound a connection keeps its own set.
  if (capabilitySets.size < 64) capabilitySets.set(key, caps);
  return caps;
}

/** One WebSocket connection: its identity, its rate limiter, and a bounded send path. */
export class LiveConnection implements Member {
  closed = false;
  /**
   * The close code this side chose when it closed the connection itself (1013 for a slow reader),
   * recorded even when the close frame never reaches the peer.
   */
  closeCode: number | undefined;
  /** Set while the peer answers protocol pings. */
  alive = true;
  readonly bucket: TokenBucket | undefined;
  /** What the client asked for on its URL (`lvt-cap`). */
  readonly capabilities: ReadonlySet<string>;

  constructor(
    readonly id: string,
    public groupId: string,
    readonly userId: string,
    readonly ws: WebSocket,
    readonly request: UpgradeRequest,
    private readonly maxBufferedBytes: number,
    rateLimit: { perSecond: number; burst: number } | false,
    private readonly onSlow: (conn: LiveConnection) => void,
  ) {
    this.bucket = rateLimit === false ? undefined : new TokenBucket(rateLimit.perSecond, rateLimit.burst);
    this.capabilities = sharedCapabilities(request);
  }

  deliver(frame: EncodedFrame): boolean {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return false;
    if (this.ws.bufferedAmount + frame.length > this.maxBufferedBytes) {
      this.closeSlow();
      return false;
    }
    // Equivalent to ws.send() here because no extension (compression) is negotiated, so ws never
    // queues frames of its own ahead of the socket. The bytes land in the socket's write buffer,
    // which `bufferedAmount` counts, so the bound above applies to them too. Anything unexpected
    // (another `ws` version, a socket that is not writable) takes ws.send().
    const socket = rawSocket(this.ws);
    const wire = socket !== undefined && this.ws.extensions === "" ? wireFrame(frame) : undefined;
    if (wire !== undefined) socket!.write(wire);
    else this.ws.send(frame.payload, { binary: false });
    return true;
  }

  /** Writes one message of the protocol to this connection only. */
  send(message: ServerMessage): boolean {
    return this.deliver(encode(message));
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
