/**
 * The session engine: the one entry point, {@link SessionEngine.dispatch}, through which every
 * event reaches a session group (see `events.ts`). For each event it takes the group's queue,
 * runs store code (tracked, with rollback), renders, and replies with typed protocol messages;
 * broadcasts and other instances' notices come in the same way. It knows no socket: live
 * connections are {@link Member}s a transport implements, HTTP requests get their reply as the
 * resolved value.
 */
import { randomBytes } from "node:crypto";
import type { TrackingMode } from "../changes/tracking.js";
import {
  actionReply,
  errorMessage,
  failedReply,
  firstMessage,
  type ServerMessage,
} from "../protocol/messages.js";
import { RESYNC_CHANNEL, type BroadcastBus, type BroadcastMessage, type BroadcastTarget } from "../server/broadcast-bus.js";
import { ConnectionRegistry } from "../server/connection-registry.js";
import type { SessionStore } from "../server/session-store.js";
import type { BroadcastUpdate, Origin, Reply, SessionEvent } from "./events.js";
import { pickFormAction } from "./form-action.js";
import { encode, type EncodedFrame, type Member } from "./frame.js";
import type { Postman, SessionGroup } from "./group.js";
import { GroupTable } from "./groups.js";
import { Outbox } from "./outbox.js";
import { httpActionReply, httpFirstReply, Replies } from "./replies.js";
import { StoreCode, type Caller } from "./store-code.js";
import type { StoreSet } from "./store-set.js";
import type { Broadcaster, ConnectContext, LiveView, Logger, MaybePromise } from "./types.js";

/** What an engine is built from (the handler resolves these from its options). */
export interface EngineOptions {
  readonly view: LiveView;
  readonly stores: StoreSet;
  readonly sessions: SessionStore;
  readonly tracking: TrackingMode;
  /** Unexpected errors are sent to the client with their message. */
  readonly dev: boolean;
  readonly logger: Logger;
  /** Announced in the first render's `meta.capabilities`. */
  readonly capabilities: readonly string[];
  /** The wrapper of full pages. */
  readonly page: { readonly wrapperId: string; readonly loading: boolean };
  /** Cross-instance notices; none for a single instance. */
  readonly bus: BroadcastBus | undefined;
  readonly channel: string;
}

const NONE: Reply = { kind: "none" };
const DONE: Reply = { kind: "done" };

export class SessionEngine<M extends Member = Member> {
  /** Live connections by group and by user. */
  readonly registry = new ConnectionRegistry<M>();
  private readonly outbox = new Outbox();
  private readonly groups: GroupTable;
  private readonly code: StoreCode;
  private readonly replies: Replies;
  private readonly instanceId = randomBytes(8).toString("hex");
  private unsubscribe: Promise<() => MaybePromise<void>> | undefined;
  private closing = false;

  constructor(private readonly o: EngineOptions) {
    const postman: Postman = {
      send: (member, frame, drop) => this.send(member, frame, drop),
      park: (member, frame, drop) => this.outbox.add(member, frame, drop),
    };
    this.groups = new GroupTable(o.view, o.stores, o.sessions, postman, o.logger);
    this.code = new StoreCode(o.stores, this.groups, o.tracking, o.dev, o.logger);
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
    if (o.bus !== undefined) {
      this.unsubscribe = Promise.resolve(o.bus.subscribe((m) => this.onBusMessage(m)));
      this.unsubscribe.catch((err: unknown) => o.logger.error("broadcast bus subscribe failed", err));
    }
  }

