/**
 * One session group in memory: its stores, the work queue that serializes everything touching
 * them, and the render state shared by its live connections.
 *
 * Rendering is shared: the group keeps ONE view instance (`lead`) whose last tree is exactly what
 * every live connection of the group holds. After a change the group renders once, encodes the
 * frame once, and writes the same bytes to every connection. A connection that needs a full tree
 * (a new one, or a navigation) first brings the lead up to date (pushing that diff to the others)
 * and then gets a full render of the same state, after which it is in lock-step with the rest.
 *
 * Errors of an action (`.lvt.Errors`) belong to the connection that sent it. Such a connection
 * leaves the lock-step while it shows errors: it gets a view of its own, rendered with its errors,
 * and rejoins the shared frames with its next successful action (the trees are equal again then,
 * as both render the same state without errors).
 */
import { randomBytes } from "node:crypto";
import { aliasedObjects } from "../changes/alias-scan.js";
import { isListEdit, type ChangeEntry, type ChangeHint } from "../changes/path.js";
import { isEmpty, pushMessage, type WireTree } from "../protocol/messages.js";
import { encode, type EncodedFrame, type Member } from "./frame.js";
import { flashes } from "./flash.js";
import { asyncView } from "./async-state.js";
import { uploadView } from "./upload-state.js";
import { LVT_KEY, lvtData as plainLvt, sameErrors, type LvtData, type UploadsView } from "./lvt.js";
import { isThenable } from "./maybe.js";
import { RecentActions } from "./recent-actions.js";
import { FrozenStores } from "./frozen-stores.js";
import { Members } from "./members.js";
import type { LiveView, MaybePromise, SessionStores } from "./types.js";

/** A tree for a JSON GET or POST, and the id of the render the client holds once it applied it. */
export interface HttpTree {
  readonly tree: WireTree;
  readonly render: string;
}

/**
 * How a group's frames reach its members (the engine's outbox): `send` writes now, after anything
 * parked; `park` waits for the engine to flush (a broadcast renders every group first). Either
 * calls `drop` when the write fails, and the group forgets that member.
 */
export interface Postman {
  send(member: Member, frame: EncodedFrame, drop: (member: Member) => void): void;
  park(member: Member, frame: EncodedFrame, drop: (member: Member) => void): void;
}

/** A member showing errors: its own view, whose last tree is what that member holds. */
interface Apart {
  view: LiveView;
  errors: Record<string, string>;
}

const LVT_HINT: readonly (string | number)[] = [LVT_KEY];

/** The pending changes of every group with none (never written to: `noteChanged` copies first). */
const NO_CHANGES: ChangeEntry[] = [];

/** The queue of every group with nothing queued. */
const IDLE: Promise<unknown> = Promise.resolve();

/** The `apart` map of every group with no member showing errors (never written to). */
const NONE_APART: Map<Member, Apart> = new Map();

function withLvtHint(hint: ChangeHint): ChangeHint {
  return hint === undefined ? undefined : [...hint, LVT_HINT];
}



export class SessionGroup {
  /** The group's id; changes only when the session is rotated (see `GroupTable.rename`). */
  id: string;
  /** The stores; undefined while they are frozen (see {@link freezeStores}). */
  private current: SessionStores | undefined;
  private frozen: FrozenStores | undefined;
  /** Live connections in lock-step with `lead`. */
  readonly members = new Members<Member>();
  /** Members showing errors, out of lock-step with `lead` (see the file comment); shared and empty until one is. */
  private apart: Map<Member, Apart> = NONE_APART;
  /** Shared render state of the live connections; undefined when none is connected. */
  private lead: LiveView | undefined;
  /**
   * The HTTP fallback's render cache: the view whose last tree is the render `httpId`, and the
   * stores object it rendered (see {@link httpDiff}).
   */
  private http: { view: LiveView; id: string; stores: SessionStores } | undefined;
  /**
   * Render ids are unique across instances and group lifetimes: a random prefix (drawn with the
   * first HTTP render) and a counter.
   */
  private renderPrefix: string | undefined;
  private renders = 0;
  private recentIds: RecentActions | undefined;
  /** Paths changed since `lead` last rendered; undefined = unknown (render unhinted). */
  private pending: ChangeEntry[] | undefined = NO_CHANGES;
  private aliasCache: Set<object> | undefined;
  /**
   * True while the render state is dropped (see {@link hibernate}) and members are still
   * connected: their clients hold the last tree, this side no longer does.
   */
  private asleep = false;
  /** The last task queued; the shared {@link IDLE} while none is queued or running. */
  private queue: Promise<unknown> = IDLE;
  private queued = 0;
  /**
   * Above zero while store code (an action, a hook, mount, a broadcast's update) runs inside this
   * group's current task. A `broadcaster.send()` made then must not queue behind that task: the
   * task may be awaiting it.
   */
  private storeDepth = 0;
  lastUsed = Date.now();

