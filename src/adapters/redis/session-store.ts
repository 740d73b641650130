/**
 * A session store in Redis, shared by every instance of an app, with optimistic concurrency:
 * each saved group carries a version token, every change is saved with compare-and-set, and a
 * change that lost the race is re-run on the state that won (see docs/redis.md).
 *
 * By default a change counts only once Redis holds it: while Redis is unreachable a change waits
 * (up to `unavailable.waitMs`) and then fails with `SessionUnavailableError`, so the handler rolls
 * it back instead of acknowledging it; a group that Redis lost (restarted empty) is re-seeded by
 * the instances holding it, newest version first. The opt-in `serve-from-memory` mode keeps
 * serving from memory through an outage instead and saves (or gives way) once Redis is back.
 */
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { LiveTemplateError, consoleLogger, type Logger, type SessionStore, type SessionStoreBinding, type SessionStores, type TransactResult } from "../../adapter.js";
import { decodeStores, encodeStores, SessionEncodeError, type ClassRegistry } from "./codec.js";
import { backoff, closeClient, Health, openClient, withTimeout, type RedisSource } from "./connection.js";
import { parseLoaded, parseReseeded, parseSaved, scripts, versionCounter, type Saved } from "./scripts.js";
import { SessionUnavailableError, type UnavailablePolicy } from "./unavailable-policy.js";
import { UnsavedGroups, type Unsaved } from "./unsaved-groups.js";

/**
 * How much earlier than its sender's own deadline a save is refused by Redis: room for the
 * clocks of Redis and the instance to differ (see docs/redis.md).
 */
const CLOCK_MARGIN_MS = 500;

/** Options of {@link RedisSessionStore}. */
export interface RedisSessionStoreOptions {
  /**
   * An ioredis client (shared; the store does not close it) or a URL such as
   * `redis://127.0.0.1:6379` (the store makes its own client and closes it in `close()`).
   */
  redis: RedisSource;
  /** Prefix of the store's keys; give each handler its own. Default `"lt:session:"`. */
  prefix?: string;
  /** Idle time after which Redis drops a group, ms (refreshed by every load and save). Default 24 h. */
  ttlMs?: number;
  /** Classes whose instances may appear inside a store (revived with their prototype). */
  classes?: ClassRegistry;
  /** Longest wait for one Redis call, ms; a slower call counts as a failure. Default 2000. */
  timeoutMs?: number;
  /** Most runs of one change when other instances keep saving the same group first. Default 100. */
  maxAttempts?: number;
  /** Longest pause between attempts to save groups left unsaved by an outage, ms. Default 5000. */
  maxRetryMs?: number;
  /** Where outages and discarded changes are reported. Default: the console. */
  logger?: Logger;
  /** What a change does while Redis is unreachable. Default `{ mode: "wait", waitMs: 3000 }`. */
  unavailable?: UnavailablePolicy;
}

/** Counters of a {@link RedisSessionStore} since it was created. */
export interface RedisSessionStoreStats {
  /** Saves that reached Redis and were written. */
  readonly saves: number;
  /** Saves refused because another instance had saved first (each is followed by a reload). */
  readonly conflicts: number;
  /** Calls that failed or timed out (Redis unreachable or slow). */
  readonly failures: number;
}

/**
 * Session groups in Redis, for several instances behind a load balancer. Pair it with a
 * {@link RedisBroadcastBus} so that every tab of a group updates after a change on any instance.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { RedisSessionStore, RedisBroadcastBus } from "livetemplate/redis";
 *
 * const redis = new Redis(process.env.REDIS_URL);
 * const handler = tmpl.handle(() => new Counter(), {
 *   sessionStore: new RedisSessionStore({ redis, prefix: "app:counter:" }),
 *   broadcastBus: new RedisBroadcastBus({ redis }),
 * });
 * ```
 */