  /**
   * Delivers one event to one session group and resolves with the reply for its origin. Events
   * of one group run one at a time, in arrival order (the group's queue); a live origin's reply
   * is written to it inside that queue, so it never overtakes or trails another frame.
   */
  async dispatch(groupId: string, event: SessionEvent, origin: Origin): Promise<Reply> {
    const live = origin.kind === "live" ? (origin.member as M) : undefined;
    // Registration is synchronous, so connection limits and broadcasts see a connection at once.
    if (event.kind === "connect" && live !== undefined) this.registry.register(live);
    if (event.kind === "disconnect" && live !== undefined) this.registry.unregister(live);
    switch (event.kind) {
      case "load":
      case "navigate":
        return this.load(await this.groups.get(groupId), event.query, origin);
      case "connect":
        return this.connect(await this.groups.get(groupId), event.query, event.context, live);
      case "action": {
        const g = await this.groups.get(groupId);
        return this.replies.action(g, event, origin, () => this.action(g, event.action, event.data, event.submitter, origin));
      }
      case "form":
        return this.replies.checked(await this.form(await this.groups.get(groupId), event.fields, origin));
      case "disconnect":
        return this.disconnect(await this.groups.get(groupId), event.context, live);
      case "send":
        return this.sendNow(await this.groups.get(groupId));
      case "broadcast":
        return this.broadcastOne(groupId, event.update);
      case "remote":
        return this.remote(groupId);
      case "resync":
        return this.resync(groupId);
      default: {
        const never: never = event;
        return never;
      }
    }
  }

  // ------------------------------------------------------------------ events

