/**
 * Shared plumbing of the Redis adapters: making or adopting an ioredis client with settings that
 * fail fast while Redis is away, bounding every call with a timeout, and logging an outage once
 * rather than on every failed call.
 */
import { Redis, type RedisOptions } from "ioredis";
import { LiveTemplateError, type Logger } from "../../adapter.js";

/** Where to reach Redis: an ioredis client (shared, not closed by us) or a URL. */
export type RedisSource = Redis | string;

/** Reconnection delay after the `times`-th failed attempt: doubling from 50 ms, capped. */
export function backoff(times: number, maxMs = 2000): number {
  return Math.min(50 * 2 ** Math.min(times, 10), maxMs);
}

/**
 * ioredis settings for a client made from a URL: commands wait at most `timeoutMs` (also while
 * disconnected) and reconnection never stops.
 */
export function clientOptions(timeoutMs: number): RedisOptions {
  return {
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => backoff(times),
    enableOfflineQueue: true,
  };
}

/** Returns the client and whether we made it (and so must close it). */
export function openClient(source: RedisSource, timeoutMs: number): { client: Redis; owned: boolean } {
  if (typeof source === "string") return { client: new Redis(source, clientOptions(timeoutMs)), owned: true };
  return { client: source, owned: false };
}

/** Closes a client we own: politely, and by force when Redis is not answering. */
export async function closeClient(client: Redis): Promise<void> {
  if (client.status === "end") return;
  try {
    await withTimeout(client.quit(), 1000, "QUIT");
  } catch {
    client.disconnect();
  }
}

/** Raised when Redis did not answer in time. */
export class RedisTimeoutError extends LiveTemplateError {
  constructor(what: string, ms: number) {
    super("LT_ERR_SESSION_STORE", `redis did not answer ${what} within ${ms} ms`);
  }
}

/** `promise`, or a {@link RedisTimeoutError} after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new RedisTimeoutError(what, ms)), ms);
    timer.unref();
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/**
 * Tracks whether Redis is reachable, so an outage is logged once when it starts and once when it
 * ends, however many calls fail in between.
 */
export class Health {
  private up = true;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
    /** What happens meanwhile, for the log line. */
    private readonly meanwhile = "serving from memory until it returns",
  ) {}

  get reachable(): boolean {
    return this.up;
  }

  failed(err: unknown): void {
    if (!this.up) return;
    this.up = false;
    this.logger.error(`LT_ERR_SESSION_STORE: ${this.what}: Redis unreachable, ${this.meanwhile}`, err);
  }

  succeeded(): void {
    if (this.up) return;
    this.up = true;
    this.logger.warn(`${this.what}: Redis reachable again`);
  }
}