export class RedisSessionStore implements SessionStore {
  /** The ioredis client used for every call. */
  readonly client: Redis;
  private readonly owned: boolean;
  private readonly prefix: string;
  private readonly ttl: string;
  private readonly classes: ClassRegistry;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly logger: Logger;
  private readonly health: Health;
  /** Policy `wait`: how long a change waits for Redis, and how long saves wait after a re-seed. */
  private readonly wait: { readonly ms: number; readonly settleMs: number } | undefined;
  private binding: SessionStoreBinding | undefined;
  /** Version each group object was loaded at or last saved as (`""`: not in Redis). */
  private readonly versions = new WeakMap<SessionStores, string>();
  /** The last group object handed out per id, so an outage does not reset a group held in memory. */
  private readonly recent = new Map<string, WeakRef<SessionStores>>();
  private readonly forget = new FinalizationRegistry<string>((id) => {
    if (this.recent.get(id)?.deref() === undefined) this.recent.delete(id);
  });
  private readonly unsaved: UnsavedGroups;
  private counts = { saves: 0, conflicts: 0, failures: 0 };
  private readonly onReady = (): void => {
    this.unsaved.schedule(0);
    if (this.wait !== undefined) this.resyncHeld();
  };
  private readonly onError = (err: unknown): void => this.health.failed(err);