  private load(g: SessionGroup, query: Readonly<Record<string, string>>, origin: Origin): Promise<Reply> {
    return g.run(async () => {
      if (origin.kind === "live" && origin.member.closed) return NONE;
      await this.groups.refresh(g);
      await this.code.mount(g, query, callerOf(origin));
      if (origin.kind === "request" && origin.reply === "page") return { kind: "page", status: 200, html: g.page(this.o.page) };
      if (origin.kind === "live") return this.reply(g, origin.member, firstMessage(g.fullTreeFor(origin.member), this.o.capabilities));
      return httpFirstReply(g, this.o.capabilities);
    });
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
      await this.code.mount(g, query, { userId: member.userId, connectionId: member.id });
      await this.code.hook(g, { name: "onConnect", context, broadcaster });
      return this.reply(g, member, firstMessage(g.fullTreeFor(member), this.o.capabilities));
    });
  }

  private async action(
    g: SessionGroup,
    action: string,
    data: Record<string, unknown>,
    submitter: string | undefined,
    origin: Origin,
  ): Promise<Reply> {
    if (origin.kind === "server") throw new TypeError("actions come from a client");
    let known = true;
    const unknown = (): ServerMessage => {
      known = false;
      return errorMessage("LT_ERR_PROTOCOL_UNKNOWN_ACTION", `no store handles action "${action}"`);
    };
    let reply: Reply;
    if (origin.kind === "live") {
      const member = origin.member;
      try {
        reply = await g.run(async () => {
          if (member.closed) return NONE;
          const errors = await this.code.action(g, action, data, submitter, { userId: member.userId, connectionId: member.id });
          if (errors === undefined) return this.reply(g, member, unknown());
          return this.reply(g, member, actionReply(g.replyTo(member, errors), action, errors));
        });
      } catch (err) {
        // Typically a render that threw (a template error on the new state): the client's tree is
        // unchanged, so tell it the action did not go through instead of leaving it waiting.
        this.o.logger.error(`message handling failed on ${member.id}`, err);
        const detail = this.o.dev && err instanceof Error ? `: ${err.message}` : "";
        return this.reply(g, member, failedReply(action, `the update could not be rendered${detail}`));
      }
    } else {
      const json = origin.reply === "json";
      reply = await g.run(async (): Promise<Reply> => {
        await this.groups.refresh(g);
        const errors = await this.code.action(g, action, data, submitter, { userId: origin.userId, connectionId: undefined });
        if (errors === undefined) return messageReply(unknown());
        g.pushUpdate();
        // The request's own errors show only in its own reply (`.lvt.Errors`).
        if (json) return httpActionReply(g, origin, action, errors);
        if (isEmpty(errors)) return DONE;
        return { kind: "page", status: 422, html: g.page(this.o.page, errors) };
      });
    }
    if (known) this.publish({ kind: "group", id: g.id });
    return reply;
  }

  private async form(g: SessionGroup, fields: Record<string, unknown>, origin: Origin): Promise<Reply> {
    const picked = pickFormAction(g.stores, fields);
    if (picked === undefined) {
      return messageReply(
        errorMessage("LT_ERR_PROTOCOL_UNKNOWN_ACTION", "no action: add an lvt-action field or name the submit button after an action"),
      );
    }
    return this.action(g, picked.action, picked.data, picked.submitter, origin);
  }

  private async disconnect(g: SessionGroup, context: ConnectContext, member: M | undefined): Promise<Reply> {
    if (member === undefined) throw new TypeError("disconnect needs a live origin");
    await g.run(async () => {
      g.removeMember(member);
      if (await this.code.hook(g, { name: "onDisconnect", context })) g.pushUpdate();
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

  /** One group's part of a broadcast; its frames wait in the outbox (see {@link broadcast}). */
  private async broadcastOne(groupId: string, update: BroadcastUpdate | undefined): Promise<Reply> {
    const g = this.groups.peek(groupId);
    if (g === undefined) return NONE;
    await g.run(async () => {
      if (update !== undefined) {
        await this.code.update(g, (data) => update(data, { groupId }));
      } else {
        // Without a function the point is to show state changed elsewhere (shared objects,
        // external data): nothing was journaled, so render unhinted.
        g.noteChanged(undefined);
        // A shared store may hold newer state (changed by another instance): render that.
        if (this.groups.shared) await this.groups.commit(g, () => Promise.resolve({ value: undefined, save: false }));
      }
      g.pushUpdate(undefined, true);
    });
    return NONE;
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

  // ------------------------------------------------------------------ broadcasting

  /**
   * Re-renders every targeted group (after running `update` on it) and pushes the diffs. Every
   * group renders first and the frames are written afterwards in one loop (see `Outbox`).
   */
  async broadcast(target: BroadcastTarget, update?: BroadcastUpdate): Promise<void> {
    const ids = this.targetGroups(target);
    await Promise.all(ids.map((id) => this.dispatch(id, { kind: "broadcast", update }, { kind: "server" })));
    this.outbox.flush();
    this.publish(target);
  }

  private targetGroups(target: BroadcastTarget): string[] {
    switch (target.kind) {
      case "all":
        return this.registry.groupIds();
      case "users":
        return [...this.registry.groupsOfUsers(target.ids)];
      case "group":
        return this.registry.getByGroup(target.id).size > 0 ? [target.id] : [];
      default: {
        const never: never = target;
        return never;
      }
    }
  }

  private publish(target: BroadcastTarget): void {
    const bus = this.o.bus;
    if (bus === undefined) return;
    const message: BroadcastMessage = { source: this.instanceId, channel: this.o.channel, target };
    Promise.resolve()
      .then(() => bus.publish(message))
      .catch((err: unknown) => this.o.logger.error("broadcast bus publish failed", err));
  }

  private onBusMessage(message: BroadcastMessage): void {
    if (message.source === this.instanceId || this.closing) return;
    if (message.channel !== this.o.channel && message.channel !== RESYNC_CHANNEL) return;
    for (const id of this.targetGroups(message.target)) {
      this.dispatch(id, { kind: "remote" }, { kind: "server" }).catch((err: unknown) =>
        this.o.logger.error("applying a remote broadcast failed", err),
      );
    }
  }

  // ------------------------------------------------------------------ writing

  /** Writes a frame to a member after whatever a broadcast parked, keeping per-member order. */
  private send(member: Member, frame: EncodedFrame, drop: (member: Member) => void): void {
    if (this.outbox.size > 0) this.outbox.flush();
    if (!member.deliver(frame)) drop(member);
  }

  /** Sends a live origin its reply (inside the group's task) and returns it as the reply too. */
  private reply(g: SessionGroup, member: Member, message: ServerMessage): Reply {
    this.send(member, encode(message), (m) => g.removeMember(m));
    return messageReply(message);
  }

  // ------------------------------------------------------------------ lifetime

  /** Forgets groups that have been idle for a while (the handler calls it every minute). */
  evictIdle(): void {
    this.groups.evictIdle();
  }

  /** Stops taking bus notices, waits for every group's queued work, unsubscribes from the bus. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await Promise.all([...this.groups.all()].map((g) => g.run(() => undefined)));
    if (this.unsubscribe !== undefined) {
      try {
        await (await this.unsubscribe)();
      } catch (err) {
        this.o.logger.error("broadcast bus unsubscribe failed", err);
      }
    }
  }
}

function callerOf(origin: Origin): Caller {
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

function messageReply(message: ServerMessage): Reply {
  return { kind: "message", message };
}

function isEmpty(errors: Record<string, string>): boolean {
  for (const _ in errors) return false;
  return true;
}
