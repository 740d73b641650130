/**
 * Per-client token buckets, keyed by the client's address: how many new sessions a client may
 * start and how many HTTP actions it may send. The table of buckets is itself bounded (the
 * least recently seen addresses are forgotten first), so a flood of addresses cannot grow it.
 */
import type { IncomingMessage } from "node:http";
import { TokenBucket } from "./rate-limiter.js";

/** Most client addresses remembered per limit. */
const MAX_CLIENTS = 10_000;

export class ClientLimit {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes a token for `client`; false when its bucket is empty. */
  take(client: string): boolean {
    let b = this.buckets.get(client);
    if (b === undefined) {
      b = new TokenBucket(this.perSecond, this.burst, this.now);
      if (this.buckets.size >= MAX_CLIENTS) {
        const oldest = this.buckets.keys().next();
        if (oldest.done !== true) this.buckets.delete(oldest.value);
      }
    } else {
      this.buckets.delete(client);
    }
    this.buckets.set(client, b);
    return b.take();
  }
}

/** The client's address: the socket's, or with `trustProxy` the first `X-Forwarded-For` entry. */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers["x-forwarded-for"];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
    if (first !== undefined && first !== "") return first;
  }
  return req.socket?.remoteAddress ?? "";
}

/** The per-client limits a handler applies; `undefined` where the option turned one off. */
export interface ClientLimits {
  readonly sessions: ClientLimit | undefined;
  readonly httpActions: ClientLimit | undefined;
  readonly trustProxy: boolean;
}

export function clientLimits(o: {
  sessionRateLimit: { perMinute: number; burst: number } | false;
  rateLimit: { perSecond: number; burst: number } | false;
  trustProxy: boolean;
}): ClientLimits {
  const s = o.sessionRateLimit;
  const r = o.rateLimit;
  return {
    sessions: s === false ? undefined : new ClientLimit(s.perMinute / 60, s.burst),
    httpActions: r === false ? undefined : new ClientLimit(r.perSecond, r.burst),
    trustProxy: o.trustProxy,
  };
}

/** False when `req` starts a new session and its client has started too many. */
export function mayStartSession(limits: ClientLimits, isNew: boolean, req: IncomingMessage): boolean {
  return !isNew || limits.sessions === undefined || limits.sessions.take(clientAddress(req, limits.trustProxy));
}
