/**
 * The items of a hydrated range and their key index, as persistent values: deriving the next
 * render's list (a few items re-run, some dropped from the end, some added) makes a new list
 * that shares the previous one's storage and never writes it. The previous tree therefore stays
 * exactly what the client holds, whether the next render succeeds or fails, and a one-row change
 * in a long list still costs O(changed rows), not O(N).
 *
 * A derived value is one overlay over a flat array (or map): positions below `limit` that the
 * overlay does not name come from the shared base, so lookups stay one or two steps. An item
 * list whose overlay grows past a small bound is flattened into a fresh array (a copy paid once
 * per many updates); a key index keeps its overlay until most of its base is stale.
 *
 * A list edited by splices (a row removed, inserted or moved in the middle: every later position
 * shifts) is a chain of splice views instead: each names its parent, the position, how many of
 * the parent's items it drops there and the items it puts in their place. A lookup walks at most
 * {@link MAX_SPLICE_DEPTH} views, and a key index answers positions through the same chain
 * (a key's position is shifted by each splice above it), so neither copies the N items a shift
 * moves; the chain is flattened into a fresh array once it gets deeper than that bound.
 */

/** What the lists hold: anything with a key (the tree's range items). */
export interface Keyed {
  readonly key: string;
}

/** Overlay entries of an item list before it is flattened into a new array. */
const MAX_ITEM_EDITS = 32;
/** Overlay entries of a key index kept without flattening, however stale its base map. */
const MIN_KEY_OVERLAY = 32;
/** Splice views stacked over a list before it is flattened (a lookup walks at most this many). */
export const MAX_SPLICE_DEPTH = 16;

/** One splice view: `ins` in place of the parent's `removed` items at `at`. */
interface SpliceView<P> {
  readonly parent: P;
  readonly at: number;
  readonly removed: number;
  readonly ins: readonly Keyed[];
  readonly depth: number;
}

/** A range's items in order. Never changes once made. */
export class ItemList<T extends Keyed> {
  /** The items in order, made on first use for a derived list. */
  #flat: readonly T[] | null;
  /** Set when this list is a splice of another (then `base`, `limit` and `own` are unused). */
  #splice: SpliceView<ItemList<T>> | null = null;

  private constructor(
    private readonly base: readonly T[],
    private readonly limit: number,
    private readonly own: ReadonlyMap<number, T> | null,
    readonly length: number,
  ) {
    this.#flat = own === null && limit === length && base.length === length ? base : null;
  }

  /** Splice views between this list and a flat one (0 for a flat or overlaid list). */
  get depth(): number {
    return this.#splice === null ? 0 : this.#splice.depth;
  }

  /**
   * The list with `removed` items at `at` replaced by `ins` (`Array.prototype.splice` without
   * writing anything): O(1) while the chain of views is shallow, a copy once it is not.
   */
  splice(at: number, removed: number, ins: readonly T[]): ItemList<T> {
    const length = this.length - removed + ins.length;
    const depth = this.depth + 1;
    if (depth > MAX_SPLICE_DEPTH || length <= MAX_ITEM_EDITS) {
      const all = this.toArray();
      const out = all.slice(0, at);
      for (const v of ins) out.push(v);
      for (let i = at + removed; i < all.length; i++) out.push(all[i]!);
      return ItemList.of(out);
    }
    const next = new ItemList<T>([], 0, null, length);
    next.#flat = null;
    next.#splice = { parent: this, at, removed, ins, depth };
    return next;
  }

  /** A list of `items`; the caller gives the array up (it must not write it afterwards). */
  static of<T extends Keyed>(items: readonly T[]): ItemList<T> {
    return new ItemList(items, items.length, null, items.length);
  }

