/**
 * Groups changed in memory whose save did not (certainly) reach Redis, kept by a
 * `RedisSessionStore` through an outage and retried with backoff once Redis is back.
 */
import type { Logger, SessionStores } from "../../adapter.js";
import { backoff } from "./connection.js";

/** A group changed in memory whose save did not (certainly) reach Redis. */
export interface Unsaved {
  readonly stores: SessionStores;
  /** Version the changes were made on (`""`: the group was absent). */
  readonly base: string;
  /** Tokens of saves that may or may not have landed (timed out): any of them counts as ours. */
  readonly attempted: string[];
}

/** Tokens remembered per unsaved group; older ambiguous saves beyond this are assumed lost. */
const MAX_ATTEMPTED = 32;

/**
 * The unsaved groups of one store and the timer that retries them. A retry goes group by group
 * and stops at the first group still unsaved, so one round costs one failed call while Redis is
 * away.
 */
export class UnsavedGroups {
  private readonly groups = new Map<string, Unsaved>();
  private retryTimer: NodeJS.Timeout | undefined;
  private retryCount = 0;
  private flushing = false;
  private closed = false;

  /**
   * @param maxRetryMs longest pause between retries
   * @param logger where a failed retry round is reported
   * @param retry saves one group (or leaves it here when Redis is still unreachable)
   */
  constructor(
    private readonly maxRetryMs: number,
    private readonly logger: Logger,
    private readonly retry: (groupId: string, dirty: Unsaved) => Promise<void>,
  ) {}

  /** Number of groups not yet saved. */
  get size(): number {
    return this.groups.size;
  }

  /** The unsaved changes of a group, if any. */
  get(groupId: string): Unsaved | undefined {
    return this.groups.get(groupId);
  }

  /** Forgets a group's unsaved changes (saved, superseded or deleted). */
  delete(groupId: string): void {
    this.groups.delete(groupId);
  }

  /** Records a group whose save failed, keeping its latest ambiguous tokens, and schedules a retry. */
  add(groupId: string, dirty: Unsaved): void {
    this.groups.set(groupId, { ...dirty, attempted: dirty.attempted.slice(-MAX_ATTEMPTED) });
    this.schedule();
  }

  /** Schedules a retry after `delayMs`, or after the next backoff step; `0` restarts the backoff. */
  schedule(delayMs?: number): void {
    if (this.closed || this.groups.size === 0) return;
    if (delayMs === 0) this.retryCount = 0;
    if (this.retryTimer !== undefined) {
      if (delayMs !== 0) return;
      clearTimeout(this.retryTimer);
    }
    const wait = delayMs ?? backoff(this.retryCount++, this.maxRetryMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.retryAll();
    }, wait);
    this.retryTimer.unref();
  }

  /** Stops retrying for good. */
  close(): void {
    this.closed = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
  }

  private async retryAll(): Promise<void> {
    if (this.flushing || this.closed) return;
    this.flushing = true;
    try {
      for (const [id, dirty] of [...this.groups]) {
        await this.retry(id, dirty);
        if (this.groups.has(id)) break; // still unreachable: wait for the next round
      }
    } catch (err) {
      this.logger.error("LT_ERR_SESSION_STORE: saving groups left unsaved failed", err);
    } finally {
      this.flushing = false;
      this.schedule();
    }
  }
}
