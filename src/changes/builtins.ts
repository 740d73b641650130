/**
 * Built-in objects whose state lives in internal slots (Map, Set, Date, ArrayBuffer and its
 * views). A Proxy cannot forward their methods and their contents are not properties, so the
 * write journal records a change to one of them at the object's own path, and the tree hydrator
 * never reuses a rendered row for one. Both ask this one function, so they cannot disagree.
 */
export function isSlotted(v: object): boolean {
  return v instanceof Map || v instanceof Set || v instanceof Date || v instanceof ArrayBuffer || ArrayBuffer.isView(v);
}
