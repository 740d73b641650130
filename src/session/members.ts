/**
 * The live members of a session group. Most groups have one tab, and a `Set` of one costs a hash
 * table of four slots (about 150 bytes) for as long as the tab is open: one member is held alone,
 * a set only from the second on. Deleting while iterating is safe, as with a `Set`.
 */
export class Members<M> implements Iterable<M> {
  private one: M | undefined;
  private many: Set<M> | undefined;

  get size(): number {
    return this.many !== undefined ? this.many.size : this.one === undefined ? 0 : 1;
  }

  has(m: M): boolean {
    return this.many !== undefined ? this.many.has(m) : this.one === m;
  }

  add(m: M): void {
    if (this.many !== undefined) this.many.add(m);
    else if (this.one === undefined || this.one === m) this.one = m;
    else {
      this.many = new Set([this.one, m]);
      this.one = undefined;
    }
  }

  delete(m: M): boolean {
    const many = this.many;
    if (many === undefined) {
      if (this.one !== m) return false;
      this.one = undefined;
      return true;
    }
    if (!many.delete(m)) return false;
    // Back to one: an iteration in progress keeps walking the set it started on.
    if (many.size === 1) {
      this.one = many.values().next().value as M;
      this.many = undefined;
    }
    return true;
  }

  [Symbol.iterator](): Iterator<M> {
    if (this.many !== undefined) return this.many.values();
    return (this.one === undefined ? [] : [this.one]).values();
  }
}