  constructor(options: RedisSessionStoreOptions) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    const { client, owned } = openClient(options.redis, this.timeoutMs);
    this.client = client;
    this.owned = owned;
    this.prefix = options.prefix ?? "lt:session:";
    this.ttl = String(Math.max(1, Math.round(options.ttlMs ?? 24 * 60 * 60 * 1000)));
    this.classes = options.classes ?? {};
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 100);
    this.logger = options.logger ?? consoleLogger;
    this.unsaved = new UnsavedGroups(options.maxRetryMs ?? 5000, this.logger, (id, dirty) => this.retryUnsaved(id, dirty));
    const policy = options.unavailable ?? { mode: "wait" };
    this.wait = policy.mode === "wait" ? { ms: Math.max(0, policy.waitMs ?? 3000), settleMs: Math.max(0, policy.settleMs ?? 3000) } : undefined;
    this.health = new Health(
      this.logger,
      `session store ${this.prefix}*`,
      this.wait === undefined ? undefined : `actions wait for it up to ${this.wait.ms} ms, then fail (LT_ERR_SESSION_UNAVAILABLE)`,
    );

    // Without an "error" listener ioredis would raise an uncaught exception on every failed
    // reconnection attempt.
    client.on("error", this.onError);
    client.on("ready", this.onReady);
  }

  bind(binding: SessionStoreBinding): void {
    const before = this.binding;
    if (before !== undefined && before.names.join("\u0000") !== binding.names.join("\u0000")) {
      // Two handlers with different stores would revive each other's groups with the wrong classes.
      this.logger.warn(`session store ${this.prefix}*: bound to a second handler with other store names; give each handler its own prefix`);
    }
    this.binding = binding;
  }

  /** Saves, conflicts and failures so far. */
  get stats(): RedisSessionStoreStats {
    return { ...this.counts };
  }

  /** Number of groups changed in memory that are not yet saved (while Redis is away). */
  get unsavedCount(): number {
    return this.unsaved.size;
  }

  async get(groupId: string): Promise<SessionStores | undefined> {
    const dirty = this.unsaved.get(groupId);
    if (dirty !== undefined) return (await this.flush(groupId, dirty)).stores;
    try {
      const loaded = parseLoaded(await this.call("load", scripts(this.client).ltSessionLoad(this.key(groupId), "", this.ttl)));
      this.health.succeeded();
      if (loaded.kind !== "changed") return undefined;
      return await this.adopt(groupId, loaded.version, loaded.data);
    } catch (err) {
      if (err instanceof SessionEncodeError) throw err;
      this.counts.failures++;
      this.health.failed(err);
      // Keep serving what this instance holds rather than a fresh state.
      return this.recent.get(groupId)?.deref();
    }
  }

  async set(groupId: string, stores: SessionStores): Promise<void> {
    const saved = await this.save(groupId, stores);
    if (saved?.kind === "conflict") {
      // A direct save (the live handler itself always goes through `transact`) lost the race:
      // the saved state wins; ask the handler, if it holds the group, to show it.
      this.logger.debug(`session group ${groupId}: a direct save lost to a newer save`);
      void this.binding?.resync?.(groupId).catch(() => undefined);
    }
  }

  async delete(groupId: string): Promise<void> {
    this.unsaved.delete(groupId);
    this.recent.delete(groupId);
    await this.call("DEL", this.client.del(this.key(groupId)));
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const px = String(Math.max(1, Math.round(ttlMs)));
    return (await this.call("SET NX", this.client.set(`claim:${this.prefix}${key}`, "1", "PX", px, "NX"))) === "OK";
  }

  async list(): Promise<string[]> {
    const ids: string[] = [];
    let cursor = "0";
    do {
      const [next, keys] = await this.call("SCAN", this.client.scan(cursor, "MATCH", `${escapeGlob(this.prefix)}*`, "COUNT", 1000));
      cursor = next;
      for (const k of keys) ids.push(k.slice(this.prefix.length));
    } while (cursor !== "0");
    return ids;
  }

  async transact(
    groupId: string,
    current: SessionStores,
    change: (stores: SessionStores) => Promise<boolean>,
  ): Promise<TransactResult> {
    if (this.wait === undefined) return this.transactFromMemory(groupId, current, change);
    const giveUp = Date.now() + this.wait.ms;
    const fence = { deadline: giveUp - CLOCK_MARGIN_MS, attempted: [] as string[] };
    let { stores, saved } = await this.latestOrWait(groupId, current, fence.deadline);
    let rerun = true;
    let retries = 0;
    for (let attempt = 1; ; ) {
      if (rerun && !(await change(stores))) return { stores, saved };
      rerun = false;
      const result = await this.save(groupId, stores, fence);
      if (result === undefined || result.kind === "settling") {
        // Unreachable, slow, or re-seeded moments ago: the same save again, while time is left.
        const pause = result === undefined ? backoff(retries++, 500) : result.waitMs;
        if (Date.now() + pause >= fence.deadline) throw new SessionUnavailableError(groupId, `Redis did not take the change within ${this.wait.ms} ms`);
        await sleep(pause);
        continue;
      }
      switch (result.kind) {
        case "written":
          return { stores, saved: true };
        case "landed":
          // An attempt that timed out did land, and another instance saved on top of it.
          return { stores: await this.adopt(groupId, result.current.version, result.current.data), saved: true };
        case "late":
          throw new SessionUnavailableError(groupId, `Redis took the change after ${this.wait.ms} ms and refused it`);
        case "conflict":
          break;
        default: {
          const never: never = result;
          return never;
        }
      }
      if (++attempt > this.maxAttempts) {
        throw new LiveTemplateError(
          "LT_ERR_SESSION_STORE",
          `session group ${groupId}: gave up after ${this.maxAttempts} attempts, other instances kept saving first`,
        );
      }
      if (result.current === undefined) {
        // Redis lost the group in the middle of the change: the state it was made on has to be
        // re-seeded first (by the handler's re-sync), then the change can be made again.
        void this.binding?.resync?.(groupId).catch(() => undefined);
        throw new SessionUnavailableError(groupId, "Redis lost the group while the change was made");
      }
      stores = await this.adopt(groupId, result.current.version, result.current.data);
      fence.attempted.length = 0;
      rerun = true;
    }
  }

  /** `transact` with the policy `serve-from-memory`. */
  private async transactFromMemory(
    groupId: string,
    current: SessionStores,
    change: (stores: SessionStores) => Promise<boolean>,
  ): Promise<TransactResult> {
    let { stores, saved } = await this.latest(groupId, current);
    let rerun = true;
    for (let attempt = 1; ; attempt++) {
      if (rerun && !(await change(stores))) return { stores, saved };
      const result = await this.save(groupId, stores);
      if (result === undefined) return { stores, saved }; // unreachable: kept in memory, saved later
      if (result.kind === "written") return { stores, saved: true };
      if (result.kind === "landed") return { stores: await this.adopt(groupId, result.current.version, result.current.data), saved: true };
      if (result.kind !== "conflict") return { stores, saved }; // not used without a deadline
      if (attempt >= this.maxAttempts) {
        throw new LiveTemplateError(
          "LT_ERR_SESSION_STORE",
          `session group ${groupId}: gave up after ${attempt} attempts, other instances kept saving first`,
        );
      }
      if (result.current === undefined) {
        // The group expired or was deleted meanwhile: nothing to merge with, write ours.
        this.versions.set(stores, "");
        rerun = false;
      } else {
        stores = await this.adopt(groupId, result.current.version, result.current.data);
        rerun = true;
      }
    }
  }

  /**
   * Policy `wait`: the state a change should run on (see {@link latest}), waiting for Redis until
   * `deadline`. A group Redis lost while this instance holds a saved version of it is re-seeded
   * with that version (kept only if no instance offered a newer one).
   */
  private async latestOrWait(groupId: string, current: SessionStores, deadline: number): Promise<{ stores: SessionStores; saved: boolean }> {
    this.remember(groupId, current);
    const known = this.versions.get(current) ?? "";
    for (let retries = 0; ; ) {
      try {
        const loaded = parseLoaded(await this.call("load", scripts(this.client).ltSessionLoad(this.key(groupId), known, this.ttl)));
        this.health.succeeded();
        // A version's counter never goes down in Redis, unless Redis lost the group and another
        // instance re-seeded it with an older copy: then offer ours too.
        const older = loaded.kind === "changed" && versionCounter(loaded.version) < versionCounter(known);
        if (loaded.kind === "changed" && !older) return { stores: await this.adopt(groupId, loaded.version, loaded.data), saved: false };
        if (loaded.kind === "unchanged" || known === "") return { stores: current, saved: false };
        const seeded = parseReseeded(
          await this.call("reseed", scripts(this.client).ltSessionReseed(this.key(groupId), known, encodeStores(current, this.classes), this.ttl)),
        );
        if (seeded.kind === "newer") return { stores: await this.adopt(groupId, seeded.current.version, seeded.current.data), saved: false };
        this.logger.warn(`LT_ERR_SESSION_STORE: session group ${groupId}: Redis had lost it; re-seeded from this instance's copy`);
        return { stores: current, saved: true };
      } catch (err) {
        if (err instanceof SessionEncodeError) throw err;
        this.counts.failures++;
        this.health.failed(err);
        const pause = backoff(retries++, 500);
        if (Date.now() + pause >= deadline) throw new SessionUnavailableError(groupId, "Redis could not be reached", { cause: err });
        await sleep(pause);
      }
    }
  }

  /** Asks the handler to re-sync every group this store handed out and still held (after a reconnection). */
  private resyncHeld(): void {
    for (const [id, ref] of this.recent) {
      const stores = ref.deref();
      if (stores === undefined || (this.versions.get(stores) ?? "") === "") continue;
      void this.binding?.resync?.(id).catch(() => undefined);
    }
  }

  /** Stops retrying unsaved groups and closes the client if the store made it. */
  async close(): Promise<void> {
    this.unsaved.close();
    this.client.off("ready", this.onReady);
    if (this.owned) await closeClient(this.client);
    else this.client.off("error", this.onError);
  }

  // ------------------------------------------------------------------ internals

  private key(groupId: string): string {
    return this.prefix + groupId;
  }

  private call<T>(what: string, p: Promise<T>): Promise<T> {
    return withTimeout(p, this.timeoutMs, what);
  }

  /** Makes group objects from saved data: fresh instances from the handler, saved fields on top. */
  private async adopt(groupId: string, version: string, data: string): Promise<SessionStores> {
    const fresh = this.binding === undefined ? undefined : await this.binding.createStores();
    const stores = decodeStores(data, fresh, this.classes);
    this.versions.set(stores, version);
    this.remember(groupId, stores);
    return stores;
  }

  private remember(groupId: string, stores: SessionStores): void {
    if (this.recent.get(groupId)?.deref() === stores) return;
    this.recent.set(groupId, new WeakRef(stores));
    this.forget.register(stores, groupId);
  }

  /**
   * The state a change should run on: `current` when Redis has nothing newer, else the newer
   * state. Saves first what an outage left unsaved. Never fails for availability.
   */
  private async latest(groupId: string, current: SessionStores): Promise<{ stores: SessionStores; saved: boolean }> {
    const dirty = this.unsaved.get(groupId);
    if (dirty !== undefined) {
      if (dirty.stores === current) return this.flush(groupId, dirty);
      this.unsaved.delete(groupId); // the handler moved on to another object: that one is current
    }
    this.remember(groupId, current);
    const known = this.versions.get(current) ?? "";
    try {
      const loaded = parseLoaded(await this.call("load", scripts(this.client).ltSessionLoad(this.key(groupId), known, this.ttl)));
      this.health.succeeded();
      if (loaded.kind === "changed") return { stores: await this.adopt(groupId, loaded.version, loaded.data), saved: false };
      if (loaded.kind === "absent") this.versions.set(current, "");
      return { stores: current, saved: false };
    } catch (err) {
      if (err instanceof SessionEncodeError) throw err;
      this.counts.failures++;
      this.health.failed(err);
      return { stores: current, saved: false };
    }
  }

  /**
   * Tries to save a group left unsaved. If another instance saved the group since, its state
   * wins and the local changes are dropped (logged).
   */
  private async flush(groupId: string, dirty: Unsaved): Promise<{ stores: SessionStores; saved: boolean }> {
    const result = await this.save(groupId, dirty.stores);
    if (result === undefined) return { stores: dirty.stores, saved: false };
    if (result.kind === "written" || result.kind === "landed") return { stores: dirty.stores, saved: true };
    if (result.kind !== "conflict") return { stores: dirty.stores, saved: false }; // not used without a deadline
    if (result.current === undefined) {
      // Redis lost the group (restarted empty, or it expired): ours is all there is.
      this.versions.set(dirty.stores, "");
      return this.flush(groupId, { stores: dirty.stores, base: "", attempted: [] });
    }
    this.logger.warn(
      `LT_ERR_SESSION_STORE: session group ${groupId}: changes made while Redis was unreachable were dropped, another instance saved the group first`,
    );
    return { stores: await this.adopt(groupId, result.current.version, result.current.data), saved: false };
  }

  /**
   * Compare-and-set save of `stores` over the version it was based on. Returns undefined when
   * Redis could not be reached. Without a `fence` (policy `serve-from-memory`, direct `set`) the
   * group is then remembered as unsaved and retried later; with one, the save is refused by Redis
   * after `fence.deadline`, and its token joins `fence.attempted` (a timed-out save that landed
   * counts as ours on the next try). Encoding errors are thrown.
   */
  private async save(groupId: string, stores: SessionStores, fence?: { deadline: number; attempted: string[] }): Promise<Saved | undefined> {
    const data = encodeStores(stores, this.classes);
    const dirty = fence === undefined ? this.unsaved.get(groupId) : undefined;
    const mine = dirty !== undefined && dirty.stores === stores ? dirty : undefined;
    const base = mine?.base ?? this.versions.get(stores) ?? "";
    const attempted = fence?.attempted ?? mine?.attempted ?? [];
    const token = randomBytes(12).toString("base64url");
    this.remember(groupId, stores);
    let result: Saved;
    try {
      result = parseSaved(
        await this.call(
          "save",
          scripts(this.client).ltSessionSave(
            this.key(groupId),
            token,
            data,
            this.ttl,
            String(fence?.deadline ?? 0),
            String(this.wait?.settleMs ?? 0),
            base,
            ...attempted,
          ),
        ),
      );
    } catch (err) {
      this.counts.failures++;
      this.health.failed(err);
      if (fence !== undefined) {
        fence.attempted.push(token);
        return undefined;
      }
      // The save may still land (a timeout): its token then counts as our own version.
      this.unsaved.add(groupId, { stores, base, attempted: [...attempted, token] });
      return undefined;
    }
    this.health.succeeded();
    if (mine !== undefined) this.unsaved.delete(groupId);
    if (result.kind === "written") {
      this.versions.set(stores, result.version);
      this.counts.saves++;
    } else if (result.kind === "conflict") {
      this.counts.conflicts++;
    }
    return result;
  }

  /** Retries one unsaved group: through the handler when it holds it (re-render, notify). */
  private async retryUnsaved(groupId: string, dirty: Unsaved): Promise<void> {
    const viaHandler = (await this.binding?.resync?.(groupId).catch(() => false)) ?? false;
    if (!viaHandler && this.unsaved.get(groupId) === dirty) await this.flush(groupId, dirty);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, "\\$&");
}
