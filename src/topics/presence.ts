/**
 * The presence table of one handler: for each topic, the keys present and the metas tracked
 * under each key, from this instance and from every other instance it hears from. Entries are
 * grouped by the instance ("source") that owns them, so that a source's whole state can be
 * replaced (a re-sync) or dropped (it expired or said goodbye) in the cost of its own entries.
 *
 * Every change is also written to a change log per topic, from which {@link takeDiffs} makes the
 * joins and leaves since the last call; changes that cancel out within a batch disappear.
 */
import type { PresenceDiff, PresenceEntry, PresenceMeta } from "./types.js";

/** One tracked entry as it travels between instances: `[ref, topic, key, meta]`. */
export type WireEntry = readonly [ref: string, topic: string, key: string, meta: PresenceMeta];
/** A change as it travels: `meta` null for a removal. */
export type WireChange = readonly [ref: string, topic: string, key: string, meta: PresenceMeta | null];

interface TopicPresence {
  /** Key -> entry id -> meta, in insertion order. */
  readonly keys: Map<string, Map<string, PresenceMeta>>;
  /** The keys, sorted (kept sorted on insert and delete, so a list never sorts). */
  readonly sorted: string[];
  /** The list as last built; dropped by any change. */
  list: PresenceEntry[] | undefined;
}

/** Where an entry is, by its id. */
interface Placed {
  readonly topic: string;
  readonly key: string;
}

/** One entry's change within a batch: its meta before the batch and now (undefined: absent). */
interface Pending {
  readonly key: string;
  readonly before: PresenceMeta | undefined;
  after: PresenceMeta | undefined;
}

export class PresenceTable {
  private readonly topics = new Map<string, TopicPresence>();
  /** Source -> ref -> where the entry is. Entry ids are `source + "\u0001" + ref`. */
  private readonly sources = new Map<string, Map<string, Placed>>();
  private readonly pending = new Map<string, Map<string, Pending>>();
  private entries = 0;

  /** Number of entries, every source included. */
  get size(): number {
    return this.entries;
  }

  /** Whether some change waits in the change log. */
  get changed(): boolean {
    return this.pending.size > 0;
  }

  /** Topics with a pending change. */
  changedTopics(): IterableIterator<string> {
    return this.pending.keys();
  }

  /** Sets (adds or replaces) an entry of `source`. */
  put(source: string, ref: string, topic: string, key: string, meta: PresenceMeta): void {
    let refs = this.sources.get(source);
    if (refs === undefined) this.sources.set(source, (refs = new Map()));
    const at = refs.get(ref);
    // A ref names one (topic, key) for its whole life; a different one is a remove and an add.
    if (at !== undefined && (at.topic !== topic || at.key !== key)) this.delete(source, ref);
    refs.set(ref, { topic, key });
    let t = this.topics.get(topic);
    if (t === undefined) this.topics.set(topic, (t = { keys: new Map(), sorted: [], list: undefined }));
    let metas = t.keys.get(key);
    if (metas === undefined) {
      t.keys.set(key, (metas = new Map()));
      t.sorted.splice(insertionPoint(t.sorted, key), 0, key);
    }
    const id = entryId(source, ref);
    const before = metas.get(id);
    if (before === undefined) this.entries++;
    metas.set(id, meta);
    t.list = undefined;
    this.log(topic, id, key, before, meta);
  }

  /** The meta of an entry of `source`, if it is there. */
  get(source: string, ref: string): PresenceMeta | undefined {
    const at = this.sources.get(source)?.get(ref);
    return at === undefined ? undefined : this.topics.get(at.topic)?.keys.get(at.key)?.get(entryId(source, ref));
  }

  /** Removes an entry of `source`; nothing when it is not there. */
  delete(source: string, ref: string): void {
    const refs = this.sources.get(source);
    const at = refs?.get(ref);
    if (refs === undefined || at === undefined) return;
    refs.delete(ref);
    if (refs.size === 0) this.sources.delete(source);
    const t = this.topics.get(at.topic);
    const metas = t?.keys.get(at.key);
    const id = entryId(source, ref);
    const before = metas?.get(id);
    if (t === undefined || metas === undefined || before === undefined) return;
    metas.delete(id);
    this.entries--;
    if (metas.size === 0) {
      t.keys.delete(at.key);
      const i = insertionPoint(t.sorted, at.key);
      if (t.sorted[i] === at.key) t.sorted.splice(i, 1);
      if (t.keys.size === 0) this.topics.delete(at.topic);
    }
    t.list = undefined;
    this.log(at.topic, id, at.key, before, undefined);
  }