  constructor(
    id: string,
    stores: SessionStores,
    private readonly view: LiveView,
    private readonly data: (stores: SessionStores, lvt: LvtData) => unknown,
    private readonly postman: Postman,
  ) {
    this.id = id;
    this.current = stores;
  }

  /** The group's state; frozen stores are rebuilt on first use (see {@link freezeStores}). */
  get stores(): SessionStores {
    if (this.current === undefined) {
      this.current = this.frozen!.thaw();
      this.frozen = undefined;
    }
    return this.current;
  }

  set stores(stores: SessionStores) {
    this.current = stores;
    this.frozen = undefined;
  }

  /**
   * For a hibernating group (see {@link hibernate}): replaces the stores by their frozen form,
   * when their state comes back exactly (`FrozenStores.of`). Returns what the caller must hand
   * to a session store that holds the stores too, with the stores it held, or `undefined`.
   */
  freezeStores(): { frozen: FrozenStores; stores: SessionStores } | undefined {
    if (!this.asleep || this.current === undefined) return undefined;
    const frozen = FrozenStores.of(this.current);
    if (frozen === undefined) return undefined;
    const stores = this.current;
    this.current = undefined;
    this.frozen = frozen;
    return { frozen, stores };
  }

  /** Ids of recent actions and their outcomes, for answering a repeated id (see `replies.ts`). */
  get recent(): RecentActions {
    return (this.recentIds ??= new RecentActions());
  }

  /** True while store code runs inside this group's current task (see {@link runStoreCode}). */
  get inStoreCode(): boolean {
    return this.storeDepth > 0;
  }

  /**
   * Runs store code of the current task, so that re-entrant calls from it can be recognised.
   * Synchronous store code (most actions and updates) returns its value without a promise.
   */
  runStoreCode<T>(fn: () => T | Promise<T>): T | Promise<T> {
    this.storeDepth++;
    let result: T | Promise<T>;
    try {
      result = fn();
    } catch (err) {
      this.storeDepth--;
      throw err;
    }
    if (!isThenable(result)) {
      this.storeDepth--;
      return result;
    }
    return Promise.resolve(result).then(
      (value) => {
        this.storeDepth--;
        return value;
      },
      (err: unknown) => {
        this.storeDepth--;
        throw err;
      },
    );
  }

  /** True while work is queued or running. */
  get busy(): boolean {
    return this.queued > 0;
  }

  /**
   * Runs `task` after every task queued before it has finished, so two actions of a group never
   * interleave, even when they are async. A failing task does not stop the queue.
   */
  run<T>(task: () => Promise<T> | T): Promise<T> {
    this.queued++;
    this.lastUsed = Date.now();
    const result = this.queue.then(task);
    this.queue = result.then(
      () => this.settle(),
      () => this.settle(),
    );
    return result;
  }

  /**
   * Like {@link run}, but a task of an idle group starts at once, and a synchronous one returns
   * its value without a promise (a broadcast to many groups, see `maybe.ts`).
   */
  runNow<T>(task: () => MaybePromise<T>): MaybePromise<T> {
    if (this.queued > 0) return this.run(task);
    this.queued++;
    this.lastUsed = Date.now();
    let result: MaybePromise<T>;
    try {
      result = task();
    } catch (err) {
      this.queued--;
      throw err;
    }
    if (!isThenable(result)) {
      this.queued--;
      return result;
    }
    const done = Promise.resolve(result);
    this.queue = done.then(
      () => this.settle(),
      () => this.settle(),
    );
    return done;
  }

  /**
   * Objects reachable at two or more places of the state (see `aliasedObjects`), computed on
   * demand and kept until something may have re-linked the state.
   */
  aliases(): ReadonlySet<object> {
    this.aliasCache ??= aliasedObjects(Object.values(this.stores));
    return this.aliasCache;
  }

  /** Forgets the aliasing analysis (after a write that stored an object, or unknown changes). */
  invalidateAliases(): void {
    this.aliasCache = undefined;
  }

  /** Records what changed outside a render, for the next render's hint. */
  noteChanged(paths: ChangeHint): void {
    if (paths === undefined) this.aliasCache = undefined;
    if (this.pending === undefined) return;
    if (paths === undefined) this.pending = undefined;
    else if (paths.length > 0) {
      if (this.pending === NO_CHANGES) this.pending = [];
      for (const p of paths) this.pending.push(isListEdit(p) ? p : [...p]);
    }
  }

