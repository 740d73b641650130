/**
 * Running store code: actions, `mount`, `onConnect`/`onDisconnect` and a broadcast's update. Every
 * run is tracked (see `changes/tracking.ts`): a throw rolls the state back and becomes
 * `meta.errors`, a success records the changed paths on the group for the next render.
 */
import { track, type TrackingMode } from "../changes/tracking.js";
import { ActionData, type ActionContext } from "./action-context.js";
import { errorsFromThrown } from "./action-errors.js";
import type { SessionGroup } from "./group.js";
import type { GroupTable } from "./groups.js";
import type { StoreSet } from "./store-set.js";
import type { Broadcaster, ConnectContext, Logger, MountContext, SessionStores } from "./types.js";

/** The errors of a run (`meta.errors`); empty after a success. */
export type Errors = Record<string, string>;

/** Who runs an action or a mount. */
export interface Caller {
  readonly userId: string;
  readonly connectionId: string | undefined;
}

/** The lifecycle hooks of a store, called for every store of the group that has them. */
export type LifecycleHook =
  | { readonly name: "onConnect"; readonly context: ConnectContext; readonly broadcaster: Broadcaster }
  | { readonly name: "onDisconnect"; readonly context: ConnectContext };

type HookStore = { [K in LifecycleHook["name"]]?: (...args: unknown[]) => unknown };

export class StoreCode {
  constructor(
    private readonly storeSet: StoreSet,
    private readonly groups: GroupTable,
    private readonly tracking: TrackingMode,
    private readonly dev: boolean,
    private readonly logger: Logger,
  ) {}

  /**
   * Runs one action and saves it; `undefined` when no store handles it. Call inside `run`.
   */
  action(g: SessionGroup, fullAction: string, data: Record<string, unknown>, submitter: string | undefined, who: Caller): Promise<Errors | undefined> {
    return this.groups.commit<Errors | undefined>(g, async () => {
      const route = this.storeSet.route(g.stores, fullAction);
      if (route === undefined) return { value: undefined, save: false };
      const ctx: ActionContext = {
        action: route.action,
        fullAction,
        store: route.store,
        data: new ActionData(data),
        submitter,
        userId: who.userId,
        groupId: g.id,
        connectionId: who.connectionId,
      };
      const errors = await this.tracked(g, { [route.store]: g.stores[route.store]! }, fullAction, (views) => {
        const target = views[route.store] as Record<string, (c: ActionContext) => unknown>;
        return target[route.method]!(ctx);
      });
      return { value: errors, save: isEmpty(errors) };
    });
  }

  /**
   * Calls `mount(ctx)` on every store that has one, tracked like an action (a throw rolls it back
   * and is logged). Call inside `run`, before a full render.
   */
  async mount(g: SessionGroup, query: Readonly<Record<string, string>>, who: Caller): Promise<void> {
    const names = Object.keys(g.stores).filter((n) => typeof (g.stores[n] as { mount?: unknown }).mount === "function");
    if (names.length === 0) return;
    const ctx: MountContext = { query, userId: who.userId, groupId: g.id, connectionId: who.connectionId };
    await this.groups.commit(g, async () => {
      const subset: SessionStores = {};
      for (const n of names) subset[n] = g.stores[n]!;
      const errors = await this.tracked(g, subset, "mount", async (views) => {
        for (const n of names) await (views[n] as { mount(c: MountContext): unknown }).mount(ctx);
      });
      return { value: undefined, save: isEmpty(errors) };
    });
  }

  /** Runs a broadcast's update on the group's state and saves it. Call inside `run`. */
  async update(g: SessionGroup, fn: (data: unknown) => unknown): Promise<void> {
    await this.groups.commit(g, async () => {
      const errors = await this.tracked(g, g.stores, "broadcast", (views) => fn(this.storeSet.data(views)));
      return { value: undefined, save: isEmpty(errors) };
    });
  }

  /**
   * Runs a lifecycle hook on every store that has it, and saves what it changed. With a shared
   * store the hooks run on the latest saved state (loaded first, inside `transact`); they are
   * never run twice (they may start timers), so if another instance saves the group between the
   * hook and the save, the saved state wins and the hook's change is dropped (logged). Resolves
   * with whether any hook ran or the state was replaced. Call inside `run`.
   */
  async hook(g: SessionGroup, hook: LifecycleHook): Promise<boolean> {
    const has = (s: object): boolean => typeof (s as HookStore)[hook.name] === "function";
    if (!Object.values(g.stores).some(has)) return false;
    const before = g.stores;
    let hooked: SessionStores | undefined;
    await this.groups.commit(g, async () => {
      if (hooked !== undefined) return { value: undefined, save: false };
      hooked = g.stores;
      for (const store of Object.values(g.stores)) {
        if (!has(store)) continue;
        const s = store as HookStore;
        try {
          await g.runStoreCode(() =>
            hook.name === "onConnect" ? s.onConnect!(hook.context, hook.broadcaster) : s.onDisconnect!(hook.context),
          );
        } catch (err) {
          this.logger.error(`${hook.name} threw`, err);
        }
      }
      g.noteChanged(undefined);
      return { value: undefined, save: true };
    });
    if (hooked !== undefined && g.stores !== hooked) this.groups.droppedChange(g.id, hook.name);
    return hooked !== undefined || g.stores !== before;
  }

  /**
   * Runs `fn` on tracked views of `stores`; on a throw restores them and returns `meta.errors`.
   * Records the changed paths on the group after a success.
   */
  private async tracked(g: SessionGroup, stores: SessionStores, label: string, fn: (views: SessionStores) => unknown): Promise<Errors> {
    const t = track(this.tracking, stores, {
      basePath: (name) => this.storeSet.basePath(name),
      aliases: () => g.aliases(),
      invalidateAliases: () => g.invalidateAliases(),
    });
    try {
      await g.runStoreCode(() => fn(t.views));
      t.close();
    } catch (thrown) {
      t.close();
      t.rollback();
      const { errors, unexpected } = errorsFromThrown(thrown, this.dev);
      if (unexpected) {
        // The usual surprise with journal tracking: `#private` members cannot be reached through a Proxy.
        const hint =
          this.tracking === "journal" && thrown instanceof TypeError && /private/i.test(thrown.message)
            ? ' (stores with #private members need the option tracking: "snapshot")'
            : "";
        this.logger.error(`LT_ERR_ACTION_FAILED: "${label}" threw; state rolled back${hint}`, thrown);
      }
      return errors;
    }
    g.noteChanged(t.hint());
    return {};
  }
}

function isEmpty(errors: Errors): boolean {
  for (const _ in errors) return false;
  return true;
}
