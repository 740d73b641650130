/**
 * Running store code: actions, `mount`, `onConnect`/`onDisconnect` and a broadcast's update. Every
 * run is tracked (see `changes/tracking.ts`): a throw rolls the state back and becomes
 * `meta.errors`, a success records the changed paths on the group for the next render.
 */
import { isEmpty } from "../protocol/messages.js";
import { track, type TrackingMode } from "../changes/tracking.js";
import { ActionData, type ActionContext } from "./action-context.js";
import { errorsFromThrown } from "./action-errors.js";
import type { SessionGroup } from "./group.js";
import type { Origin } from "./events.js";
import type { GroupTable } from "./groups.js";
import { LVT_KEY } from "./lvt.js";
import { flashes } from "./flash.js";
import { stageAsync, takeStaged, type AsyncControls, type AsyncStarter } from "./async-state.js";
import type { Navigation, NavigationControls } from "./navigation.js";
import type { PushControls } from "./client-events.js";
import type { StoreSet } from "./store-set.js";
import { after, settle } from "./maybe.js";
import type { Broadcaster, ConnectContext, Logger, MaybePromise, MountContext, SessionStores } from "./types.js";
import type { TopicHub } from "../topics/hub.js";
import type { TopicContext, TopicControls, TopicDelivery } from "../topics/types.js";
import type { Uploads } from "../uploads/uploads.js";
import type { UploadSet } from "../uploads/upload-set.js";
import { NO_UPLOAD_CONTROLS, UploadRun, uploadSetOf } from "./upload-state.js";

/** The errors of a run (`meta.errors`); empty after a success. */
export type Errors = Record<string, string>;

/**
 * How a transaction (an action, a mount, a broadcast's update) ended: no store handles it; done
 * (saved, or failed with `meta.errors` and rolled back) with what `render` returned; or failed
 * because the new state cannot be rendered or saved, rolled back (`rendered` is what a render
 * that succeeded before a failed save returned: its frames went out, the caller follows them
 * with a render of the restored state).
 */
export type Outcome<R> =
  | { readonly kind: "unknown" }
  | {
      readonly kind: "done";
      readonly errors: Errors;
      readonly rendered: R;
      /** What the action threw when it failed unexpectedly (`_general`), for dev-mode details. */
      readonly thrown?: unknown;
    }
  | { readonly kind: "failed"; readonly reason: "render" | "save"; readonly cause: unknown; readonly rendered: R | undefined };

/** Who runs an action or a mount. */
export interface Caller {
  readonly userId: string;
  readonly connectionId: string | undefined;
}

/** Who runs store code for an event from `origin`. */
export function callerOf(origin: Origin): Caller {
  switch (origin.kind) {
    case "live":
      return { userId: origin.member.userId, connectionId: origin.member.id };
    case "request":
      return { userId: origin.userId, connectionId: undefined };
    case "server":
      return { userId: "", connectionId: undefined };
    default: {
      const never: never = origin;
      return never;
    }
  }
}

/** The lifecycle hooks of a store, called for every store of the group that has them. */
export type LifecycleHook =
  | { readonly name: "onConnect"; readonly context: ConnectContext; readonly broadcaster: Broadcaster; readonly nav: Navigation }
  | { readonly name: "onDisconnect"; readonly context: ConnectContext };

type HookStore = { [K in LifecycleHook["name"]]?: (...args: unknown[]) => unknown };

export class StoreCode {
  constructor(
    private readonly storeSet: StoreSet,
    private readonly groups: GroupTable,
    private readonly tracking: TrackingMode,
    private readonly dev: boolean,
    private readonly logger: Logger,
    private readonly topics: TopicHub,
    /** Starts what `ctx.async` asked for once the store code is saved; none: never started (a visitor's page view). */
    private readonly starter?: AsyncStarter<SessionGroup>,
    /** The handler's uploads, when it has any configured (`ctx.uploads`). */
    private readonly uploads?: Uploads,
  ) {}

