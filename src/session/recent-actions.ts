/**
 * The ids of a session group's recent actions and what came of them, so that an action a client
 * sends again (it could not tell whether the first try arrived) is answered with the first
 * outcome instead of running twice. Bounded: the oldest ids are forgotten first.
 */
import type { ErrorMessage, ResponseMeta } from "../protocol/messages.js";

/** What a client was (or would have been) told about an action. */
export type ActionOutcome =
  | { readonly kind: "meta"; readonly meta: ResponseMeta }
  | { readonly kind: "error"; readonly message: ErrorMessage };

/** How many action ids a group remembers. */
export const RECENT_ACTION_IDS = 256;

type Entry = { done: true; outcome: ActionOutcome } | { done: false; settled: Promise<ActionOutcome | undefined> };

export class RecentActions {
  /** Created with the first id: most groups never see one. */
  private map: Map<string, Entry> | undefined;

  constructor(private readonly limit = RECENT_ACTION_IDS) {}

  /**
   * The outcome of `id` if it was seen: at once when it is known, after the first try ends when
   * that is still running (`undefined` then means the first try did not run and was forgotten).
   */
  lookup(id: string): ActionOutcome | Promise<ActionOutcome | undefined> | undefined {
    const e = this.map?.get(id);
    if (e === undefined) return undefined;
    return e.done ? e.outcome : e.settled;
  }

  /**
   * Records that `id` is being tried now; the returned function ends the try with its outcome, or
   * with `undefined` when the action did not run (the id is forgotten, a retry will run it).
   */
  begin(id: string): (outcome: ActionOutcome | undefined) => void {
    let settle: (o: ActionOutcome | undefined) => void = () => {};
    const settled = new Promise<ActionOutcome | undefined>((resolve) => (settle = resolve));
    this.put(id, { done: false, settled });
    return (outcome) => {
      const entries = this.map;
      if (entries?.get(id)?.done === false) {
        if (outcome === undefined) entries.delete(id);
        else entries.set(id, { done: true, outcome });
      }
      settle(outcome);
    };
  }

  get size(): number {
    return this.map?.size ?? 0;
  }

  private put(id: string, entry: Entry): void {
    const entries = (this.map ??= new Map());
    entries.delete(id);
    entries.set(id, entry);
    while (entries.size > this.limit) {
      const oldest = entries.keys().next().value as string;
      entries.delete(oldest);
    }
  }
}
