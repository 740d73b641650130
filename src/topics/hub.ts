/**
 * The topics and presence of one handler: subscriptions, publishing, the presence table, the
 * batching that turns many messages and presence changes in one tick into one delivery per
 * group, and the conversation with other instances over the broadcast bus (see `wire.ts`).
 *
 * Delivery: a message or presence diff for a group goes into the group's inbox; once per tick
 * the inbox of every group is handed to the engine as one `topic` event, which runs the stores'
 * `onMessage`/`onPresence` for each item in the group's queue and renders once.
 *
 * Presence across instances: each instance owns the entries of its own connections and sends
 * their changes (numbered) to the others as they happen, at most once per tick; every
 * `heartbeatMs` it sends a beat with its latest number. A receiver that missed a number (a lost
 * bus message), or that does not know the sender, asks it for its whole state. An instance not
 * heard from for `expiryMs` is dropped with all its entries; one that closes says goodbye. When
 * the bus reconnects, every instance asks every other for its state.
 */
import { performance } from "node:perf_hooks";
import { checkMeta, checkName, jsonCopy, TopicError } from "./errors.js";
import { PresenceTable, type WireChange } from "./presence.js";
import { Subscriptions } from "./subscriptions.js";
import type { PresenceEntry, PresenceMeta, SubscribeOptions, TopicContext, TopicControls, TopicDelivery, TopicOptions, TrackOptions } from "./types.js";
import { topicTransaction, type TopicTransaction } from "./transaction.js";
import { parseTopicWire, type TopicWire } from "./wire.js";
import type { TopicPayload } from "../server/broadcast-bus.js";
import type { Logger } from "../session/types.js";

/** Who runs the store code a set of controls is for. */
export interface TopicCaller {
  /** The group's id (a function: a rotated session changes it). */
  readonly groupId: () => string;
  readonly userId: string;
  readonly connectionId: string | undefined;
}

/** What the hub needs from the engine. */
export interface HubPorts {
  /** Runs the deliveries in the group's queue (the engine's `topic` event). */
  deliver(groupId: string, deliveries: readonly TopicDelivery[]): Promise<unknown>;
  /** Sends to the other instances; undefined without a broadcast bus. */
  readonly send: ((payload: TopicWire) => void) | undefined;
  readonly logger: Logger;
}

interface Peer {
  /** Number of the last presence change applied from it. */
  seq: number;
  /** Whether its whole state has been received since it was first heard of. */
  synced: boolean;
  /** When it was last heard from, ms. */
  seen: number;
  /** When its state was last asked for, ms. */
  asked: number;
}

/** A message, kept as JSON text so that every group gets its own copy of the event. */
type Queued = { readonly kind: "message"; readonly topic: string; readonly text: string; readonly id: string | undefined } | Extract<TopicDelivery, { kind: "presence" }>;

export class TopicHub {
  readonly subscriptions = new Subscriptions();
  readonly table = new PresenceTable();
  private readonly inbox = new Map<string, Queued[]>();
  private flushScheduled = false;
  private presenceScheduled = false;
  /** How long the last presence update took to reach every group (rendered), ms. */
  private presenceCostMs = 0;
  /** Open live connections (a subscription or an entry for a closed one would never go). */
  private readonly open = new Set<string>();
  /** This instance's entry refs by owner (`c` + connection id, `g` + group id). */
  private readonly refsOf = new Map<string, Map<string, readonly [topic: string, key: string]>>();
  /** Changes of own entries not yet sent to other instances, by ref. */
  private outgoing = new Map<string, WireChange>();
  private outScheduled = false;
  private stateScheduled = false;
  private seq = 0;
  /** Messages published here, for their ids. */
  private published = 0;
  private readonly peers = new Map<string, Peer>();
  private readonly beat: NodeJS.Timeout | undefined;
  private readonly batchMs: number;
  private readonly perGroupMs: number;
  private readonly heartbeatMs: number;
  private readonly expiryMs: number;
  private closed = false;

