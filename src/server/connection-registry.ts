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

/** Connections by group and by user. Anonymous users (`""`) are not indexed by user. */
export class ConnectionRegistry<C extends RegisteredConnection = RegisteredConnection> {
  private readonly byGroup = new Map<string, Set<C>>();
  private readonly byUser = new Map<string, Set<C>>();
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
    return this.byGroup.get(conn.groupId)?.size ?? 0;
  }

  /** Connections of a group (a live view: copy before mutating the registry while iterating). */
  getByGroup(groupId: string): ReadonlySet<C> {
    return this.byGroup.get(groupId) ?? EMPTY;
  }

  getByUser(userId: string): ReadonlySet<C> {
    return this.byUser.get(userId) ?? EMPTY;
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
    for (const set of this.byGroup.values()) for (const c of set) out.push(c);
    return out;
  }

  get size(): number {
    return this.count;
  }
}

const EMPTY: ReadonlySet<never> = new Set<never>();

function addTo<C>(map: Map<string, Set<C>>, key: string, conn: C): boolean {
  let set = map.get(key);
  if (set === undefined) map.set(key, (set = new Set()));
  const before = set.size;
  set.add(conn);
  return set.size > before;
}

function removeFrom<C>(map: Map<string, Set<C>>, key: string, conn: C): boolean {
  const set = map.get(key);
  if (set === undefined || !set.delete(conn)) return false;
  if (set.size === 0) map.delete(key);
  return true;
}
