/**
 * The session groups an engine holds in memory, and their persistence: loading a group (or
 * creating it with fresh stores), reloading an idle one, and saving changes through the session
 * store, with a shared store's `transact` (re-run on conflict, version check for changes that
 * cannot be re-run).
 */
import type { SessionStore } from "../server/session-store.js";
import { SessionGroup, type Postman } from "./group.js";
import { forgetAsync } from "./async-state.js";
import { HOLD_FROZEN, holdsFrozen } from "./frozen-stores.js";
import { lvtData, withLvt, type LvtData } from "./lvt.js";
import { after, settle } from "./maybe.js";
import type { StoreSet } from "./store-set.js";
import type { LiveView, Logger, MaybePromise, SessionStores } from "./types.js";

/** How long a group without connections stays cached in memory before it is reloaded. */
const IDLE_GROUP_MS = 5 * 60 * 1000;

/**
 * A session store that keeps nothing: the persistence of a group rendered for a page view that
 * has no session yet (see `SessionEngine`), so that viewing a page costs no session.
 */
export const NO_SESSIONS: SessionStore = {
  get: () => undefined,
  set: () => {},
  delete: () => {},
  list: () => [],
};

/** One attempt of a change: its result, and whether to save the stores afterwards. */
export type Attempt<T> = () => MaybePromise<{ value: T; save: boolean }>;

/** What {@link GroupTable.attempt} gives back: the last run's value, and why the save failed. */
export type Committed<T> =
  | { readonly kind: "saved"; readonly value: T }
  /** `ran` is the last run's value; undefined when the save failed before any run. */
  | { readonly kind: "failed"; readonly ran: { readonly value: T } | undefined; readonly failure: unknown };

export class GroupTable {
  /** Groups by id, least recently used first (a group is re-inserted when it is used). */
  private readonly groups = new Map<string, SessionGroup>();
  private readonly loading = new Map<string, Promise<SessionGroup>>();

  constructor(
    private readonly view: LiveView,
    private readonly storeSet: StoreSet,
    readonly sessions: SessionStore,
    private readonly postman: Postman,
    private readonly logger: Logger,
    /** Most groups held in memory; beyond it the least recently used idle ones are forgotten. */
    private readonly maxGroups = Number.POSITIVE_INFINITY,
    /** Connected groups idle this long hibernate (see {@link evictIdle}); none: never. */
    private readonly hibernate?: { readonly afterMs: number; readonly stores: boolean },
  ) {}

  /** True when the session store is shared by several instances (it has `transact`). */
  get shared(): boolean {
    return this.sessions.transact !== undefined;
  }

  /** The group if it is in memory. */
  peek(groupId: string): SessionGroup | undefined {
    return this.groups.get(groupId);
  }

  all(): IterableIterator<SessionGroup> {
    return this.groups.values();
  }

  /** The group, loaded from the session store (or created) the first time it is asked for. */
  async get(groupId: string): Promise<SessionGroup> {
    const g = this.groups.get(groupId);
    if (g !== undefined) {
      this.groups.delete(groupId);
      this.groups.set(groupId, g);
      return g;
    }
    let pending = this.loading.get(groupId);
    if (pending === undefined) {
      pending = this.load(groupId).finally(() => this.loading.delete(groupId));
      this.loading.set(groupId, pending);
    }
    return pending;
  }

  /**
   * The group if it is in memory or saved in the session store, else `undefined`: unlike
   * {@link get}, it never creates one (a page view alone starts no session).
   */
  async existing(groupId: string): Promise<SessionGroup | undefined> {
    const g = this.groups.get(groupId);
    if (g !== undefined || this.loading.has(groupId)) return this.get(groupId);
    const stored = await this.read(groupId);
    if (stored === undefined) return undefined;
    // Another event may have loaded the group while this one read it: that copy wins.
    if (this.groups.has(groupId) || this.loading.has(groupId)) return this.get(groupId);
    return this.insert(groupId, stored);
  }

  /** Removes a group from this table and returns it (a visitor's group being promoted). */
  take(groupId: string): SessionGroup | undefined {
    const g = this.groups.get(groupId);
    if (g !== undefined) this.groups.delete(groupId);
    return g;
  }

  /**
   * Makes a group made elsewhere (a visitor's, never saved) one of this table's: saved as a new
   * group, unless this table or the session store already has one under its id, which then wins.
   */
  promote(g: SessionGroup): Promise<SessionGroup> {
    if (this.groups.has(g.id) || this.loading.has(g.id)) return this.get(g.id);
    const pending = (async () => {
      const stored = await this.read(g.id);
      this.adopt(g, stored ?? (await this.saveMade(g.id, g.stores, "creating the group")));
      this.groups.set(g.id, g);
      if (this.groups.size > this.maxGroups) this.evictOverCap(g);
      return g;
    })().finally(() => this.loading.delete(g.id));
    this.loading.set(g.id, pending);
    return pending;
  }

