/**
 * The session engine: the one entry point, {@link SessionEngine.dispatch}, through which every
 * event reaches a session group (see `events.ts`). For each event it takes the group's queue,
 * runs store code (tracked, with rollback), renders, and replies with typed protocol messages;
 * broadcasts and other instances' notices come in the same way. It knows no socket: live
 * connections are {@link Member}s a transport implements, HTTP requests get their reply as the
 * resolved value.
 */
import { actionReply, errorMessage, failedReply, isEmpty } from "../protocol/messages.js";
import type { ServerMessage, TreeMessage, WireTree } from "../protocol/messages.js";
import { ERROR_GENERAL } from "../protocol/wire.js";
import type { BroadcastTarget } from "../server/broadcast-bus.js";
import { ConnectionRegistry } from "../server/connection-registry.js";
import type { BroadcastUpdate, Origin, Reply, SessionEvent } from "./events.js";
import { pickFormAction } from "./form-action.js";
import { encode, type Member } from "./frame.js";
import type { HttpTree, SessionGroup } from "./group.js";
import { BusLink, targetGroupIds } from "./bus-link.js";
import { Delivery } from "./delivery.js";
import { flashes } from "./flash.js";
import { GroupTable, NO_SESSIONS } from "./groups.js";
import { after } from "./maybe.js";
import { mountRun, navigateWithDiff, navigationReply } from "./mount-run.js";
import { Navigation } from "./navigation.js";
import { failureText, httpFirstReply, liveFirstMessage, messageReply, Replies } from "./replies.js";
import { callerOf, StoreCode } from "./store-code.js";
import type { Broadcaster, ConnectContext, MaybePromise } from "./types.js";
import { withDev } from "./dev-detail.js";
import { AsyncRunner } from "./async-runs.js";
import { TopicHub } from "../topics/hub.js";
import { runTopicBatch } from "./topic-claims.js";
import type { TopicDelivery } from "../topics/types.js";
import type { TopicWire } from "../topics/wire.js";
import type { EngineOptions } from "./engine-options.js";
import { UploadEvents } from "./upload-events.js";
import { rotateGroup } from "./rotate.js";
import type { UploadSet } from "../uploads/upload-set.js";

export type { EngineOptions } from "./engine-options.js";

const NONE: Reply = { kind: "none" };
/** Most visitor groups (page views without a session) held at once. */
const MAX_VISITORS = 1000;
const DONE: Reply = { kind: "done" };

export class SessionEngine<M extends Member = Member> {
  /** Live connections by group and by user. */
  readonly registry = new ConnectionRegistry<M>();
  private readonly delivery = new Delivery((bytes) => this.o.observer?.bytes(bytes));
  private readonly groups: GroupTable;
  private readonly code: StoreCode;
  /**
   * Groups of visitors who only viewed a page: never saved, at most {@link MAX_VISITORS}, least
   * recently used dropped first; a visitor's first action or connection moves its group to `groups`.
   */
  private readonly visitors: GroupTable;
  private readonly visitorCode: StoreCode;
  private readonly bus: BusLink;
  /** Topic subscriptions, publishing and presence (`ctx.subscribe`, `handler.publish`...). */
  readonly topics: TopicHub;
  private readonly replies: Replies;
  private readonly async: AsyncRunner;
  /** Upload messages, when the handler has uploads configured (`session/upload-events.ts`). */
  private readonly uploads: UploadEvents | undefined;
  private closing = false;