  /** The topic methods for a run by `who` in `g`. */
  private topicControls(g: SessionGroup, who: Caller): TopicControls {
    return this.topics.controls({ groupId: () => g.id, userId: who.userId, connectionId: who.connectionId });
  }

  /**
   * Runs one action as one transaction: the change (tracked), then `render` of the new state
   * (the replies and frames), then the save. A render that throws or a save that fails rolls the
   * change back, so the state stays one the template can render and that the session store
   * holds; the caller then brings its views back with a render of the restored state. With a
   * shared store `render` may run more than once (once per run of the action). Call inside `run`.
   */
  action<R>(
    g: SessionGroup,
    fullAction: string,
    data: Record<string, unknown>,
    submitter: string | undefined,
    who: Caller,
    render: (errors: Errors) => R,
    nav: Navigation,
    /** The uploads `ctx.uploads` reads: a form post's, else the group's. */
    scope?: UploadSet,
  ): MaybePromise<Outcome<R>> {
    const up = this.uploads === undefined ? undefined : new UploadRun(scope ?? uploadSetOf(g), this.uploads, () => g.noteChanged([[LVT_KEY]]));
    const u = up?.controls() ?? NO_UPLOAD_CONTROLS;
    const outcome = this.started(g, this.transaction(g, fullAction, render, () => {
      const route = this.storeSet.route(g.stores, fullAction);
      if (route === undefined) return undefined;
      nav.reset();
      takeStaged(g);
      up?.settle(false); // a re-run starts from the entries as they were
      const t = this.topicControls(g, who);
      // A literal of one fixed shape (no spread): this is built for every action.
      const ctx: ActionContext = {
        patch: (to) => nav.patch(to),
        navigate: (to) => nav.navigate(to),
        redirect: (to) => nav.redirect(to),
        flash: (kind, message) => nav.flash(kind, message),
        pushEvent: (name, payload, options) => nav.client.pushEvent(name, payload, options),
        async: asyncStart(g, route.store),
        reply: (value) => nav.client.setReply(value),
        subscribe: t.subscribe,
        unsubscribe: t.unsubscribe,
        publish: t.publish,
        track: t.track,
        untrack: t.untrack,
        presence: t.presence,
        uploads: u.uploads,
        consume: u.consume,
        consumeAll: u.consumeAll,
        cancelUpload: u.cancelUpload,
        action: route.action,
        fullAction,
        store: route.store,
        data: new ActionData(data),
        submitter,
        userId: who.userId,
        groupId: g.id,
        connectionId: who.connectionId,
      };
      // A `ctx.patch` re-mounts in the same transaction: the stores with `mount` are tracked too.
      const stores: SessionStores = { [route.store]: g.stores[route.store]! };
      for (const n of mountStores(g)) stores[n] = g.stores[n]!;
      return {
        stores,
        // Synchronous when the action is (and patches nothing): no promise per action.
        run: (views: SessionStores) => {
          const flashed = (): void => {
            if (nav.flashed) g.noteChanged([[LVT_KEY]]);
          };
          return settle(
            () =>
              after((views[route.store] as Record<string, (c: ActionContext) => unknown>)[route.method]!(ctx), () => {
                const intent = nav.intent;
                return intent?.kind === "patch" ? this.remount(g, views, intent.query, who, nav) : undefined;
              }),
            flashed,
            (err) => {
              takeStaged(g); // a failed action starts no async work
              flashed();
              throw err;
            },
          );
        },
      };
    }));
    if (up === undefined) return outcome;
    // Consumed and cancelled entries go once the action is saved; otherwise they stay.
    return after(outcome, (o) => {
      up.settle(o.kind === "done" && isEmpty(o.errors));
      return o;
    });
  }

  /** Starts the async work the transaction asked for when it was saved, else drops it. */
  private started<R>(g: SessionGroup, outcome: MaybePromise<Outcome<R>>): MaybePromise<Outcome<R>> {
    return after(outcome, (o) => {
      const staged = takeStaged(g);
      if (this.starter !== undefined && o.kind === "done" && isEmpty(o.errors)) for (const r of staged) this.starter.start(g, r);
      return o;
    });
  }

