/**
 * Change tracking of store code, behind one interface: while an action (or a hook, `mount`, a
 * broadcast's update) runs, its writes are tracked so that a throw can be undone and a success
 * can tell the renderer which paths changed. Two ways, chosen per handler:
 * - `journal`: the stores are seen through the write journal's Proxies (exact rollback and
 *   change hints);
 * - `snapshot`: a deep copy is taken first (for stores with `#private` members, which a Proxy
 *   cannot reach); it gives no hints, so the render after it is unhinted.
 *
 * The hint policy lives here too: a write to an object that is also reachable from another place
 * of the state changes both places, while its path names one of them, so such a change is
 * reported as unknown (`undefined`) and rendered unhinted.
 */
import { WriteJournal, snapshotStores } from "./journal.js";
import type { ChangeHint } from "./path.js";

/** How writes are tracked (the handler option `tracking`). */
export type TrackingMode = "journal" | "snapshot";

/** What the tracker asks of the owner of the state. */
export interface TrackedState {
  /** The data-path prefix of a store's fields (`[]` for a single store, `[name]` otherwise). */
  basePath(name: string): readonly string[];
  /** Objects reachable from two or more places of the state (computed on demand, cached). */
  aliases(): ReadonlySet<object>;
  /** Forgets the cached aliasing (a write stored an object: new aliases may exist). */
  invalidateAliases(): void;
}

/** One tracked run of store code. */
export interface Tracked {
  /** The stores to run the code against (views of them under `journal`). */
  readonly views: Record<string, object>;
  /** Ends tracking; later writes through `views` are no longer recorded. */
  close(): void;
  /** Undoes every tracked write (after `close`). */
  rollback(): void;
  /**
   * After `close`: a function that undoes the run later, holding only what that needs (the
   * journal itself can then be collected).
   */
  takeUndo(): () => void;
  /** The changed paths for the next render, or `undefined` when they cannot be named. */
  hint(): ChangeHint;
}

/** Starts tracking writes to `stores`. */
export function track(mode: TrackingMode, stores: Record<string, object>, state: TrackedState): Tracked {
  if (mode === "snapshot") {
    const restore = snapshotStores(stores);
    return { views: stores, close() {}, rollback: restore, takeUndo: () => restore, hint: () => undefined };
  }
  const journal = new WriteJournal();
  const views: Record<string, object> = {};
  for (const [name, s] of Object.entries(stores)) views[name] = journal.wrap(s, state.basePath(name));
  return {
    views,
    close: () => journal.close(),
    rollback: () => journal.rollback(),
    takeUndo: () => journal.takeUndo(),
    hint(): ChangeHint {
      if (journal.referenceWritten) state.invalidateAliases();
      const aliases = state.aliases();
      for (const o of journal.writtenObjects()) if (aliases.has(o)) return undefined;
      return journal.hintPaths();
    },
  };
}