  constructor(private readonly o: EngineOptions) {
    this.bus = new BusLink(o.bus, o.channel, o.logger, (target) => this.onNotice(target), () => this.topics);
    const send = this.bus.connected ? (p: TopicWire) => this.bus.publishTopic(p) : undefined;
    const deliver = (id: string, deliveries: readonly TopicDelivery[]) => this.dispatch(id, { kind: "topic", deliveries }, { kind: "server" });
    this.topics = new TopicHub(this.bus.source, o.topics ?? {}, { deliver, send, logger: o.logger });
    this.groups = new GroupTable(o.view, o.stores, o.sessions, this.delivery, o.logger, o.maxGroups, o.hibernate);
    this.async = new AsyncRunner((g, e) => this.dispatch(g.id, e, { kind: "server" }), this.delivery, o.logger, o.dev);
    this.code = new StoreCode(o.stores, this.groups, o.tracking, o.dev, o.logger, this.topics, this.async, o.uploads);
    this.uploads = o.uploads?.configured !== true ? undefined : new UploadEvents(o.uploads, {
      group: (id) => this.group(id),
      peek: (id) => this.groups.peek(id),
      reply: (g, m, message) => this.reply(g, m, message),
      write: (g, m, message) => this.delivery.write(m, encode(message), (x) => g.removeMember(x)),
      routes: (g, action) => o.stores.route(g.stores, action) !== undefined,
      action: (g, action, origin, scope) => this.action(g, action, {}, undefined, origin, scope),
    }, o.logger);
    this.visitors = new GroupTable(o.view, o.stores, NO_SESSIONS, this.delivery, o.logger, MAX_VISITORS);
    this.visitorCode = new StoreCode(o.stores, this.visitors, o.tracking, o.dev, o.logger, this.topics);
    this.replies = new Replies(o.logger, { reply: (g, m, message) => this.reply(g, m, message), refresh: (g) => this.groups.refresh(g) });
    o.sessions.bind?.({
      names: o.stores.names,
      createStores: () => o.stores.create(),
      resync: async (id) => {
        const held = this.groups.peek(id) !== undefined && this.groups.shared && !this.closing;
        await this.dispatch(id, { kind: "resync" }, { kind: "server" });
        return held;
      },
    });
  }

  /**
   * Delivers one event to one session group and resolves with the reply for its origin. Events
   * of one group run one at a time, in arrival order (the group's queue); a live origin's reply
   * is written to it inside that queue, so it never overtakes or trails another frame.
   */
  async dispatch(groupId: string, event: SessionEvent, origin: Origin): Promise<Reply> {
    const live = origin.kind === "live" ? (origin.member as M) : undefined;
    // Registration is synchronous, so connection limits and broadcasts see a connection at once.
    if (event.kind === "connect" && live !== undefined) {
      this.registry.register(live);
      this.topics.connectionOpened(live.id);
    }
    if (event.kind === "disconnect" && live !== undefined) this.topics.connectionClosed(live.id, live.groupId, this.registry.unregister(live));
    switch (event.kind) {
      case "load":
        if (origin.kind === "request") {
          // A page view by a browser without a session starts none: it renders a visitor group
          // that is kept in a small table and saved only when the visitor acts or connects.
          const g = await this.groups.existing(groupId);
          const page = origin.reply === "page";
          if (g === undefined) return this.load(await this.visitors.get(groupId), event.query, origin, this.visitorCode, page);
          return this.load(g, event.query, origin, this.code, page);
        }
        return this.load(await this.group(groupId), event.query, origin, this.code, false);
      case "navigate":
        if (live !== undefined && event.diff === true) {
          return navigateWithDiff(this.code, await this.group(groupId), event.query, live, (g, m) => this.reply(g, live, m));
        }
        return this.load(await this.group(groupId), event.query, origin, this.code, true);
      case "connect":
        return this.connect(await this.group(groupId), event.query, event.context, live);
      case "action": {
        const started = performance.now();
        const g = await this.group(groupId);
        const r = await this.replies.action(g, event, origin, () => this.action(g, event.action, event.data, event.submitter, origin));
        this.o.observer?.action(event.action, groupId, (performance.now() - started) * 1000, r);
        return r;
      }
      case "form": {
        const started = performance.now();
        const r = this.replies.checked(await this.form(await this.group(groupId), event.fields, origin, event.uploads));
        this.o.observer?.action("(form)", groupId, (performance.now() - started) * 1000, r);
        return r;
      }
      case "upload":
        return this.uploads === undefined ? messageReply(errorMessage("LT_ERR_UPLOAD_UNKNOWN", "this page has no uploads")) : this.uploads.handle(groupId, event.message, origin);
      case "disconnect":
        return this.disconnect(await this.group(groupId), event.context, live);
      case "send":
        return this.sendNow(await this.group(groupId));
      case "broadcast":
        return this.broadcastOne(groupId, event.update);
      case "remote":
        return this.remote(groupId);
      case "resync":
        return this.resync(groupId);
      case "rotate":
        return rotateGroup(await this.group(groupId), event.to, { groups: this.groups, topics: this.topics, registry: this.registry }).then(() => NONE);
      case "async":
        return this.async.settle(this.groups.peek(groupId), event, this.code);
      case "topic":
        return this.topic(this.groups.peek(groupId), groupId, event.deliveries);
      default: {
        const never: never = event;
        return never;
      }
    }
  }

