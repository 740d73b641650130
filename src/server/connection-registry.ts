/**
 * Live connections indexed twice, by session group and by user, so that broadcasting to a group
 * or to a user's devices costs the size of the answer, not of the whole server.
 */

/** The registry's view of a connection. */
export interface RegisteredConnection {
  readonly id: string;
  readonly groupId: string;
  readonly userId: string;
}

/**
 * The connections under one key: the connection itself while it is the only one (most groups
 * have one tab, and a set of one costs more than the connection's own object), else a set.
 */
type Slot<C> = C | Set<C>;

/** Connections by group and by user. Anonymous users (`""`) are not indexed by user. */
export class ConnectionRegistry<C extends RegisteredConnection = RegisteredConnection> {
  private readonly byGroup = new Map<string, Slot<C>>();
  private readonly byUser = new Map<string, Slot<C>>();
  private count = 0;

  register(conn: C): void {
    if (addTo(this.byGroup, conn.groupId, conn)) this.count++;
    if (conn.userId !== "") addTo(this.byUser, conn.userId, conn);
  }

  /** Moves a connection to another group (its session id was rotated). */
  move(conn: C & { groupId: string }, groupId: string): void {
    this.unregister(conn);
    conn.groupId = groupId;
    this.register(conn);
  }

  /** Removes a connection; returns how many connections its group still has. */
  unregister(conn: C): number {
    if (removeFrom(this.byGroup, conn.groupId, conn)) this.count--;
    if (conn.userId !== "") removeFrom(this.byUser, conn.userId, conn);
    return sizeOf(this.byGroup.get(conn.groupId));
  }

  /**
   * Connections of a group (a live view while there are several, a snapshot of a single one: copy
   * before mutating the registry while iterating).
   */
  getByGroup(groupId: string): ReadonlySet<C> {
    return asSet(this.byGroup.get(groupId));
  }

  getByUser(userId: string): ReadonlySet<C> {
    return asSet(this.byUser.get(userId));
  }

  /** Ids of groups with at least one connection. */
  groupIds(): string[] {
    return [...this.byGroup.keys()];
  }

  /** Ids of the groups where any of these users is connected. */
  groupsOfUsers(userIds: Iterable<string>): Set<string> {
    const out = new Set<string>();
    for (const u of userIds) for (const c of this.getByUser(u)) out.add(c.groupId);
    return out;
  }

  all(): C[] {
    const out: C[] = [];
    for (const slot of this.byGroup.values()) {
      if (slot instanceof Set) for (const c of slot) out.push(c);
      else out.push(slot);
    }
    return out;
  }

  get size(): number {
    return this.count;
  }
}

const EMPTY: ReadonlySet<never> = new Set<never>();

function asSet<C>(slot: Slot<C> | undefined): ReadonlySet<C> {
  if (slot === undefined) return EMPTY;
  return slot instanceof Set ? slot : new Set([slot]);
}

function sizeOf<C>(slot: Slot<C> | undefined): number {
  return slot === undefined ? 0 : slot instanceof Set ? slot.size : 1;
}

function addTo<C>(map: Map<string, Slot<C>>, key: string, conn: C): boolean {
  const slot = map.get(key);
  if (slot === undefined) {
    map.set(key, conn);
    return true;
  }
  if (!(slot instanceof Set)) {
    if (slot === conn) return false;
    map.set(key, new Set([slot, conn]));
    return true;
  }
  const before = slot.size;
  slot.add(conn);
  return slot.size > before;
}

function removeFrom<C>(map: Map<string, Slot<C>>, key: string, conn: C): boolean {
  const slot = map.get(key);
  if (slot === undefined) return false;
  if (!(slot instanceof Set)) {
    if (slot !== conn) return false;
    map.delete(key);
    return true;
  }
  if (!slot.delete(conn)) return false;
  if (slot.size === 0) map.delete(key);
  else if (slot.size === 1) map.set(key, slot.values().next().value as C);
  return true;
}