  /**
   * Applies an async result to store `store` as a transaction of its own (tracked, rendered with
   * `render`, saved; rolled back on a throw, a failed render or a failed save). Call inside `run`.
   */
  applyTo(g: SessionGroup, store: string, label: string, fn: (store: object) => unknown, render: (errors: Errors) => void): MaybePromise<Outcome<void>> {
    return this.transaction(g, label, render, () => {
      const target = g.stores[store];
      return target === undefined ? undefined : { stores: { [store]: target }, run: (views: SessionStores) => fn(views[store]!) };
    });
  }

  /** A patch's `mount` with the new query, on the run's views; a patch it asks for in turn only changes the URL. */
  private async remount(g: SessionGroup, views: SessionStores, query: Readonly<Record<string, string>>, who: Caller, nav: Navigation): Promise<void> {
    if (flashes.pageChange(g.id, true)) nav.flashed = true;
    for (const n of mountStores(g)) await (views[n] as { mount(c: MountContext): unknown }).mount(mountContext(nav, query, who, g, n, this.topicControls(g, who)));
  }

  /**
   * Calls `mount(ctx)` on every store that has one, tracked like an action: a throw, a state the
   * template cannot render (checked on a scratch view) or a failed save rolls it back and is
   * logged. Call inside `run`, before a full render.
   */
  async mount(g: SessionGroup, query: Readonly<Record<string, string>>, who: Caller, nav: Navigation): Promise<void> {
    const names = mountStores(g);
    if (names.length === 0) return;
    const outcome = await this.started(g, this.transaction(g, "mount", () => this.groups.renderCheck(g), () => {
      const subset: SessionStores = {};
      for (const n of names) subset[n] = g.stores[n]!;
      return {
        stores: subset,
        run: async (views: SessionStores) => {
          nav.reset();
          takeStaged(g);
          for (const n of names) {
            const ctx = mountContext(nav, query, who, g, n, this.topicControls(g, who));
            await (views[n] as { mount(c: MountContext): unknown }).mount(ctx);
          }
          const intent = nav.intent;
          // A mount that patches shows the patched query: mounted once more with it.
          if (intent?.kind === "patch") await this.remount(g, views, intent.query, who, nav);
          if (nav.flashed) g.noteChanged([[LVT_KEY]]);
        },
      };
    }));
    if (outcome.kind === "failed") this.logFailure("mount", outcome);
  }

  /**
   * Runs a broadcast's update on the group's state, renders it with `render` (frames parked for
   * the broadcast) and saves it; a render that throws or a failed save rolls it back, logged, and
   * the restored state is rendered again. Call inside `run`.
   */
  update(g: SessionGroup, fn: (data: unknown) => unknown, render: () => void): MaybePromise<void> {
    const run = (views: SessionStores): unknown => fn(this.storeSet.data(views));
    return after(this.transaction(g, "broadcast", render, () => ({ stores: g.stores, run })), (outcome) => {
      if (outcome.kind !== "failed") return;
      this.logFailure("broadcast", outcome);
      try {
        render();
      } catch (err) {
        this.logger.error(`LT_ERR_TEMPLATE_EXEC: the restored state cannot be rendered either`, err);
      }
    });
  }