  // ------------------------------------------------------------------ events

  /** A full render after `mount`; `pageChange`: the browser shows another page (flash messages age). */
  private load(g: SessionGroup, query: Readonly<Record<string, string>>, origin: Origin, code: StoreCode, pageChange: boolean): Promise<Reply> {
    return g.run(async () => {
      if (origin.kind === "live" && origin.member.closed) return NONE;
      if (code === this.code) await this.groups.refresh(g);
      const nav = await mountRun(code, g, query, callerOf(origin), pageChange);
      // A page whose mount sends the browser elsewhere is answered with a redirect to there.
      if (origin.kind === "request" && origin.reply === "page") {
        return nav.intent !== undefined ? { kind: "done", location: nav.intent.to } : { kind: "page", status: 200, html: g.page(this.o.page) };
      }
      if (origin.kind === "live") return this.reply(g, origin.member, navigationReply(liveFirstMessage(g, origin.member, this.o.capabilities), nav, origin));
      return httpFirstReply(g, this.o.capabilities, nav.meta());
    });
  }

  /** The group, made a real (saved) one first if it was a visitor's. */
  private group(groupId: string): Promise<SessionGroup> {
    const visitor = this.visitors.take(groupId);
    return visitor === undefined ? this.groups.get(groupId) : this.groups.promote(visitor);
  }

  private connect(g: SessionGroup, query: Readonly<Record<string, string>>, context: ConnectContext, member: M | undefined): Promise<Reply> {
    if (member === undefined) throw new TypeError("connect needs a live origin");
    const broadcaster: Broadcaster = {
      send: () => this.dispatch(g.id, { kind: "send" }, { kind: "server" }).then(() => undefined),
      get closed() {
        return member.closed;
      },
    };
    return g.run(async () => {
      if (member.closed) return NONE;
      await this.groups.refresh(g);
      const nav = await mountRun(this.code, g, query, { userId: member.userId, connectionId: member.id }, false);
      await this.code.hook(g, { name: "onConnect", context, broadcaster, nav });
      return this.reply(g, member, navigationReply(liveFirstMessage(g, member, this.o.capabilities), nav, { kind: "live", member }));
    });
  }