  private takeHint(): ChangeHint {
    const hint = this.pending;
    this.pending = NO_CHANGES;
    return hint;
  }

  /**
   * Renders the current state for the live connections and sends the diff to each member except
   * `except`. Returns the diff (so the caller can reply to `except` with its own meta).
   * With `park` the frames wait in the engine's outbox (see `Outbox`) for the caller to flush.
   * Call inside `run`.
   */
  pushUpdate(except?: Member, park = false): WireTree {
    return this.render(this.takeHint(), except, park);
  }

  /**
   * Renders the state after `member`'s action and returns the tree to reply to it with: the other
   * members get their update as with `pushUpdate`; `member` sees `errors` (none after a success)
   * in `.lvt`. A member that starts showing errors may first be sent a plain update frame (what
   * the others got), then the reply adds its errors. Call inside `run`.
   */
  replyTo(member: Member, errors: Record<string, string>): WireTree {
    const hint = this.takeHint();
    const shared = this.render(hint, member, false);
    const own = this.apart.get(member);
    const failed = Object.keys(errors).length > 0;
    if (own === undefined) {
      if (!failed || !this.members.has(member)) return shared;
      // Leaves the lock-step: its client holds the lead's previous tree; bring it to the lead's
      // current one, then diff from there to the same state with errors.
      if (!isEmpty(shared)) this.postman.send(member, encode(pushMessage(shared)), this.dropMember);
      const view = this.view.clone();
      view.executeUpdates(this.data(this.stores, this.lvt(undefined)));
      if (this.apart === NONE_APART) this.apart = new Map();
      this.apart.set(member, { view, errors });
      return view.executeUpdates(this.data(this.stores, this.lvt(errors)), { changed: [LVT_HINT] });
    }
    const changedErrors = !sameErrors(own.errors, errors);
    const tree = own.view.executeUpdates(
      this.data(this.stores, this.lvt(errors)),
      hint === undefined ? {} : { changed: changedErrors ? withLvtHint(hint)! : hint },
    );
    if (failed) own.errors = errors;
    else {
      // Without errors its tree equals the lead's again: back to the shared frames.
      this.apart.delete(member);
      this.lead ??= own.view;
    }
    return tree;
  }

  /**
   * Drops the render state of a group nobody is acting in: the lead view and its last tree, the
   * HTTP render cache, the aliasing analysis. The members stay connected; the next render sends
   * each of them a full tree (their client replaces what it holds), because a diff needs the tree
   * this side dropped and the state may have changed meanwhile in ways no hint recorded. Only for
   * a group whose members are all in lock-step and that has no queued work. Returns whether it
   * dropped anything.
   */
  hibernate(): boolean {
    if (this.asleep || this.lead === undefined || this.apart.size > 0 || this.queued > 0) return false;
    this.lead = undefined;
    this.http = undefined;
    this.aliasCache = undefined;
    this.dropFn = undefined;
    this.pending = NO_CHANGES;
    this.asleep = true;
    return true;
  }

  /** After {@link hibernate}: a new lead from a full render, sent whole to every member but `except`. */
  private wake(except: Member | undefined, park: boolean): WireTree {
    const view = this.view.clone();
    const full = view.executeUpdates(this.data(this.stores, this.lvt(undefined)));
    this.lead = view;
    this.asleep = false;
    this.pending = NO_CHANGES;
    let frame: EncodedFrame | undefined;
    for (const m of this.members) if (m !== except) this.deliver(m, (frame ??= encode(pushMessage(full))), park);
    return full;
  }

  private render(hint: ChangeHint, except: Member | undefined, park: boolean): WireTree {
    if (this.asleep) return this.wake(except, park);
    let diff: WireTree = {};
    if (this.lead !== undefined) {
      diff = this.lead.executeUpdates(this.data(this.stores, this.lvt(undefined)), hint === undefined ? {} : { changed: hint });
      const others = this.members.size - this.apart.size - (except !== undefined && this.members.has(except) && !this.apart.has(except) ? 1 : 0);
      if (!isEmpty(diff) && others > 0) {
        const frame = encode(pushMessage(diff));
        for (const m of this.members) if (m !== except && !this.apart.has(m)) this.deliver(m, frame, park);
      }
    }
    for (const [m, own] of this.apart) {
      if (m === except) continue;
      const d = own.view.executeUpdates(this.data(this.stores, this.lvt(own.errors)), hint === undefined ? {} : { changed: hint });
      if (!isEmpty(d)) this.deliver(m, encode(pushMessage(d)), park);
    }
    return diff;
  }