  constructor(
    /** This instance's id on the bus; its own entries are kept under it. */
    readonly source: string,
    private readonly options: TopicOptions,
    private readonly ports: HubPorts,
  ) {
    this.batchMs = Math.max(0, options.presenceBatchMs ?? 0);
    this.perGroupMs = Math.max(0, options.presenceBatchPerGroupMs ?? 0.1);
    this.heartbeatMs = Math.max(10, options.heartbeatMs ?? 2000);
    this.expiryMs = Math.max(this.heartbeatMs, options.expiryMs ?? 3 * this.heartbeatMs);
    if (ports.send !== undefined) {
      this.beat = setInterval(() => this.heartbeat(), this.heartbeatMs);
      this.beat.unref();
      ports.send({ kind: "sync", to: "" });
    }
  }

  // ------------------------------------------------------------------ store code's methods

  /** The topic methods of a run of store code for `who`. */
  controls(who: TopicCaller): TopicControls {
    return {
      subscribe: (topic, options) => this.settled(this.subscribe(who, topic, options)),
      unsubscribe: (topic) => this.subscriptions.remove(checkName("topic", topic), who.groupId(), who.connectionId),
      publish: (topic, event) => this.publish(topic, event),
      track: (topic, key, meta, options) => this.settled(this.track(who, topic, key, meta, options)),
      untrack: (topic, key) => this.untrack(who, checkName("topic", topic), checkName("presence key", key)),
      presence: (topic) => this.presence(topic),
    };
  }

  /**
   * The topic methods of one action, as part of its transaction (see `transaction.ts`): what
   * cannot be taken back waits for the save, what can is undone by `rollback`.
   */
  transaction(who: TopicCaller): TopicTransaction {
    return topicTransaction({
      subscribe: (topic, options, onUndo) => this.settled(this.subscribe(who, topic, options, onUndo)),
      track: (topic, key, meta, options, onUndo) => this.settled(this.track(who, topic, key, meta, options, onUndo)),
      unsubscribe: (topic) => this.subscriptions.remove(topic, who.groupId(), who.connectionId),
      publish: (topic, copy) => this.send(topic, copy),
      untrack: (topic, key) => this.untrack(who, topic, key),
      presence: (topic) => this.presence(topic),
    });
  }

  /** The context of `onMessage`/`onPresence` for a group. */
  context(groupId: string): TopicContext {
    return { ...this.controls({ groupId: () => groupId, userId: "", connectionId: undefined }), groupId, userId: "", connectionId: undefined };
  }

  /** Sends `event` to every subscriber of `topic`, here and on the other instances. */
  publish(topic: string, event: unknown): void {
    checkName("topic", topic);
    this.send(topic, jsonCopy("the published event", event));
  }

  private send(topic: string, copy: unknown): void {
    const id = `${this.source}:${++this.published}`;
    this.local({ kind: "message", topic, text: JSON.stringify(copy), id });
    this.ports.send?.({ kind: "message", topic, event: copy, id });
  }

  /** Who is in `topic`, sorted by key (shared by every caller: do not change it). */
  presence(topic: string): readonly PresenceEntry[] {
    return this.table.list(checkName("topic", topic));
  }

  private async subscribe(who: TopicCaller, topic: string, options: SubscribeOptions | undefined, onUndo?: (fn: () => void) => void): Promise<void> {
    checkName("topic", topic);
    const scope = options?.scope ?? "group";
    if (scope !== "group" && scope !== "connection") throw new TopicError("LT_ERR_TOPIC_INVALID", `unknown subscription scope ${JSON.stringify(scope)}`);
    if (scope === "connection" && who.connectionId === undefined) {
      throw new TopicError("LT_ERR_TOPIC_NO_CONNECTION", `a connection-scoped subscription to "${topic}" needs a live connection`);
    }
    await this.authorize("subscribe", who, topic);
    // The connection may have closed while the ACL was thinking: it would never be unsubscribed.
    if (who.connectionId !== undefined && !this.open.has(who.connectionId) && scope === "connection") return;
    const conn = scope === "connection" ? who.connectionId : undefined;
    const groupId = who.groupId();
    if (onUndo !== undefined && !this.subscriptions.holds(topic, groupId, conn)) onUndo(() => this.subscriptions.retract(topic, groupId, conn));
    this.subscriptions.add(topic, groupId, conn);
  }