  /**
   * An action is one transaction: change, render, save (see `StoreCode.action`). Frames for the
   * group's other members wait until the save is done, so no tab shows a state that was not
   * saved, and the sender's `success: true` means saved. A render that throws or a save that
   * fails rolls the change back: the sender gets `_general`, views that rendered the failed state
   * are brought back by a render of the restored state, and the group keeps working.
   */
  private async action(
    g: SessionGroup,
    action: string,
    data: Record<string, unknown>,
    submitter: string | undefined,
    origin: Origin,
    /** A form post's files (`ctx.uploads` and `.lvt.Uploads` of its reply read them). */
    scope?: UploadSet,
  ): Promise<Reply> {
    if (origin.kind === "server") throw new TypeError("actions come from a client");
    const unknown = (): ServerMessage => errorMessage("LT_ERR_PROTOCOL_UNKNOWN_ACTION", `no store handles action "${action}"`);
    let saved = false;
    let reply: Reply;
    const nav = new Navigation(() => g.id);
    if (origin.kind === "live") {
      const member = origin.member;
      const who = { userId: member.userId, connectionId: member.id };
      try {
        reply = await g.run(async () => {
          if (member.closed) return NONE;
          // What the sender was last handed by a run of the action (a re-run renders again, from there).
          let shown: WireTree | undefined;
          const outcome = await this.delivery.holding(g.id, async () => {
            const o = await this.code.action(g, action, data, submitter, who, (errors) => {
              if (shown !== undefined) this.delivery.forward(member, shown, (m) => g.removeMember(m));
              shown = g.replyTo(member, errors);
              return shown;
            }, nav, scope);
            if (o.kind === "failed") {
              if (shown !== undefined && o.rendered !== undefined) this.delivery.forward(member, shown, (m) => g.removeMember(m));
              this.restore(g);
            }
            return o;
          });
          switch (outcome.kind) {
            case "unknown":
              return this.reply(g, member, unknown());
            case "done":
              saved = isEmpty(outcome.errors);
              flashes.settle(g.id, saved && nav.leaves);
              return this.reply(
                g,
                member,
                navigationReply(this.dev(actionReply(outcome.rendered, action, outcome.errors), "action", outcome.thrown, origin), saved ? nav : undefined, origin),
              );
            case "failed":
              return this.reply(g, member, this.dev(failedReply(action, failureText(outcome, this.o.dev)), outcome.reason, outcome.cause, origin));
            default: {
              const never: never = outcome;
              return never;
            }
          }
        });
      } catch (err) {
        // Unexpected (the restored state cannot be rendered either): the client's tree is
        // unchanged, so tell it the action did not go through instead of leaving it waiting.
        this.o.logger.error(`message handling failed on ${member.id}`, err);
        const detail = this.o.dev && err instanceof Error ? `: ${err.message}` : "";
        return this.reply(g, member, failedReply(action, `the update could not be rendered${detail}`));
      }
    } else {
      const json = origin.reply === "json";
      const who = { userId: origin.userId, connectionId: undefined };
      reply = await g.run(async (): Promise<Reply> => {
        await this.groups.refresh(g);
        let runs = 0;
        const outcome = await this.delivery.holding(g.id, async () => {
          const o = await this.code.action(g, action, data, submitter, who, (errors): object | string | undefined => {
            runs++;
            g.pushUpdate();
            // The request's own errors show only in its own reply (`.lvt.Errors`). A re-run's
            // diff would start from a tree the client never got: send the whole tree then.
            if (json) return runs === 1 ? g.httpDiff(errors, origin.render, scope) : g.httpFullTree(errors, scope);
            // A post whose files had errors is answered with the page showing them, not a redirect.
            if (!isEmpty(errors) || scope?.hasErrors === true) return g.page(this.o.page, errors, scope);
            // The browser is sent back to the page: make sure it renders before it is saved.
            if (g.members.size === 0) g.page(this.o.page);
            return undefined;
          }, nav, scope);
          if (o.kind === "failed") this.restore(g);
          return o;
        });
        switch (outcome.kind) {
          case "unknown":
            return messageReply(unknown());
          case "done":
            saved = isEmpty(outcome.errors);
            // A no-JS post that succeeded always ends in a 303, so its flash is for the next page.
            flashes.settle(g.id, saved && (nav.leaves || !json));
            if (json) {
              const h = outcome.rendered as HttpTree;
              return {
                kind: "message",
                message: navigationReply(this.dev(actionReply(h.tree, action, outcome.errors), "action", outcome.thrown, origin), saved ? nav : undefined, origin),
                render: h.render,
              };
            }
            if (saved && scope?.hasErrors !== true) return nav.intent === undefined ? DONE : { kind: "done", location: nav.intent.to };
            return { kind: "page", status: 422, html: outcome.rendered as string };
          case "failed": {
            const errors = { [ERROR_GENERAL]: failureText(outcome, this.o.dev) };
            if (json) {
              const h = g.httpFullTree(errors, scope);
              return { kind: "message", message: this.dev(actionReply(h.tree, action, errors), outcome.reason, outcome.cause, origin), render: h.render };
            }
            return { kind: "page", status: 422, html: g.page(this.o.page, errors, scope) };
          }
          default: {
            const never: never = outcome;
            return never;
          }
        }
      });
    }
    if (saved) this.publish({ kind: "group", id: g.id });
    return reply;
  }

