/**
 * What store code sees of topics and presence: the methods on `ctx`, the context of
 * `onMessage`/`onPresence`, presence lists and diffs, and the handler option that configures
 * them. This file imports nothing, so the session types can name these without a cycle.
 */

/** A presence meta: any JSON object describing one tracked connection (a name, a status...). */
export type PresenceMeta = Readonly<Record<string, unknown>>;

/**
 * One key of a topic's presence list with the metas of every connection tracked under it (a
 * user with two tabs open is one key with two metas), oldest first.
 */
export interface PresenceEntry {
  readonly key: string;
  readonly metas: readonly PresenceMeta[];
}

/**
 * What changed in a topic's presence since the previous diff: the metas that joined and those
 * that left, by key. A meta that was replaced (`track` again with the same key) is a leave of the
 * old meta and a join of the new one. Joins and leaves that cancel out within one batch are
 * left out.
 */
export interface PresenceDiff {
  readonly joins: readonly PresenceEntry[];
  readonly leaves: readonly PresenceEntry[];
}

/** How long a subscription lasts. */
export type SubscriptionScope =
  /**
   * The session group: until `unsubscribe`, until the group's last live connection on this
   * instance closes, or until the group leaves memory.
   */
  | "group"
  /** One live connection: until `unsubscribe` or until that connection closes. */
  | "connection";

/** Options of `ctx.track`. */
export interface TrackOptions {
  /**
   * Default `"connection"`: the entry is this connection's (a user with two tabs is one key with
   * two metas) and leaves when it closes. `"group"`: the entry is the session group's on this
   * instance (one meta however many tabs), and leaves when the group's last live connection here
   * closes; any of its connections may replace or untrack it (a rename in one tab).
   */
  readonly scope?: SubscriptionScope;
}

/** Options of `ctx.subscribe`. */
export interface SubscribeOptions {
  /** Default `"group"`. `"connection"` needs a live connection (`onConnect`, or a run for one). */
  readonly scope?: SubscriptionScope;
}

/**
 * The topic and presence methods on the context of `mount`, `onConnect`, actions,
 * `onMessage` and `onPresence`. They act at once and are not rolled back with the state when
 * the run throws. Messages and presence changes reach subscribers on a later tick, batched: a
 * group that gets many in one tick runs `onMessage`/`onPresence` for each and re-renders once.
 */
export interface TopicControls {
  /**
   * Subscribes this session group (or, with `{ scope: "connection" }`, this connection) to
   * `topic`; its stores' `onMessage` and `onPresence` then receive what is published and tracked
   * there, on every instance. Rejects with `LT_ERR_TOPIC_FORBIDDEN` when the handler's
   * `topics.authorize` refuses, `LT_ERR_TOPIC_INVALID` for a bad topic name, and
   * `LT_ERR_TOPIC_NO_CONNECTION` for a connection scope without a connection. Await it: the
   * refusal is the rejection (an unawaited one is logged, not thrown).
   */
  subscribe(topic: string, options?: SubscribeOptions): Promise<void>;
  /** Ends this group's subscription to `topic`, and this connection's when the run has one. */
  unsubscribe(topic: string): void;
  /**
   * Sends `event` (a JSON value) to every store subscribed to `topic`, on every instance, this
   * group included. Throws `LT_ERR_TOPIC_INVALID` when the event cannot be sent as JSON.
   */
  publish(topic: string, event: unknown): void;
  /**
   * Lists this run's connection (or, with `{ scope: "group" }`, its session group) under `key`
   * in `topic`'s presence, with `meta` (a JSON object; tracking the same key again replaces
   * it). The entry leaves when the connection (the group's last connection here) closes or
   * `untrack` is called. Needs a live connection in the run (`LT_ERR_TOPIC_NO_CONNECTION`);
   * same checks as `subscribe` otherwise (the ACL is asked with `kind: "track"`).
   */
  track(topic: string, key: string, meta?: PresenceMeta, options?: TrackOptions): Promise<void>;
  /** Removes the entries under `key` in `topic` of this run's connection and of its group. */
  untrack(topic: string, key: string): void;
  /**
   * Who is in `topic` now, on every instance this one hears from, sorted by key. The list is
   * built once per change and shared by every caller: read it, do not change it.
   */
  presence(topic: string): readonly PresenceEntry[];
}

/** The context of `onMessage` and `onPresence`: the topic methods, for the receiving group. */
export interface TopicContext extends TopicControls {
  readonly groupId: string;
  /** Always `undefined`: a message is delivered to the group, not to one connection. */
  readonly connectionId: undefined;
  /** Always `""`: no user sent it. */
  readonly userId: string;
}

/** What the ACL function is asked. */
export interface TopicRequest {
  readonly kind: "subscribe" | "track";
  readonly topic: string;
  readonly userId: string;
  readonly groupId: string;
  /** The connection of the run; `undefined` over HTTP. */
  readonly connectionId: string | undefined;
}

/** The handler option `topics`. Every field is optional. */
export interface TopicOptions {
  /**
   * Who may subscribe to (and be tracked in) what. Resolve `false` to refuse: `ctx.subscribe`
   * then rejects with `LT_ERR_TOPIC_FORBIDDEN` and nothing is subscribed. Without it, any
   * connection may subscribe to any topic.
   */
  authorize?: (request: TopicRequest) => boolean | Promise<boolean>;
  /**
   * Presence diffs for a topic are delivered at most once per this many ms: joins and leaves
   * within it reach each group as one `onPresence` call and one render. Default 0 (once per
   * tick).
   */
  presenceBatchMs?: number;
  /**
   * The batch window also grows by this many ms per group subscribed to the topic (at most to
   * 2 s): every presence update re-renders every subscribed group, so a busy room of N groups
   * would otherwise cost N renders per join. Default 0.1 (a room of 5,000 groups gets at most
   * two presence updates a second). Whatever this says, the window is also at least three times
   * what the last presence update took to reach every group, so presence renders keep to about
   * a quarter of the CPU while a large room fills.
   */
  presenceBatchPerGroupMs?: number;
  /**
   * With a broadcast bus: how often this instance tells the others it is alive (and how far
   * its presence changes have got), ms. Default 2000.
   */
  heartbeatMs?: number;
  /**
   * With a broadcast bus: presence entries of an instance not heard from for this long are
   * dropped (an instance that died without saying goodbye), ms. Default 3 × `heartbeatMs`.
   */
  expiryMs?: number;
}

/** One thing delivered to a subscribed group. */
export type TopicDelivery =
  | { readonly kind: "message"; readonly topic: string; readonly event: unknown; readonly id?: string }
  | { readonly kind: "presence"; readonly topic: string; readonly diff: PresenceDiff };
