/**
 * Change hints: the data paths an action wrote. A path names a property chain from the root of
 * the data (`["todos", 3, "done"]`); a write at a path covers everything below it, so
 * `["todos"]` says "the whole list may be different" and `[]` says "anything may have changed".
 */

import { isListEdit, type ChangeEntry, type Splice } from "./path.js";

interface TrieNode {
  /** A path ends here: everything at and below this point changed. */
  end: boolean;
  kids: Map<string, TrieNode> | null;
  /** Some write went two or more segments below this point (into a child's own properties). */
  deep: boolean;
  /** The splices of the array here (see `ListEdit`); paths in `kids` use indices after them. */
  splices: Splice[] | null;
}

/** A written path's end with nothing recorded below it; shared, never changed (it is `end`). */
const LEAF: TrieNode = Object.freeze({ end: true, kids: null, deep: false, splices: null }) as TrieNode;

/** What {@link ChangeSet.listEdits} finds for an array edited by splices. */
export interface ListEdits {
  readonly splices: readonly Splice[];
  /** First segments of the paths below the array (indices after the splices). */
  readonly kids: readonly string[];
}

/** What {@link ChangeSet} finds when a strict prefix of a queried path was written. */
const WRITTEN = Symbol("written");

/** A set of written paths, queried by overlap. */
export class ChangeSet {
  private readonly root: TrieNode = { end: false, kids: null, deep: false, splices: null };

  /** Entries in the order they were written (a list's splices before the paths below it). */
  constructor(entries: Iterable<ChangeEntry>) {
    for (const e of entries) {
      if (isListEdit(e)) {
        this.addSplices(e.list, e.splices);
        continue;
      }
      const p = e;
      let n = this.root;
      for (let d = 0; d < p.length; d++) {
        if (n.end) break;
        if (p.length >= d + 2) n.deep = true;
        const k = String(p[d]);
        n.kids ??= new Map();
        let next = n.kids.get(k);
        if (!next) {
          // A path's last segment gets the shared leaf (a journal lists thousands of indices).
          next = d === p.length - 1 ? LEAF : { end: false, kids: null, deep: false, splices: null };
          n.kids.set(k, next);
        }
        n = next;
      }
      if (n.end) continue;
      n.end = true;
      n.kids = null;
      n.splices = null;
    }
  }

  private addSplices(list: readonly (string | number)[], splices: readonly Splice[]): void {
    let n = this.root;
    for (let d = 0; d < list.length; d++) {
      if (n.end) return;
      n.deep = true;
      const k = String(list[d]);
      n.kids ??= new Map();
      let next = n.kids.get(k);
      if (!next || next === LEAF) {
        if (next === LEAF) return;
        next = { end: false, kids: null, deep: false, splices: null };
        n.kids.set(k, next);
      }
      n = next;
    }
    if (n.end) return;
    if (n.kids !== null) {
      // Paths below the array name indices from before these splices: they cannot be told
      // apart from the ones after, so the array counts as written whole.
      n.end = true;
      n.kids = null;
      n.splices = null;
      return;
    }
    n.splices = n.splices === null ? [...splices] : [...n.splices, ...splices];
  }

  /**
   * The trie node at `path`; `WRITTEN` when a strict prefix of `path` was written as a whole, or
   * `null` when no write reached `path`.
   */
  private find(path: readonly string[]): TrieNode | typeof WRITTEN | null {
    let n = this.root;
    for (const seg of path) {
      if (n.end) return WRITTEN;
      const next = n.kids?.get(seg);
      if (!next) return null;
      n = next;
    }
    return n;
  }

  /** True when a write at, above or below `path` was reported. */
  overlaps(path: readonly string[]): boolean {
    const n = this.find(path);
    return n === WRITTEN || (n !== null && (n.end || n.kids !== null || n.splices !== null));
  }

  /**
   * The splices of the array at `path` and the first segments of the paths below it, or null
   * when the array was not edited by splices (or was written whole).
   */
  listEdits(path: readonly string[]): ListEdits | null {
    const n = this.find(path);
    if (n === WRITTEN || n === null || n.end || n.splices === null) return null;
    return { splices: n.splices, kids: n.kids ? [...n.kids.keys()] : [] };
  }

  /**
   * The first segments of the writes strictly below `path`, or null when `path` itself (or a
   * prefix of it) was written. An empty array means nothing at or below `path` was written.
   */
  childrenBelow(path: readonly string[]): string[] | null {
    const n = this.find(path);
    if (n === WRITTEN) return null;
    if (n === null) return [];
    // An array edited by splices: its indices moved, only `listEdits` can tell which.
    if (n.end || n.splices !== null) return null;
    return n.kids ? [...n.kids.keys()] : [];
  }

  /**
   * True when some write reached two or more segments below `path` (for a list: a property of
   * one of its elements, not just an index or `length`), or when `path` or a prefix was written.
   */
  deepBelow(path: readonly string[]): boolean {
    const n = this.find(path);
    return n === WRITTEN || (n !== null && (n.end || n.deep));
  }
}
