/**
 * Who is subscribed to what on this instance: topics to session groups, each group subscribed
 * for itself and/or for some of its connections. Indexed three ways so that publishing costs the
 * number of subscribed groups, and a closing connection or a forgotten group costs its own
 * subscriptions, never a walk over every topic.
 */

/** One group's subscription to one topic. */
interface GroupSubscription {
  /** Subscribed with the group scope. */
  group: boolean;
  /** Connections subscribed with the connection scope. */
  readonly connections: Set<string>;
}

export class Subscriptions {
  private readonly byTopic = new Map<string, Map<string, GroupSubscription>>();
  /** Topics each group has any subscription to. */
  private readonly byGroup = new Map<string, Set<string>>();
  /** Topics each connection is subscribed to, and its group. */
  private readonly byConnection = new Map<string, { groupId: string; readonly topics: Set<string> }>();

  /** Subscribes the group (`connectionId` undefined) or one of its connections. Idempotent. */
  add(topic: string, groupId: string, connectionId: string | undefined): void {
    let groups = this.byTopic.get(topic);
    if (groups === undefined) this.byTopic.set(topic, (groups = new Map()));
    let sub = groups.get(groupId);
    if (sub === undefined) groups.set(groupId, (sub = { group: false, connections: new Set() }));
    setOf(this.byGroup, groupId).add(topic);
    if (connectionId === undefined) {
      sub.group = true;
      return;
    }
    sub.connections.add(connectionId);
    let conn = this.byConnection.get(connectionId);
    if (conn === undefined) this.byConnection.set(connectionId, (conn = { groupId, topics: new Set() }));
    conn.topics.add(topic);
  }

  /** Ends the group's subscription to `topic`, and `connectionId`'s when given. */
  remove(topic: string, groupId: string, connectionId: string | undefined): void {
    const sub = this.byTopic.get(topic)?.get(groupId);
    if (sub === undefined) return;
    sub.group = false;
    if (connectionId !== undefined) {
      sub.connections.delete(connectionId);
      this.byConnection.get(connectionId)?.topics.delete(topic);
    }
    this.prune(topic, groupId, sub);
  }

  /** Whether exactly this subscription exists: the group's own (`connectionId` undefined) or the connection's. */
  holds(topic: string, groupId: string, connectionId: string | undefined): boolean {
    const sub = this.byTopic.get(topic)?.get(groupId);
    if (sub === undefined) return false;
    return connectionId === undefined ? sub.group : sub.connections.has(connectionId);
  }

  /** Takes back exactly one subscription (the undo of one `add`), leaving the group's others. */
  retract(topic: string, groupId: string, connectionId: string | undefined): void {
    const sub = this.byTopic.get(topic)?.get(groupId);
    if (sub === undefined) return;
    if (connectionId === undefined) sub.group = false;
    else {
      sub.connections.delete(connectionId);
      this.byConnection.get(connectionId)?.topics.delete(topic);
    }
    this.prune(topic, groupId, sub);
  }

  /** Forgets a closed connection's subscriptions. */
  dropConnection(connectionId: string): void {
    const conn = this.byConnection.get(connectionId);
    if (conn === undefined) return;
    this.byConnection.delete(connectionId);
    for (const topic of conn.topics) {
      const sub = this.byTopic.get(topic)?.get(conn.groupId);
      if (sub === undefined) continue;
      sub.connections.delete(connectionId);
      this.prune(topic, conn.groupId, sub);
    }
  }

  /** Forgets every subscription of a group (and of its connections). */
  dropGroup(groupId: string): void {
    const topics = this.byGroup.get(groupId);
    if (topics === undefined) return;
    this.byGroup.delete(groupId);
    for (const topic of topics) {
      const groups = this.byTopic.get(topic);
      const sub = groups?.get(groupId);
      if (groups === undefined || sub === undefined) continue;
      for (const c of sub.connections) this.byConnection.delete(c);
      groups.delete(groupId);
      if (groups.size === 0) this.byTopic.delete(topic);
    }
  }

  /** The group's subscriptions follow it to a new id (a rotated session). */
  renameGroup(from: string, to: string): void {
    const topics = this.byGroup.get(from);
    if (topics === undefined || from === to) return;
    this.byGroup.delete(from);
    this.byGroup.set(to, topics);
    for (const topic of topics) {
      const groups = this.byTopic.get(topic);
      const sub = groups?.get(from);
      if (groups === undefined || sub === undefined) continue;
      groups.delete(from);
      groups.set(to, sub);
      for (const c of sub.connections) {
        const conn = this.byConnection.get(c);
        if (conn !== undefined) conn.groupId = to;
      }
    }
  }

  /** Ids of the groups subscribed to `topic` (a live view: copy before changing subscriptions). */
  groupsOf(topic: string): Iterable<string> {
    return this.byTopic.get(topic)?.keys() ?? [];
  }

  /** Number of groups subscribed to `topic`. */
  groupCount(topic: string): number {
    return this.byTopic.get(topic)?.size ?? 0;
  }

  /** Whether the group (or any of its connections) is subscribed to `topic`. */
  has(topic: string, groupId: string): boolean {
    return this.byTopic.get(topic)?.has(groupId) === true;
  }

  /** Topics the group is subscribed to, sorted (for tests and diagnostics). */
  topicsOf(groupId: string): string[] {
    return [...(this.byGroup.get(groupId) ?? [])].sort();
  }

  /** Number of topics with at least one subscriber. */
  get topicCount(): number {
    return this.byTopic.size;
  }

  private prune(topic: string, groupId: string, sub: GroupSubscription): void {
    if (sub.group || sub.connections.size > 0) return;
    const groups = this.byTopic.get(topic);
    groups?.delete(groupId);
    if (groups?.size === 0) this.byTopic.delete(topic);
    const topics = this.byGroup.get(groupId);
    topics?.delete(topic);
    if (topics?.size === 0) this.byGroup.delete(groupId);
  }
}

function setOf<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (set === undefined) map.set(key, (set = new Set()));
  return set;
}