  /**
   * Runs the stores' `onMessage`/`onPresence` for every delivery of a batch, as one transaction
   * (a throw rolls the whole batch back, logged), then `render` once. Call inside `run`.
   */
  async deliver(g: SessionGroup, deliveries: readonly TopicDelivery[], ctx: TopicContext, render: () => void): Promise<void> {
    const names = Object.keys(g.stores).filter((n) => {
      const s = g.stores[n] as { onMessage?: unknown; onPresence?: unknown };
      return typeof s.onMessage === "function" || typeof s.onPresence === "function";
    });
    if (names.length === 0) return;
    const subset: SessionStores = {};
    for (const n of names) subset[n] = g.stores[n]!;
    const outcome = await this.transaction(g, "onMessage", render, () => ({
      stores: subset,
      run: async (views: SessionStores) => {
        for (const d of deliveries) {
          for (const n of names) {
            const s = views[n] as { onMessage?: (...a: unknown[]) => unknown; onPresence?: (...a: unknown[]) => unknown };
            if (d.kind === "message") await s.onMessage?.(d.topic, d.event, ctx);
            else await s.onPresence?.(d.topic, d.diff, ctx);
          }
        }
      },
    }));
    if (outcome.kind !== "failed") return;
    this.logFailure("onMessage", outcome);
    render();
  }

  /**
   * The transaction behind actions, mounts and broadcast updates: `select` picks the stores and
   * the code to run on their tracked views (undefined: nothing handles it), the change runs, then
   * `render`, then the save. On failure the run's change is rolled back and the group's next
   * render is unhinted (views that rendered the failed state are brought back by it).
   */
  private transaction<R>(
    g: SessionGroup,
    label: string,
    render: (errors: Errors) => R,
    select: () => { stores: SessionStores; run: (views: SessionStores) => unknown } | undefined,
  ): MaybePromise<Outcome<R>> {
    let undo: (() => void) | undefined;
    let rendered: { value: R } | undefined;
    const finish = (run: Run): { value: Outcome<R>; save: boolean } => {
      undo = run.undo;
      try {
        rendered = { value: render(run.errors) };
      } catch (err) {
        run.undo?.();
        undo = undefined;
        g.noteChanged(undefined);
        this.logger.error(`LT_ERR_TEMPLATE_EXEC: the state after "${label}" cannot be rendered; state rolled back`, err);
        return { value: { kind: "failed", reason: "render", cause: err, rendered: undefined }, save: false };
      }
      return { value: { kind: "done", errors: run.errors, rendered: rendered.value, thrown: run.thrown }, save: isEmpty(run.errors) };
    };
    const committed = this.groups.attempt<Outcome<R>>(g, () => {
      undo = undefined;
      rendered = undefined;
      const chosen = select();
      if (chosen === undefined) return { value: { kind: "unknown" }, save: false };
      return after(this.tracked(g, chosen.stores, label, chosen.run), finish);
    });
    return after(committed, (c): Outcome<R> => {
      if (c.kind === "saved") return c.value;
      // Not saved, so never acknowledged: undo the last run's change.
      undo?.();
      g.noteChanged(undefined);
      const ran = c.ran?.value;
      if (ran?.kind === "unknown" || (ran?.kind === "done" && !isEmpty(ran.errors))) return ran; // nothing to save was lost
      return { kind: "failed", reason: "save", cause: c.failure, rendered: rendered?.value };
    });
  }