  private async load(groupId: string): Promise<SessionGroup> {
    return this.insert(groupId, (await this.read(groupId)) ?? (await this.fresh(groupId)));
  }

  /** Template data of a group's stores with `.lvt`; one function for every group of the table. */
  private readonly data = (s: SessionStores, lvt: LvtData): unknown => withLvt(this.storeSet.data(s), lvt, this.storeSet.single);

  private insert(groupId: string, stores: SessionStores): SessionGroup {
    const g = new SessionGroup(groupId, stores, this.view, this.data, this.postman);
    this.groups.set(groupId, g);
    if (this.groups.size > this.maxGroups) this.evictOverCap(g);
    return g;
  }

  private async fresh(groupId: string): Promise<SessionStores> {
    const stores = await this.storeSet.create();
    for (const name of this.storeSet.names) {
      const store = stores[name] as { init?: () => MaybePromise<void> };
      if (typeof store.init === "function") await store.init();
    }
    // Another instance may have created the group meanwhile: then its state is the one to use.
    return this.saveMade(groupId, stores, "creating the group");
  }

  /**
   * For a group without live connections, the session store is the source of truth (another
   * instance may have changed it, or it may have expired): reload it. Call inside `run`.
   */
  async refresh(g: SessionGroup): Promise<void> {
    if (g.members.size > 0) return;
    const stored = await this.read(g.id);
    this.adopt(g, stored ?? (await this.fresh(g.id)));
  }

  /** Reloads a group from the session store whatever its connections (a remote change). */
  async reload(g: SessionGroup): Promise<void> {
    const stored = await this.read(g.id);
    if (stored !== undefined) this.adopt(g, stored);
  }

  /**
   * Renders the group's state on a scratch view, so a state the template cannot render is found
   * before it is saved (a `mount` is followed by a full render of its own). Throws what the render
   * throws.
   */
  renderCheck(g: SessionGroup): void {
    this.view.clone().executeUpdates(withLvt(this.storeSet.data(g.stores), lvtData(undefined), this.storeSet.single));
  }

  /** Makes `stores` the group's state; a replaced state is re-rendered without hints. */
  adopt(g: SessionGroup, stores: SessionStores): void {
    if (stores === g.stores) return;
    g.stores = stores;
    g.noteChanged(undefined);
  }

  private async read(groupId: string): Promise<SessionStores | undefined> {
    try {
      return await this.sessions.get(groupId);
    } catch (err) {
      this.logger.error(`LT_ERR_SESSION_STORE: loading group failed`, err);
      throw err;
    }
  }

  private async write(groupId: string, stores: SessionStores): Promise<void> {
    try {
      await this.sessions.set(groupId, stores);
    } catch (err) {
      // State stays in memory; the next successful save catches up.
      this.logger.error(`LT_ERR_SESSION_STORE: saving group failed`, err);
    }
  }

  /**
   * Runs one change of a group's stores and saves it, reporting a failed save instead of keeping
   * the change in memory: the caller (an action) rolls it back and tells its sender. With a
   * session store that has `transact` (shared by several instances) the change runs on the latest
   * saved state and is re-run if another instance saved in between; otherwise it runs once and is
   * saved with `set`. `attempt` works on `g.stores`, which may be replaced between runs. Call
   * inside `run`.
   */
  attempt<T>(g: SessionGroup, attempt: Attempt<T>): MaybePromise<Committed<T>> {
    const transact = this.sessions.transact?.bind(this.sessions);
    if (transact === undefined) return after(attempt(), (r) => (r.save ? this.saveRun(g, r.value) : { kind: "saved", value: r.value }));
    return this.attemptShared(g, attempt, transact);
  }

  /** The save after a run, with `set` (synchronous when the session store is). */
  private saveRun<T>(g: SessionGroup, value: T): MaybePromise<Committed<T>> {
    return settle(
      () => this.sessions.set(g.id, g.stores),
      (): Committed<T> => ({ kind: "saved", value }),
      (err): Committed<T> => {
        this.logger.error(`LT_ERR_SESSION_STORE: saving group failed`, err);
        return { kind: "failed", ran: { value }, failure: err };
      },
    );
  }

  private async attemptShared<T>(g: SessionGroup, attempt: Attempt<T>, transact: NonNullable<SessionStore["transact"]>): Promise<Committed<T>> {
    let last: { value: T } | undefined;
    try {
      const result = await transact(g.id, g.stores, async (stores) => {
        this.adopt(g, stores);
        const r = await attempt();
        last = { value: r.value };
        return r.save;
      });
      this.adopt(g, result.stores);
    } catch (err) {
      this.logger.error(`LT_ERR_SESSION_STORE: saving group failed`, err);
      return { kind: "failed", ran: last, failure: err };
    }
    if (last === undefined) last = { value: (await attempt()).value };
    return { kind: "saved", value: last.value };
  }

