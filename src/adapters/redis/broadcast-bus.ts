/**
 * Cross-instance broadcasting over Redis pub/sub. One subscriber connection per bus object,
 * shared by every handler of the process that uses it, whatever the number of groups and
 * connections: memory for subscriptions does not grow with traffic.
 */
import type { Redis } from "ioredis";
import { RESYNC_CHANNEL, consoleLogger, type BroadcastBus, type BroadcastMessage, type BroadcastTarget, type Logger, type TopicPayload } from "../../adapter.js";
import { backoff, closeClient, Health, openClient, withTimeout, type RedisSource } from "./connection.js";

/** Options of {@link RedisBroadcastBus}. */
export interface RedisBroadcastBusOptions {
  /**
   * An ioredis client used to publish (shared; not closed by the bus) or a URL. The subscriber
   * connection is always the bus's own (`duplicate()` of it).
   */
  redis: RedisSource;
  /** Redis pub/sub channel. Default `"lt:broadcast"`. */
  channel?: string;
  /** Longest wait for a publish, ms. Default 2000. */
  timeoutMs?: number;
  /** Where outages are reported. Default: the console. */
  logger?: Logger;
}

type Listener = (message: BroadcastMessage) => void;

/** The message delivered locally after the subscription was re-established (messages may be lost). */
const RESYNC: BroadcastMessage = { source: "", channel: RESYNC_CHANNEL, target: { kind: "all" } };

/**
 * A {@link BroadcastBus} over Redis pub/sub: a change on one instance re-renders the affected
 * connections on every instance. Create one per process and give it to every handler.
 *
 * Delivery is at most once. Each time the subscriber connection is (re)established the bus
 * subscribes and then tells its handlers to re-sync every group they hold from the session
 * store, which makes up for the notices missed while it was not listening.
 *
 * @example
 * ```ts
 * const bus = new RedisBroadcastBus({ redis: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" });
 * tmpl.handle(() => new Counter(), { sessionStore, broadcastBus: bus });
 * ```
 */
export class RedisBroadcastBus implements BroadcastBus {
  /** The client used to publish. */
  readonly client: Redis;
  private readonly owned: boolean;
  private readonly channel: string;
  private readonly timeoutMs: number;
  private readonly logger: Logger;
  private readonly health: Health;
  private readonly listeners = new Set<Listener>();
  private subscriber: Redis | undefined;
  /** Set when a publish failed: other instances may have missed a notice. */
  private publishLost = false;
  private closed = false;
  private readonly onPublisherError = (err: unknown): void => this.health.failed(err);

  constructor(options: RedisBroadcastBusOptions) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    const { client, owned } = openClient(options.redis, this.timeoutMs);
    this.client = client;
    this.owned = owned;
    this.channel = options.channel ?? "lt:broadcast";
    this.logger = options.logger ?? consoleLogger;
    this.health = new Health(this.logger, `broadcast bus ${this.channel}`);
    client.on("error", this.onPublisherError);
  }

  /** Resolves when Redis answers a PING within the timeout (`handler.health()`). */
  async ping(): Promise<void> {
    await withTimeout(this.client.ping(), this.timeoutMs, "PING");
  }

  /** Number of local listeners (handlers) sharing the one subscriber connection. */
  get listenerCount(): number {
    return this.listeners.size;
  }

  /**
   * Publishes a notice. Never rejects: while Redis is away notices are dropped (logged once), and
   * once publishing works again a re-sync request goes out so that no instance stays stale.
   */
  async publish(message: BroadcastMessage): Promise<void> {
    if (this.closed) return;
    try {
      if (this.publishLost) {
        await withTimeout(this.client.publish(this.channel, JSON.stringify(RESYNC)), this.timeoutMs, "PUBLISH");
        this.publishLost = false;
      }
      await withTimeout(this.client.publish(this.channel, JSON.stringify(message)), this.timeoutMs, "PUBLISH");
      this.health.succeeded();
    } catch (err) {
      this.publishLost = true;
      this.health.failed(err);
    }
  }

  subscribe(listener: Listener): () => Promise<void> {
    this.listeners.add(listener);
    if (this.subscriber === undefined && !this.closed) this.subscriber = this.openSubscriber();
    return async () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.subscriber !== undefined) {
        const sub = this.subscriber;
        this.subscriber = undefined;
        await closeClient(sub);
      }
    };
  }

  /** Closes the subscriber connection, and the publisher if the bus made it. */
  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    const sub = this.subscriber;
    this.subscriber = undefined;
    if (sub !== undefined) await closeClient(sub);
    if (this.owned) await closeClient(this.client);
    else this.client.off("error", this.onPublisherError);
  }

  private openSubscriber(): Redis {
    const sub = this.client.duplicate({
      // The bus subscribes itself after every (re)connection, to know when it is listening again.
      autoResubscribe: false,
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      retryStrategy: (times: number) => backoff(times),
      lazyConnect: false,
    });
    sub.on("error", (err: unknown) => this.health.failed(err));
    sub.on("ready", () => {
      sub.subscribe(this.channel).then(
        () => {
          this.health.succeeded();
          // Also after the first connection: when Redis was down at start, handlers may already
          // hold groups. With none held, the re-sync costs nothing.
          this.deliver(RESYNC);
        },
        (err: unknown) => this.health.failed(err),
      );
    });
    sub.on("message", (channel: string, text: string) => {
      if (channel !== this.channel) return;
      const message = parseMessage(text);
      if (message === undefined) {
        this.logger.warn(`broadcast bus ${this.channel}: ignored a malformed message`);
        return;
      }
      this.deliver(message);
    });
    return sub;
  }

  private deliver(message: BroadcastMessage): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(message);
      } catch (err) {
        this.logger.error("broadcast bus listener threw", err);
      }
    }
  }
}

function parseMessage(text: string): BroadcastMessage | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== "object" || v === null) return undefined;
  const m = v as Record<string, unknown>;
  if (typeof m["source"] !== "string" || typeof m["channel"] !== "string") return undefined;
  // A topics message is carried as it is; the handler checks what is inside.
  const topic = m["topic"];
  if (typeof topic === "object" && topic !== null && typeof (topic as { kind?: unknown }).kind === "string") {
    return { source: m["source"], channel: m["channel"], topic: topic as TopicPayload };
  }
  const target = parseTarget(m["target"]);
  return target === undefined ? undefined : { source: m["source"], channel: m["channel"], target };
}

function parseTarget(v: unknown): BroadcastTarget | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const t = v as Record<string, unknown>;
  if (t["kind"] === "all") return { kind: "all" };
  if (t["kind"] === "group" && typeof t["id"] === "string") return { kind: "group", id: t["id"] };
  if (t["kind"] === "users" && Array.isArray(t["ids"]) && t["ids"].every((id) => typeof id === "string")) {
    return { kind: "users", ids: t["ids"] as string[] };
  }
  return undefined;
}