  private logFailure(label: string, outcome: Extract<Outcome<unknown>, { kind: "failed" }>): void {
    if (outcome.reason === "save") this.logger.error(`LT_ERR_SESSION_STORE: "${label}" could not be saved; state rolled back`, outcome.cause);
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
            hook.name === "onConnect" ? s.onConnect!({ ...hook.context, ...controls(hook.nav), ...this.topicControls(g, hook.context) }, hook.broadcaster) : s.onDisconnect!(hook.context),
          );
        } catch (err) {
          this.logger.error(`${hook.name} threw`, err);
        }
      }
      if (hook.name === "onConnect") flashes.settle(g.id, hook.nav.leaves);
      g.noteChanged(undefined);
      return { value: undefined, save: true };
    });
    if (hooked !== undefined && g.stores !== hooked) this.groups.droppedChange(g.id, hook.name);
    return hooked !== undefined || g.stores !== before;
  }

  /**
   * Runs `fn` on tracked views of `stores`; on a throw restores them and returns `meta.errors`.
   * After a success records the changed paths on the group and returns `undo`, which restores
   * the stores as they were before `fn` (for a render or a save that fails afterwards).
   */
  private tracked(g: SessionGroup, stores: SessionStores, label: string, fn: (views: SessionStores) => unknown): MaybePromise<Run> {
    const t = track(this.tracking, stores, {
      basePath: (name) => this.storeSet.basePath(name),
      aliases: () => g.aliases(),
      invalidateAliases: () => g.invalidateAliases(),
    });
    // Synchronous store code (the usual case) is not awaited: no extra turn per action.
    return settle(
      () => g.runStoreCode(() => fn(t.views)),
      (): Run => {
        t.close();
        g.noteChanged(t.hint());
        // Kept until the save is known to have worked: made outside this scope, so that it holds
        // the undo list only, not this run's journal, views and closures.
        return { errors: {}, undo: undoing(t.takeUndo(), g) };
      },
      (thrown): Run => {
        t.close();
        t.rollback();
        return this.failedRun(label, thrown);
      },
    );
  }

  /** The errors of a run that threw (already rolled back), logged when the throw was unexpected. */
  private failedRun(label: string, thrown: unknown): Run {
    const { errors, unexpected } = errorsFromThrown(thrown, this.dev);
    if (!unexpected) return { errors, undo: undefined };
    // The usual surprise with journal tracking: `#private` members cannot be reached through a Proxy.
    const hint =
      this.tracking === "journal" && thrown instanceof TypeError && /private/i.test(thrown.message)
        ? ' (stores with #private members need the option tracking: "snapshot")'
        : "";
    this.logger.error(`LT_ERR_ACTION_FAILED: "${label}" threw; state rolled back${hint}`, thrown);
    return { errors, undo: undefined, thrown };
  }
}

/**
 * A finished run of store code: its `meta.errors` (empty after a success), and after a success
 * the undo kept until the save is known to have worked.
 */
interface Run {
  readonly errors: Errors;
  readonly undo: (() => void) | undefined;
  readonly thrown?: unknown;
}

/** Undoes a finished run and forgets the group's aliasing (the undo may re-link objects). */
function undoing(undo: () => void, g: SessionGroup): () => void {
  return () => {
    undo();
    g.invalidateAliases();
  };
}

/** Names of the group's stores that have a `mount`. */
function mountStores(g: SessionGroup): string[] {
  return Object.keys(g.stores).filter((n) => typeof (g.stores[n] as { mount?: unknown }).mount === "function");
}

/** The context of store `store`'s `mount`: a literal of one fixed shape, like an action's. */
function mountContext(nav: Navigation, query: Readonly<Record<string, string>>, who: Caller, g: SessionGroup, store: string, t: TopicControls): MountContext {
  return {
    subscribe: t.subscribe,
    unsubscribe: t.unsubscribe,
    publish: t.publish,
    track: t.track,
    untrack: t.untrack,
    presence: t.presence,
    patch: (to) => nav.patch(to),
    navigate: (to) => nav.navigate(to),
    redirect: (to) => nav.redirect(to),
    flash: (kind, message) => nav.flash(kind, message),
    pushEvent: (name, payload, options) => nav.client.pushEvent(name, payload, options),
    async: asyncStart(g, store),
    query,
    userId: who.userId,
    groupId: g.id,
    connectionId: who.connectionId,
  };
}

/** The navigation methods for a context object, bound to this run's {@link Navigation}. */
function controls(nav: Navigation): NavigationControls & PushControls {
  return {
    patch: (to) => nav.patch(to),
    navigate: (to) => nav.navigate(to),
    redirect: (to) => nav.redirect(to),
    flash: (kind, message) => nav.flash(kind, message),
    pushEvent: (name, payload, options) => nav.client.pushEvent(name, payload, options),
  };
}

/** `ctx.async` for store `store` of `g`: staged until the store code ends (see `async-state.ts`). */
function asyncStart(g: SessionGroup, store: string): AsyncControls["async"] {
  return (key: string, fn: unknown, apply?: unknown) => {
    stageAsync(g, store, key, fn, apply);
    g.noteChanged([[LVT_KEY]]);
  };
}