  private deliver(m: Member, frame: EncodedFrame, park: boolean): void {
    if (park) this.postman.park(m, frame, this.dropMember);
    else this.postman.send(m, frame, this.dropMember);
  }

  /**
   * Adds a member (or re-syncs an existing one) and returns the full tree it must receive.
   * Call inside `run`.
   */
  fullTreeFor(member: Member): WireTree {
    // A full render (connect, navigation) starts without errors, in lock-step.
    this.apart.delete(member);
    if (this.asleep) {
      // The others get the woken lead's full tree, and so does this member: it is the same state.
      const full = this.wake(member, false);
      this.members.add(member);
      return full;
    }
    const data = this.data(this.stores, this.lvt(undefined));
    let full: WireTree;
    const inStep = this.members.size - this.apart.size - (this.members.has(member) ? 1 : 0);
    if (this.lead === undefined || inStep === 0) {
      // Members showing errors keep their own views: bring them up to date first.
      if (this.apart.size > 0) this.render(this.takeHint(), member, false);
      // Nobody else to keep in step: restart the lead from this full render.
      this.lead = this.view.clone();
      this.pending = NO_CHANGES;
      full = this.lead.executeUpdates(data);
    } else {
      this.members.delete(member);
      this.pushUpdate();
      full = this.view.clone().executeUpdates(data);
    }
    this.members.add(member);
    return full;
  }

  /** Removes a member; the lead is dropped with the last one. */
  removeMember(member: Member): void {
    this.members.delete(member);
    this.apart.delete(member);
    if (this.members.size === this.apart.size) this.lead = undefined;
    if (this.members.size === 0) this.asleep = false;
  }

  /** Full tree for a JSON GET (or a POST that cannot be diffed), restarting the HTTP render cache. Call inside `run`. */
  httpFullTree(errors?: Record<string, string>, uploads?: UploadsView): HttpTree {
    const view = this.view.clone();
    this.http = undefined;
    const tree = view.executeUpdates(this.data(this.stores, this.lvt(errors, uploads)));
    const id = this.nextRenderId();
    this.http = { view, id, stores: this.stores };
    return { tree, render: id };
  }

  /**
   * The tree for a JSON POST, showing the request's `errors`: a diff against the HTTP render cache
   * when the client holds exactly that render, else a full tree. `base` is the render id the
   * client says it holds ("" for none); a client that sends none (`undefined`, the published
   * client) gets a diff only while this group's state has not been replaced from the session store
   * since the cache was rendered (another instance may have answered that client meanwhile).
   * Call inside `run`.
   */
  httpDiff(errors: Record<string, string> | undefined, base: string | undefined, uploads?: UploadsView): HttpTree {
    const http = this.http;
    const usable = http !== undefined && (base === undefined ? http.stores === this.stores : base === http.id);
    if (!usable) return this.httpFullTree(errors, uploads);
    // Until the render succeeds the cache's view is in an unknown state: no diff against it then.
    this.http = undefined;
    const tree = http.view.executeUpdates(this.data(this.stores, this.lvt(errors, uploads)));
    http.id = this.nextRenderId();
    http.stores = this.stores;
    this.http = http;
    return { tree, render: http.id };
  }

  /**
   * The whole page, showing `errors` (a failed form post's) and, when given, the uploads of the
   * form post instead of the group's. Call inside `run`.
   */
  page(options: { wrapperId: string; loading: boolean }, errors?: Record<string, string>, uploads?: UploadsView): string {
    return this.view.executeToHTML(this.data(this.stores, this.lvt(errors, uploads)), options);
  }

  private nextRenderId(): string {
    this.renderPrefix ??= randomBytes(9).toString("base64url");
    return `${this.renderPrefix}.${++this.renders}`;
  }

  /** A task of the queue ended; the queue forgets it when it was the last. */
  private settle(): void {
    if (--this.queued === 0) this.queue = IDLE;
  }

  private dropFn: ((member: Member) => void) | undefined;

  /** What a failed write calls: made on first use, as most groups never deliver a frame. */
  private get dropMember(): (member: Member) => void {
    return (this.dropFn ??= (member: Member): void => this.removeMember(member));
  }

  /** `.lvt` for this group: `errors`, the group's flash messages, async work and uploads (or a request's). */
  private lvt(errors: Readonly<Record<string, string>> | undefined, uploads?: UploadsView): LvtData {
    return plainLvt(errors, flashes.view(this.id), asyncView(this), uploads ?? uploadView(this));
  }
}