  /** In dev mode, for a live member or a request that asked for them, `message` with the details of `err` (`meta.dev`). */
  private dev(message: TreeMessage, kind: "action" | "render" | "save", err: unknown, origin: Origin): TreeMessage {
    const asked = origin.kind === "live" ? (this.o.wantsDevDetails?.(origin.member) ?? false) : origin.kind === "request" && origin.devDetails === true;
    return this.o.dev && asked ? withDev(message, kind, err, this.o.sourceLines) : message;
  }

  /** After a rollback: renders the restored state, so every view that went past it comes back. */
  private restore(g: SessionGroup): void {
    g.noteChanged(undefined);
    g.pushUpdate();
  }

  private async form(g: SessionGroup, fields: Record<string, unknown>, origin: Origin, scope: UploadSet | undefined): Promise<Reply> {
    const picked = pickFormAction(g.stores, fields);
    if (picked === undefined) {
      return messageReply(
        errorMessage("LT_ERR_PROTOCOL_UNKNOWN_ACTION", "no action: add an lvt-action field or name the submit button after an action"),
      );
    }
    return this.action(g, picked.action, picked.data, picked.submitter, origin, scope);
  }

  private async disconnect(g: SessionGroup, context: ConnectContext, member: M | undefined): Promise<Reply> {
    if (member === undefined) throw new TypeError("disconnect needs a live origin");
    await g.run(async () => {
      g.removeMember(member);
      const uploadsGone = this.uploads?.closed(g, member) === true;
      if ((await this.code.hook(g, { name: "onDisconnect", context })) || uploadsGone) g.pushUpdate();
    });
    this.publish({ kind: "group", id: g.id });
    return NONE;
  }

  /** `broadcaster.send()`: store code changed state outside an action. */
  private async sendNow(g: SessionGroup): Promise<Reply> {
    if (g.inStoreCode) {
      // Called by store code running in the group's own task (an onConnect hook, an action):
      // queueing would wait for that task, which may be awaiting this very call. Render now;
      // the task saves the stores when it ends, and other instances hear of it after that.
      g.noteChanged(undefined);
      g.pushUpdate();
      g.run(() => this.publish({ kind: "group", id: g.id })).catch(() => {});
      return NONE;
    }
    await g.run(async () => {
      g.noteChanged(undefined);
      this.groups.adopt(g, await this.groups.saveMade(g.id, g.stores, "broadcaster.send()"));
      g.pushUpdate();
    });
    this.publish({ kind: "group", id: g.id });
    return NONE;
  }

  /** One group's part of a broadcast, frames parked in the outbox; synchronous when all of it can be. */
  private broadcastOne(groupId: string, update: BroadcastUpdate | undefined): MaybePromise<Reply> {
    const g = this.groups.peek(groupId);
    if (g === undefined) return NONE;
    if (update !== undefined) {
      // Rendered inside the update's transaction: a state that cannot be rendered is rolled back.
      return after(g.runNow(() => this.code.update(g, (data) => update(data, { groupId }), () => g.pushUpdate(undefined, true))), () => NONE);
    }
    return g.run(async () => {
      // Without a function the point is to show state changed elsewhere (shared objects,
      // external data): nothing was journaled, so render unhinted.
      g.noteChanged(undefined);
      // A shared store may hold newer state (changed by another instance): render that.
      if (this.groups.shared) await this.groups.commit(g, () => ({ value: undefined, save: false }));
      g.pushUpdate(undefined, true);
      return NONE;
    });
  }

