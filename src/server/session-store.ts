/**
 * Session stores keep each session group's stores between requests. The handler keeps groups
 * that have live connections in memory and calls the session store to load a group the first
 * time it is seen, and to save it after every action and broadcast.
 */
import { FrozenStores, HOLD_FROZEN, type HoldsFrozen } from "../session/frozen-stores.js";
import type { MaybePromise, SessionStores } from "../session/types.js";

/**
 * Persistence of session groups, keyed by group id. Every method may return a value or a promise
 * (a Redis-backed store is async). Contract:
 * - `get` returns the stores of a group, or `undefined` when the group is unknown or expired.
 *   Objects returned must have their prototypes (methods) back: a serializing store uses
 *   {@link SessionStoreBinding.createStores} to get fresh instances to copy saved state into.
 * - `set` saves (and refreshes the TTL of) a group. It is called after the group is created and
 *   after every action or broadcast that ran against it; the handler never calls two `set`s of one
 *   group concurrently (a group's work is serialized).
 * - `delete` forgets a group; `list` returns the ids of the groups it holds.
 * - `bind` (optional) is called once by each handler using the store, before any other call.
 * - `ping` (optional) resolves when the backend answers, rejects when it is unreachable; without it
 *   `handler.health()` probes with a `get` of an id no session has.
 * - `close` (optional) releases timers/connections; the handler does not call it (the store may be
 *   shared by several handlers), the application does.
 * - `transact` (optional) is for stores shared by several instances; when present the handler makes
 *   every save through it and never calls `set`: actions and broadcast updates run inside it (and
 *   may be re-run), lifecycle hooks run once inside it, and changes already made (`send()`) are
 *   saved with a `change` that accepts only the state they were made on (a version check).
 */
export interface SessionStore {
  get(groupId: string): MaybePromise<SessionStores | undefined>;
  set(groupId: string, stores: SessionStores): MaybePromise<void>;
  delete(groupId: string): MaybePromise<void>;
  list(): MaybePromise<string[]>;
  bind?(binding: SessionStoreBinding): void;
  ping?(): Promise<void>;
  close?(): MaybePromise<void>;
  /**
   * Applies one change to the group's latest state so that no change saved concurrently by
   * another instance is lost. `current` is the handler's in-memory copy. The store calls
   * `change(stores)` with `current` when it is still up to date, else with freshly loaded stores;
   * `change` mutates them and returns whether to save. When the save finds that someone else
   * saved in between, the store reloads and calls `change` again, so `change` may run more than
   * once (on different objects; only the last run counts). When the backend is unreachable,
   * `change` runs once on `current` and the store saves it later. Rejects only for errors that
   * retrying cannot fix (e.g. state that cannot be serialized).
   */
  /**
   * True for the first caller of `key` within `ttlMs`, across every instance that shares the
   * store; false for every later one. A shared store uses it so that something delivered to a
   * group on several instances (a topic message) changes the group's state once.
   */
  claim?(key: string, ttlMs: number): Promise<boolean>;
  transact?(
    groupId: string,
    current: SessionStores,
    change: (stores: SessionStores) => Promise<boolean>,
  ): Promise<TransactResult>;
}

/** Result of {@link SessionStore.transact}. */
export interface TransactResult {
  /** The stores the change was finally applied to; the handler keeps these as the group's state. */
  readonly stores: SessionStores;
  /** True when this call wrote the group to the backend (other instances should reload it). */
  readonly saved: boolean;
}

/** What a handler tells its session store about the stores it manages. */
export interface SessionStoreBinding {
  /** Store names, in the order given to the handler (`[""]` for a single unnamed store). */
  readonly names: readonly string[];
  /**
   * Fresh store instances (prototypes in place, `init()` not called), for a serializing session
   * store to copy saved fields into.
   */
  createStores(): Promise<SessionStores>;
  /**
   * Asks the handler to bring its in-memory copy of a group in line with the store now: it runs
   * a no-op `transact` in the group's queue (which saves state left unsaved by an outage, or
   * loads newer state), re-renders the group's connections, and notifies other instances when
   * something was saved. Resolves false when the handler does not hold the group in memory.
   * Set by the live handler; a store must cope with its absence.
   */
  resync?(groupId: string): Promise<boolean>;
}

/** Options of {@link MemorySessionStore}. */
export interface MemorySessionStoreOptions {
  /** Idle time after which a group is dropped, in milliseconds. Default 24 hours. */
  ttlMs?: number;
  /** How often expired groups are swept, in milliseconds. Default 1 minute. */
  cleanupIntervalMs?: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
  /**
   * Most groups held; beyond it the least recently used group is dropped (as if it expired).
   * Default 100,000.
   */
  maxSessions?: number;
}

/**
 * Keeps session groups in this process's memory, each for `ttlMs` after its last use
 * (`get` or `set`). A background sweep (an `unref()`ed timer, so it never keeps the process
 * alive) drops expired groups. Suitable for a single instance.
 *
 * @example
 * ```ts
 * const sessions = new MemorySessionStore({ ttlMs: 60 * 60 * 1000 });
 * const handler = tmpl.handle(new Counter(), { sessionStore: sessions });
 * ```
 */
export class MemorySessionStore implements SessionStore, HoldsFrozen {
  /** A hibernating group's stores may be held frozen (see `hibernateStores`), rebuilt by `get`. */
  private readonly groups = new Map<string, { stores: SessionStores | FrozenStores; lastUsed: number }>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly max: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: MemorySessionStoreOptions = {}) {
    this.ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
    this.now = options.now ?? Date.now;
    this.max = options.maxSessions ?? 100_000;
    const interval = options.cleanupIntervalMs ?? 60_000;
    this.timer = setInterval(() => this.sweep(), interval);
    this.timer.unref();
  }

  get(groupId: string): SessionStores | undefined {
    const entry = this.groups.get(groupId);
    if (entry === undefined) return undefined;
    const now = this.now();
    if (now - entry.lastUsed > this.ttlMs) {
      this.groups.delete(groupId);
      return undefined;
    }
    entry.lastUsed = now;
    // Re-inserted, so that the map's order is least recently used first.
    this.groups.delete(groupId);
    this.groups.set(groupId, entry);
    if (entry.stores instanceof FrozenStores) entry.stores = entry.stores.thaw();
    return entry.stores;
  }

  /** @internal Keeps a hibernating group's frozen stores instead of the objects they were. */
  [HOLD_FROZEN](groupId: string, stores: SessionStores, frozen: FrozenStores): void {
    const entry = this.groups.get(groupId);
    if (entry !== undefined && entry.stores === stores) entry.stores = frozen;
  }

  set(groupId: string, stores: SessionStores): void {
    this.groups.delete(groupId);
    this.groups.set(groupId, { stores, lastUsed: this.now() });
    if (this.groups.size <= this.max) return;
    for (const oldest of this.groups.keys()) {
      if (this.groups.size <= this.max) break;
      this.groups.delete(oldest);
    }
  }

  delete(groupId: string): void {
    this.groups.delete(groupId);
  }

  list(): string[] {
    return [...this.groups.keys()];
  }

  /** Number of groups held (expired ones included until the next sweep). */
  get size(): number {
    return this.groups.size;
  }

  /** Drops every group idle for longer than the TTL; runs on the background timer. */
  sweep(): void {
    const limit = this.now() - this.ttlMs;
    for (const [id, entry] of this.groups) {
      if (entry.lastUsed < limit) this.groups.delete(id);
    }
  }

  /** Stops the background sweep. */
  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