  /** The item at `i`, or undefined past the end. */
  at(i: number): T | undefined {
    if (i >= this.length || i < 0) return undefined;
    if (this.#flat !== null) return this.#flat[i];
    // Walk up the splice views to the list that holds position `i`.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    let l: ItemList<T> = this;
    for (let v = l.#splice; v !== null; v = l.#splice) {
      if (i >= v.at) {
        if (i < v.at + v.ins.length) return v.ins[i - v.at] as T;
        i += v.removed - v.ins.length;
      }
      l = v.parent;
      if (l.#flat !== null) return l.#flat[i];
    }
    return l.atOwn(i);
  }

  private atOwn(i: number): T | undefined {
    if (this.own !== null) {
      const v = this.own.get(i);
      if (v !== undefined) return v;
    }
    return i < this.limit ? this.base[i] : undefined;
  }

  /** All items in order. Do not write the result. */
  toArray(): readonly T[] {
    if (this.#flat !== null) return this.#flat;
    const v = this.#splice;
    if (v !== null) {
      const all = v.parent.toArray();
      const out = all.slice(0, v.at);
      for (const x of v.ins) out.push(x as T);
      for (let i = v.at + v.removed; i < all.length; i++) out.push(all[i]!);
      this.#flat = out;
      return out;
    }
    const out = this.base.slice(0, Math.min(this.limit, this.length));
    if (this.own !== null) for (const [i, v] of this.own) out[i] = v;
    this.#flat = out;
    return out;
  }

  /**
   * The list whose first `keep` items are these with the ones at `edits` positions (all below
   * `keep`) replaced, followed by `tail`.
   */
  derive(keep: number, edits: readonly (readonly [number, T])[], tail: readonly T[]): ItemList<T> {
    if (this.#splice !== null) {
      // A spliced list takes the edits as splices of its own while the chain stays shallow.
      if (this.depth + edits.length + 1 > MAX_SPLICE_DEPTH) return ItemList.of(this.toArray()).derive(keep, edits, tail);
      let l: ItemList<T> = keep < this.length || tail.length > 0 ? this.splice(keep, this.length - keep, tail) : this;
      for (const [i, v] of edits) l = l.splice(i, 1, [v]);
      return l;
    }
    const length = keep + tail.length;
    const limit = Math.min(this.limit, keep);
    const kept = this.own === null ? 0 : this.own.size;
    // A short list is cheaper to copy than to overlay.
    if (kept + edits.length + tail.length > Math.min(MAX_ITEM_EDITS, length >> 1)) {
      const out = this.toArray().slice(0, keep);
      for (const [i, v] of edits) out[i] = v;
      for (const v of tail) out.push(v);
      return ItemList.of(out);
    }
    const own = new Map<number, T>();
    if (this.own !== null) for (const [i, v] of this.own) if (i < keep) own.set(i, v);
    for (const [i, v] of edits) own.set(i, v);
    for (let j = 0; j < tail.length; j++) own.set(keep + j, tail[j]!);
    return new ItemList(this.base, limit, own.size > 0 ? own : null, length);
  }
}

/**
 * Item key to position in a range. Never changes once made; keys are unique within a range.
 * A derived index is the base map cut at `limit` plus the keys of `tail` (at `limit` on), whose
 * map is made on the first lookup: a render that never looks keys up never pays for it.
 */
export class KeyIndex {
  #own: Map<string, number> | null = null;
  /** Set when this index is a splice of another (then `base`, `limit` and `tail` are unused). */
  #splice: (SpliceView<KeyIndex> & { readonly length: number }) | null = null;

  private constructor(
    private readonly base: ReadonlyMap<string, number>,
    private readonly limit: number,
    private readonly tail: readonly Keyed[],
  ) {}

  /** An index of `map`; the caller gives the map up. */
  static of(map: ReadonlyMap<string, number>): KeyIndex {
    return new KeyIndex(map, Infinity, []);
  }

  /** Number of keys (the length of the list indexed). */
  get length(): number {
    if (this.#splice !== null) return this.#splice.length;
    return this.limit === Infinity ? this.base.size : this.limit + this.tail.length;
  }

  /**
   * The index of `items`, which are these positions with `removed` keys at `at` replaced by the
   * keys of `ins`: O(1) while the chain of splices is shallow, a new map once it is not.
   */
  splice(at: number, removed: number, ins: readonly Keyed[], items: ItemList<Keyed>): KeyIndex {
    const depth = (this.#splice?.depth ?? 0) + 1;
    if (depth > MAX_SPLICE_DEPTH) return KeyIndex.ofItems(items);
    const next = new KeyIndex(EMPTY_MAP, 0, []);
    next.#splice = { parent: this, at, removed, ins, depth, length: this.length - removed + ins.length };
    return next;
  }

  /** A fresh index of every key of `items`. */
  static ofItems(items: ItemList<Keyed>): KeyIndex {
    const map = new Map<string, number>();
    const all = items.toArray();
    for (let i = 0; i < all.length; i++) map.set(all[i]!.key, i);
    return KeyIndex.of(map);
  }

  /** The position of `key`, or undefined. */
  get(key: string): number | undefined {
    const v = this.#splice;
    if (v !== null) {
      // Keys are unique: an inserted key is not also a kept one.
      let own = this.#own;
      if (own === null) {
        own = new Map();
        for (let j = 0; j < v.ins.length; j++) own.set(v.ins[j]!.key, v.at + j);
        this.#own = own;
      }
      const q = own.get(key);
      if (q !== undefined) return q;
      const p = v.parent.get(key);
      if (p === undefined || p < v.at) return p;
      return p < v.at + v.removed ? undefined : p - v.removed + v.ins.length;
    }
    if (this.tail.length > 0) {
      let own = this.#own;
      if (own === null) {
        own = new Map();
        for (let j = 0; j < this.tail.length; j++) own.set(this.tail[j]!.key, this.limit + j);
        this.#own = own;
      }
      const p = own.get(key);
      if (p !== undefined) return p;
    }
    const p = this.base.get(key);
    return p !== undefined && p < this.limit ? p : undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /**
   * The index of a list whose items below `keep` are at the same positions with the same keys as
   * here, followed by `tail` (the items from `keep` on). `items` is the whole new list, used when
   * the base map is mostly stale.
   */
  derive(keep: number, tail: readonly Keyed[], items: ItemList<Keyed>): KeyIndex {
    // Nothing cut and nothing added: the same keys at the same positions.
    const length = this.length;
    if (tail.length === 0 && keep >= length) return this;
    if (this.#splice !== null) return this.splice(keep, length - keep, tail, items);
    const limit = Math.min(this.limit, keep);
    // Keys of this overlay still below `keep` stay in the new one.
    const carried = this.limit < keep ? Math.min(this.tail.length, keep - this.limit) : 0;
    const size = carried + tail.length;
    // The overlay costs nothing until a lookup; flatten only when most of the base map is stale
    // (a list that shrank a lot), so that it does not keep the keys of long-gone items.
    if (size > MIN_KEY_OVERLAY && this.base.size > 2 * (limit + size)) return KeyIndex.ofItems(items);
    const next = carried === 0 ? tail : [...this.tail.slice(0, carried), ...tail];
    return new KeyIndex(this.base, limit, next);
  }
}

const EMPTY_MAP: ReadonlyMap<string, number> = new Map();