  private async track(
    who: TopicCaller,
    topic: string,
    key: string,
    meta: PresenceMeta | undefined,
    options: TrackOptions | undefined,
    onUndo?: (fn: () => void) => void,
  ): Promise<void> {
    checkName("topic", topic);
    checkName("presence key", key);
    const m = checkMeta(meta ?? {});
    const scope = options?.scope ?? "connection";
    if (scope !== "group" && scope !== "connection") throw new TopicError("LT_ERR_TOPIC_INVALID", `unknown presence scope ${JSON.stringify(scope)}`);
    const conn = who.connectionId;
    if (conn === undefined) throw new TopicError("LT_ERR_TOPIC_NO_CONNECTION", `tracking "${key}" in "${topic}" needs a live connection`);
    await this.authorize("track", who, topic);
    // Closed while the ACL was thinking: the entry would never leave.
    if (!this.open.has(conn)) return;
    const owner = scope === "connection" ? `c${conn}` : `g${who.groupId()}`;
    const ref = `${owner}\u0000${topic}\u0000${key}`;
    const current = this.table.get(this.source, ref);
    if (current !== undefined && JSON.stringify(current) === JSON.stringify(m)) return;
    this.putOwn(owner, ref, topic, key, m);
    onUndo?.(() => (current === undefined ? this.removeOwn(owner, ref, topic, key) : this.putOwn(owner, ref, topic, key, current)));
  }

  private putOwn(owner: string, ref: string, topic: string, key: string, meta: PresenceMeta): void {
    this.table.put(this.source, ref, topic, key, meta);
    let refs = this.refsOf.get(owner);
    if (refs === undefined) this.refsOf.set(owner, (refs = new Map()));
    refs.set(ref, [topic, key]);
    this.changedOwn(ref, [ref, topic, key, meta]);
  }

  private untrack(who: TopicCaller, topic: string, key: string): void {
    const owners = [`g${who.groupId()}`];
    if (who.connectionId !== undefined) owners.push(`c${who.connectionId}`);
    for (const owner of owners) this.removeOwn(owner, `${owner}\u0000${topic}\u0000${key}`, topic, key);
  }

  private removeOwn(owner: string, ref: string, topic: string, key: string): void {
    if (this.table.get(this.source, ref) === undefined) return;
    this.table.delete(this.source, ref);
    const refs = this.refsOf.get(owner);
    refs?.delete(ref);
    if (refs?.size === 0) this.refsOf.delete(owner);
    this.changedOwn(ref, [ref, topic, key, null]);
  }

  /** Removes every entry of an owner (a closed connection, a group gone from here). */
  private dropOwner(owner: string): void {
    const refs = this.refsOf.get(owner);
    this.refsOf.delete(owner);
    for (const [ref, [topic, key]] of refs ?? []) this.removeOwn(owner, ref, topic, key);
  }

  private async authorize(kind: "subscribe" | "track", who: TopicCaller, topic: string): Promise<void> {
    const acl = this.options.authorize;
    if (acl === undefined) return;
    const groupId = who.groupId();
    const allowed = await acl({ kind, topic, userId: who.userId, groupId, connectionId: who.connectionId });
    if (allowed !== true) throw new TopicError("LT_ERR_TOPIC_FORBIDDEN", `not allowed to ${kind} "${topic}"`);
  }

  /** `p`, with a refusal nobody awaits logged instead of crashing the process. */
  private settled(p: Promise<void>): Promise<void> {
    p.catch((err: unknown) => this.ports.logger.warn(err instanceof TopicError ? `${err.code}: ${err.message}` : "a topic call failed", err));
    return p;
  }

  // ------------------------------------------------------------------ connections and groups

  /** A live connection opened. */
  connectionOpened(connectionId: string): void {
    this.open.add(connectionId);
  }