  /**
   * Runs one change of a group's stores and saves it, like {@link attempt}, but a change that
   * could not be saved stays in memory (logged): for changes that cannot be undone.
   */
  commit<T>(g: SessionGroup, attempt: Attempt<T>): MaybePromise<T> {
    // State stays in memory when the save failed, as with a failed `set`.
    return after(this.attempt(g, attempt), (r) => (r.kind === "saved" ? r.value : r.ran === undefined ? after(attempt(), (x) => x.value) : r.ran.value));
  }

  /**
   * Saves a change that was already made to `made` and cannot be made again (a lifecycle hook or
   * a store's own timer made it). With a shared store (`transact`) it is saved only if nobody
   * saved the group since `made` was loaded (a version check); otherwise the saved state wins and
   * is returned, and the change is dropped (logged). Without `transact` it is saved with `set`.
   */
  async saveMade(groupId: string, made: SessionStores, label: string): Promise<SessionStores> {
    const transact = this.sessions.transact?.bind(this.sessions);
    if (transact === undefined) {
      await this.write(groupId, made);
      return made;
    }
    let result: { stores: SessionStores };
    try {
      result = await transact(groupId, made, (stores) => Promise.resolve(stores === made));
    } catch (err) {
      this.logger.error(`LT_ERR_SESSION_STORE: saving group failed`, err);
      return made;
    }
    if (result.stores !== made) this.droppedChange(groupId, label);
    return result.stores;
  }

  /**
   * Brings a group in line with a shared store without changing it; resolves with whether this
   * call saved (other instances should then reload). Call inside `run`.
   */
  async sync(g: SessionGroup): Promise<boolean> {
    const transact = this.sessions.transact?.bind(this.sessions);
    if (transact === undefined) return false;
    let result: { stores: SessionStores; saved: boolean };
    try {
      result = await transact(g.id, g.stores, () => Promise.resolve(false));
    } catch (err) {
      this.logger.error(`LT_ERR_SESSION_STORE: re-syncing group failed`, err);
      return false;
    }
    this.adopt(g, result.stores);
    return result.saved;
  }

  droppedChange(groupId: string, label: string): void {
    this.logger.warn(
      `LT_ERR_SESSION_STORE: session group ${groupId}: the change made by ${label} was dropped, another instance saved the group first`,
    );
  }

  /** Forgets the least recently used idle groups until the table is within its cap. */
  private evictOverCap(keep: SessionGroup): void {
    for (const [id, g] of this.groups) {
      if (this.groups.size <= this.maxGroups) return;
      if (g !== keep && g.members.size === 0 && !g.busy) this.forget(id, g);
    }
  }

  /** Drops a group from memory; its async work is aborted (its results would have nowhere to go). */
  private forget(id: string, g: SessionGroup): void {
    this.groups.delete(id);
    forgetAsync(g);
  }

  /** Number of groups held in memory. */
  get size(): number {
    return this.groups.size;
  }

  /**
   * One sweep over the groups: forgets those idle (no connections, no work) for a while and, with
   * the `hibernate` option, drops the render state of connected ones idle that long (see
   * `SessionGroup.hibernate`), freezing their stores too when asked.
   */
  evictIdle(now = Date.now()): void {
    const forgetBefore = now - IDLE_GROUP_MS;
    const sleepBefore = this.hibernate === undefined ? Number.NEGATIVE_INFINITY : now - this.hibernate.afterMs;
    for (const [id, g] of this.groups) {
      if (g.busy) continue;
      if (g.members.size === 0) {
        if (g.lastUsed < forgetBefore) this.forget(id, g);
      } else if (g.lastUsed < sleepBefore && g.hibernate() && this.hibernate!.stores) this.freeze(g);
    }
  }

  /**
   * Freezes a hibernating group's stores (`SessionGroup.freezeStores`) when the session store
   * keeps them as objects and takes the frozen form instead (the memory store): with any other,
   * freezing could leave a second copy in memory, or give a shared store objects it did not load.
   */
  private freeze(g: SessionGroup): void {
    if (!holdsFrozen(this.sessions)) return;
    const done = g.freezeStores();
    if (done !== undefined) this.sessions[HOLD_FROZEN](g.id, done.stores, done.frozen);
  }

  /**
   * Gives a group a new id (a rotated session): saves its state under `to`, forgets `from` in the
   * session store and in memory. A later request that still carries `from` finds no group and
   * starts a fresh one. Call inside the group's `run`.
   */
  async rename(g: SessionGroup, to: string): Promise<void> {
    const from = g.id;
    const saved = await this.saveMade(to, g.stores, "rotating the session");
    try {
      await this.sessions.delete(from);
    } catch (err) {
      this.logger.error(`LT_ERR_SESSION_STORE: deleting the rotated group failed`, err);
    }
    this.groups.delete(from);
    g.id = to;
    this.adopt(g, saved);
    this.groups.set(to, g);
  }
}