  /** Drops every entry of `source` (it expired, or said goodbye). */
  dropSource(source: string): void {
    const refs = this.sources.get(source);
    if (refs === undefined) return;
    for (const ref of [...refs.keys()]) this.delete(source, ref);
  }

  /** Replaces every entry of `source` by `entries` (its full state, after a re-sync). */
  replaceSource(source: string, entries: readonly WireEntry[]): void {
    const keep = new Set<string>();
    for (const [ref, topic, key, meta] of entries) {
      keep.add(ref);
      const at = this.sources.get(source)?.get(ref);
      const current = at === undefined ? undefined : this.topics.get(at.topic)?.keys.get(at.key)?.get(entryId(source, ref));
      // An unchanged entry is left alone, so a re-sync of a state we already hold is no diff.
      if (at !== undefined && at.topic === topic && at.key === key && current !== undefined && sameJson(current, meta)) continue;
      this.put(source, ref, topic, key, meta);
    }
    const refs = this.sources.get(source);
    if (refs === undefined) return;
    for (const ref of [...refs.keys()]) if (!keep.has(ref)) this.delete(source, ref);
  }

  /** Every entry of `source`, for sending its full state. */
  entriesOf(source: string): WireEntry[] {
    const out: WireEntry[] = [];
    for (const [ref, at] of this.sources.get(source) ?? []) {
      const meta = this.topics.get(at.topic)?.keys.get(at.key)?.get(entryId(source, ref));
      if (meta !== undefined) out.push([ref, at.topic, at.key, meta]);
    }
    return out;
  }

  /** Sources with at least one entry. */
  sourceIds(): string[] {
    return [...this.sources.keys()];
  }

  /** Who is in `topic`, sorted by key: built once per change and shared by every caller. */
  list(topic: string): readonly PresenceEntry[] {
    const t = this.topics.get(topic);
    if (t === undefined) return EMPTY;
    t.list ??= t.sorted.map((key) => ({ key, metas: [...t.keys.get(key)!.values()] }));
    return t.list;
  }

  /** Number of keys in `topic`. */
  count(topic: string): number {
    return this.topics.get(topic)?.keys.size ?? 0;
  }

  /** The joins and leaves of each topic since the last call (topics with none left out). */
  takeDiffs(): Map<string, PresenceDiff> {
    const out = new Map<string, PresenceDiff>();
    for (const [topic, changes] of this.pending) {
      const joins = new Map<string, PresenceMeta[]>();
      const leaves = new Map<string, PresenceMeta[]>();
      for (const c of changes.values()) {
        if (c.before === c.after) continue;
        if (c.before !== undefined) push(leaves, c.key, c.before);
        if (c.after !== undefined) push(joins, c.key, c.after);
      }
      if (joins.size === 0 && leaves.size === 0) continue;
      out.set(topic, { joins: entriesOfMap(joins), leaves: entriesOfMap(leaves) });
    }
    this.pending.clear();
    return out;
  }

  private log(topic: string, id: string, key: string, before: PresenceMeta | undefined, after: PresenceMeta | undefined): void {
    let changes = this.pending.get(topic);
    if (changes === undefined) this.pending.set(topic, (changes = new Map()));
    const c = changes.get(id);
    if (c === undefined) changes.set(id, { key, before, after });
    else c.after = after;
  }
}

const EMPTY: readonly PresenceEntry[] = Object.freeze([]);

function entryId(source: string, ref: string): string {
  return `${source}\u0001${ref}`;
}

/** Index of `key` in the sorted array, or where it would go. */
function insertionPoint(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function push(map: Map<string, PresenceMeta[]>, key: string, meta: PresenceMeta): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [meta]);
  else list.push(meta);
}

function entriesOfMap(map: Map<string, PresenceMeta[]>): PresenceEntry[] {
  return [...map.keys()].sort().map((key) => ({ key, metas: map.get(key)! }));
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
