/**
 * Undoing what an action wrote: the undo entries the write journal records, putting slotted
 * built-ins (Map, Set, Date, buffers) back in place, and the snapshot mode's deep copy.
 */
import { deepClone } from "./deep-clone.js";

type Key = string | symbol;

/** One recorded write, undone by restoring a property descriptor or by running `restore`. */
export type UndoEntry =
  | { kind: "prop"; target: object; key: Key; desc: PropertyDescriptor | undefined }
  | { kind: "restore"; restore: () => void };

/** A function putting `target` back into its current state, in place. */
export function restorer(target: object): () => void {
  if (target instanceof Map) {
    const saved = deepClone([...target.entries()]);
    return () => {
      target.clear();
      for (const [k, v] of saved) target.set(k, v);
    };
  }
  if (target instanceof Set) {
    const saved = deepClone([...target.values()]);
    return () => {
      target.clear();
      for (const v of saved) target.add(v);
    };
  }
  if (target instanceof Date) {
    const time = target.getTime();
    return () => target.setTime(time);
  }
  if (ArrayBuffer.isView(target)) {
    const bytes = new Uint8Array(target.buffer, target.byteOffset, target.byteLength);
    const saved = bytes.slice();
    return () => bytes.set(saved);
  }
  if (target instanceof ArrayBuffer) {
    const bytes = new Uint8Array(target);
    const saved = bytes.slice();
    return () => bytes.set(saved);
  }
  return () => {};
}

/**
 * The other tracking mode: a deep copy of each store before the action, restored in place on
 * rollback. Gives no changed paths (renders are unhinted).
 */
export function snapshotStores(stores: Record<string, object>): () => void {
  const saved = Object.entries(stores).map(([name, store]) => [name, store, deepClone(store)] as const);
  return () => {
    for (const [, store, copy] of saved) {
      for (const key of Reflect.ownKeys(store)) Reflect.deleteProperty(store, key);
      for (const key of Reflect.ownKeys(copy)) {
        const desc = Reflect.getOwnPropertyDescriptor(copy, key);
        if (desc !== undefined) Reflect.defineProperty(store, key, desc);
      }
    }
  };
}

/** `arr.splice(at, removed, ...ins)` without spreading `ins` into arguments (lists may be long). */
export function spliceIn(arr: unknown[], at: number, removed: number, ins: readonly unknown[]): void {
  if (ins.length < 1024) {
    arr.splice(at, removed, ...ins);
    return;
  }
  const tail = arr.slice(at + removed);
  arr.length = at;
  for (const v of ins) arr.push(v);
  for (const v of tail) arr.push(v);
}

/** Undoes recorded writes, newest first. */
export function undoAll(entries: readonly UndoEntry[]): void {
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]!;
    if (entry.kind === "restore") {
      entry.restore();
    } else if (entry.desc === undefined) {
      Reflect.deleteProperty(entry.target, entry.key);
    } else {
      Reflect.defineProperty(entry.target, entry.key, entry.desc);
    }
  }
}