  private async remote(groupId: string): Promise<Reply> {
    const g = this.groups.peek(groupId);
    if (g === undefined) return NONE;
    if (this.groups.shared) return this.resync(groupId);
    await g.run(async () => {
      await this.groups.reload(g);
      g.noteChanged(undefined);
      g.pushUpdate();
    });
    return NONE;
  }

  /**
   * Brings a group held in memory in line with a shared session store (see
   * `SessionStoreBinding.resync`) and re-renders it; tells other instances when it saved.
   */
  private async resync(groupId: string): Promise<Reply> {
    const g = this.groups.peek(groupId);
    if (g === undefined || !this.groups.shared || this.closing) return NONE;
    const saved = await g.run(async () => {
      const s = await this.groups.sync(g);
      g.pushUpdate();
      return s;
    });
    if (saved) this.publish({ kind: "group", id: groupId });
    return NONE;
  }

  /** Runs a batch of topic deliveries in the group's queue and renders once. */
  private async topic(g: SessionGroup | undefined, groupId: string, deliveries: readonly TopicDelivery[]): Promise<Reply> {
    if (g === undefined) return this.topics.groupGone(groupId), NONE;
    const store = this.groups.shared ? this.o.sessions : undefined;
    const ran = await runTopicBatch(g, deliveries, store, this.o.logger, (mine) => this.code.deliver(g, mine, this.topics.context(groupId), () => g.pushUpdate()));
    if (ran && store !== undefined) this.publish({ kind: "group", id: g.id }); // the instances that skipped it load it
    return NONE;
  }

  // ------------------------------------------------------------------ broadcasting

  /**
   * Re-renders every targeted group (after running `update` on it) and pushes the diffs. Every
   * group renders first and the frames are written afterwards in one loop (see `Outbox`).
   */
  async broadcast(target: BroadcastTarget, update?: BroadcastUpdate): Promise<void> {
    const ids = targetGroupIds(this.registry, target);
    await Promise.all(ids.map((id) => this.dispatch(id, { kind: "broadcast", update }, { kind: "server" })));
    this.delivery.flush();
    this.publish(target);
  }

  private publish(target: BroadcastTarget): void {
    this.bus.publish(target);
  }

  /** Another instance changed `target`: re-render what this instance holds of it. */
  private onNotice(target: BroadcastTarget): void {
    if (this.closing) return;
    for (const id of targetGroupIds(this.registry, target)) {
      this.dispatch(id, { kind: "remote" }, { kind: "server" }).catch((err: unknown) =>
        this.o.logger.error("applying a remote broadcast failed", err),
      );
    }
  }

  /** Sends a live origin its reply (inside the group's task) and returns it as the reply too. */
  private reply(g: SessionGroup, member: Member, message: ServerMessage): Reply {
    const frame = encode(message);
    this.delivery.write(member, frame, (m) => g.removeMember(m));
    return messageReply(message, frame.length);
  }

  /** What store code of a group held in memory sees (a broadcast update's `data`). */
  stateOf(groupId: string): unknown {
    const g = this.groups.peek(groupId);
    return g === undefined ? undefined : this.o.stores.data(g.stores);
  }

  /** Number of session groups held in memory. */
  get groupCount(): number {
    return this.groups.size;
  }

  /** Forgets idle groups, and hibernates connected ones with the `hibernate` option (the handler calls it periodically). */
  evictIdle(): void {
    this.groups.evictIdle();
  }

  /** Stops taking bus notices, waits for every group's queued work, unsubscribes from the bus. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.async.forget(this.groups.all());
    await Promise.all([...this.groups.all()].map((g) => g.run(() => undefined)));
    this.topics.close();
    await this.uploads?.close();
    await this.bus.close();
  }
}