  /**
   * A live connection closed: its subscriptions and presence entries go; with `remaining` 0
   * (the group's last connection here) the group's subscriptions and entries go too.
   */
  connectionClosed(connectionId: string, groupId: string, remaining: number): void {
    this.open.delete(connectionId);
    this.subscriptions.dropConnection(connectionId);
    this.dropOwner(`c${connectionId}`);
    if (remaining > 0) return;
    this.subscriptions.dropGroup(groupId);
    this.dropOwner(`g${groupId}`);
  }

  /** The group is not in memory (a delivery found nothing): its subscriptions and entries go. */
  groupGone(groupId: string): void {
    this.subscriptions.dropGroup(groupId);
    this.dropOwner(`g${groupId}`);
    this.inbox.delete(groupId);
  }

  /** A rotated session: the group's subscriptions and entries follow its new id. */
  renameGroup(from: string, to: string): void {
    this.subscriptions.renameGroup(from, to);
    const refs = this.refsOf.get(`g${from}`);
    if (refs === undefined || from === to) return;
    this.refsOf.delete(`g${from}`);
    this.refsOf.set(`g${to}`, refs);
  }

  // ------------------------------------------------------------------ local delivery

  private local(item: Queued): void {
    for (const groupId of this.subscriptions.groupsOf(item.topic)) {
      const box = this.inbox.get(groupId);
      if (box === undefined) this.inbox.set(groupId, [item]);
      else box.push(item);
    }
    if (this.inbox.size > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Hands every group's inbox to the engine, one event per group; settles when all ran. */
  private flush(): Promise<unknown> {
    this.flushScheduled = false;
    if (this.inbox.size === 0) return Promise.resolve();
    const boxes = [...this.inbox];
    this.inbox.clear();
    const runs: Promise<unknown>[] = [];
    for (const [groupId, items] of boxes) {
      const deliveries = items.map((i): TopicDelivery => (i.kind === "message" ? message(i.topic, JSON.parse(i.text) as unknown, i.id) : i));
      runs.push(this.ports.deliver(groupId, deliveries).catch((err: unknown) => this.ports.logger.error("delivering topic messages failed", err)));
    }
    return Promise.all(runs);
  }

  /**
   * Delivers the presence diffs after the batch window. The window grows with the topic's
   * audience (`presenceBatchPerGroupMs`) and with what the last update cost: at least
   * `PRESENCE_COST_FACTOR` times the time the last update took to reach every group, so that
   * presence renders take a bounded share of the CPU however large the room and however fast
   * people join (each update re-renders every subscribed group).
   */
  private schedulePresence(topic: string): void {
    if (this.presenceScheduled || this.closed) return;
    this.presenceScheduled = true;
    const run = (): void => {
      this.presenceScheduled = false;
      const started = performance.now();
      for (const [t, diff] of this.table.takeDiffs()) this.local({ kind: "presence", topic: t, diff });
      void this.flush().then(() => {
        this.presenceCostMs = performance.now() - started;
      });
    };
    const byAudience = this.subscriptions.groupCount(topic) * this.perGroupMs;
    const ms = Math.max(this.batchMs, Math.min(MAX_BATCH_MS, Math.max(byAudience, PRESENCE_COST_FACTOR * this.presenceCostMs)));
    if (ms < 1) setImmediate(run);
    else setTimeout(run, ms).unref();
  }

  /** After a change to several topics: scheduled by the first one with a pending diff. */
  private scheduleAny(): void {
    const first = this.table.changedTopics().next();
    if (first.done !== true) this.schedulePresence(first.value);
  }

  // ------------------------------------------------------------------ other instances

  private changedOwn(ref: string, change: WireChange): void {
    this.schedulePresence(change[1]);
    if (this.ports.send === undefined) return;
    this.outgoing.set(ref, change);
    if (this.outScheduled) return;
    this.outScheduled = true;
    setImmediate(() => this.flushOut());
  }

  private flushOut(): void {
    this.outScheduled = false;
    if (this.outgoing.size === 0 || this.ports.send === undefined) return;
    const changes = [...this.outgoing.values()];
    this.outgoing = new Map();
    this.ports.send({ kind: "presence", seq: ++this.seq, changes });
  }

  /** A payload from another instance on this channel. */
  received(source: string, raw: TopicPayload): void {
    if (this.closed || source === this.source) return;
    const payload = parseTopicWire(raw);
    if (payload === undefined) {
      this.ports.logger.warn(`topics: ignored a malformed bus message of kind ${JSON.stringify(raw.kind)}`);
      return;
    }
    switch (payload.kind) {
      case "message":
        this.local({ kind: "message", topic: payload.topic, text: JSON.stringify(payload.event), id: payload.id });
        return;
      case "presence": {
        const peer = this.peer(source);
        const inOrder = peer.synced && payload.seq === peer.seq + 1;
        for (const [ref, topic, key, meta] of payload.changes) {
          if (meta === null) this.table.delete(source, ref);
          else this.table.put(source, ref, topic, key, meta);
        }
        peer.seq = payload.seq;
        if (!inOrder) this.askState(source, peer);
        if (payload.changes.length > 0) this.schedulePresence(payload.changes[0]![1]);
        return;
      }
      case "state": {
        const peer = this.peer(source);
        this.table.replaceSource(source, payload.entries);
        peer.seq = payload.seq;
        peer.synced = true;
        this.scheduleAny();
        return;
      }
      case "beat": {
        const peer = this.peer(source);
        if (!peer.synced || payload.seq !== peer.seq) this.askState(source, peer);
        return;
      }
      case "sync":
        if (payload.to === "" || payload.to === this.source) this.sendState();
        return;
      case "bye":
        this.peers.delete(source);
        this.table.dropSource(source);
        this.scheduleAny();
        return;
      default: {
        const never: never = payload;
        return never;
      }
    }
  }

  /** The bus reconnected and may have lost messages: everyone's state again, ours to everyone. */
  resynced(): void {
    if (this.closed || this.ports.send === undefined) return;
    this.ports.send({ kind: "sync", to: "" });
    this.sendState();
  }

  private peer(source: string): Peer {
    let p = this.peers.get(source);
    if (p === undefined) this.peers.set(source, (p = { seq: 0, synced: false, seen: 0, asked: 0 }));
    p.seen = Date.now();
    return p;
  }

  private askState(source: string, peer: Peer): void {
    const now = Date.now();
    if (now - peer.asked < this.heartbeatMs) return;
    peer.asked = now;
    this.ports.send?.({ kind: "sync", to: source });
  }

  /** Our whole state, once per tick however many asked (changes not yet sent go first). */
  private sendState(): void {
    if (this.stateScheduled) return;
    this.stateScheduled = true;
    setImmediate(() => {
      this.stateScheduled = false;
      if (this.closed) return;
      this.flushOut();
      this.ports.send?.({ kind: "state", seq: this.seq, entries: this.table.entriesOf(this.source) });
    });
  }

  private heartbeat(): void {
    this.ports.send?.({ kind: "beat", seq: this.seq });
    const now = Date.now();
    for (const [source, peer] of this.peers) {
      if (now - peer.seen <= this.expiryMs) continue;
      this.peers.delete(source);
      this.table.dropSource(source);
      this.scheduleAny();
    }
    // Entries of a source we never heard a beat from (its state came, then it vanished) go too.
    for (const source of this.table.sourceIds()) {
      if (source !== this.source && !this.peers.has(source)) {
        this.table.dropSource(source);
        this.scheduleAny();
      }
    }
  }

  /** Says goodbye to the other instances and stops the heartbeat. */
  close(): void {
    if (this.closed) return;
    this.flushOut();
    this.closed = true;
    if (this.beat !== undefined) clearInterval(this.beat);
    this.ports.send?.({ kind: "bye" });
  }
}

function message(topic: string, event: unknown, id: string | undefined): TopicDelivery {
  return id === undefined ? { kind: "message", topic, event } : { kind: "message", topic, event, id };
}

/** Longest presence batch window, ms. */
const MAX_BATCH_MS = 2000;

/** The presence window is at least this many times what the last presence update cost. */
const PRESENCE_COST_FACTOR = 3;
