/**
 * Running `ctx.async` work: started outside the group's queue once the store code that asked for
 * it is saved, and its outcome brought back in as an `async` event (through `dispatch`), applied
 * in the queue in arrival order like any other event. A run that was replaced (its key started
 * again) or whose group went away is aborted, and its outcome is dropped.
 */
import { isEmpty } from "../protocol/messages.js";
import { errorsFromThrown } from "./action-errors.js";
import { asyncState, forgetAsync, type AsyncRequest, type AsyncRun, type AsyncStarter } from "./async-state.js";
import { ClientEvents, eventsMessage } from "./client-events.js";
import type { Delivery } from "./delivery.js";
import type { Reply, SessionEvent } from "./events.js";
import { encode } from "./frame.js";
import type { SessionGroup } from "./group.js";
import { LVT_KEY } from "./lvt.js";
import type { StoreCode } from "./store-code.js";
import type { Logger } from "./types.js";

type AsyncEvent = Extract<SessionEvent, { kind: "async" }>;

const NONE: Reply = { kind: "none" };

/** Shown by `.lvt.AsyncError` when the result was got but could not be rendered or saved. */
const NOT_APPLIED = "the result could not be applied";

export class AsyncRunner implements AsyncStarter<SessionGroup> {
  /**
   * `complete` hands an outcome back to the engine (`dispatch(group.id, event)`); `delivery`
   * writes the events an apply pushed.
   */
  constructor(
    private readonly complete: (g: SessionGroup, event: AsyncEvent) => Promise<unknown>,
    private readonly delivery: Delivery,
    private readonly logger: Logger,
    private readonly dev: boolean,
  ) {}

  /** Starts `request` for `g`, aborting the run of the same key before it. Call inside `run`. */
  start(g: SessionGroup, request: AsyncRequest): void {
    const state = asyncState(g);
    const key = request.key;
    state.runs.get(key)?.controller.abort(new DOMException(`async "${key}" was started again`, "AbortError"));
    state.errors.delete(key);
    const run: AsyncRun = { request, controller: new AbortController() };
    state.runs.set(key, run);
    const signal = run.controller.signal;
    const done = (result: AsyncEvent["result"]): void => {
      // An aborted run's outcome is never applied, whatever its function did with the signal.
      if (signal.aborted) return;
      this.complete(g, { kind: "async", key, run, result }).catch((err: unknown) => this.logger.error(`applying async "${key}" failed`, err));
    };
    // Started after the current task's turn, so none of it runs inside the group's queue.
    setImmediate(() => {
      if (signal.aborted) return;
      try {
        Promise.resolve(request.fn(signal)).then(
          (value) => done({ ok: true, value }),
          (error: unknown) => done({ ok: false, error }),
        );
      } catch (error) {
        done({ ok: false, error });
      }
    });
  }

  /**
   * Applies an outcome in `g`'s queue, unless its run is no longer the current one of its key
   * (replaced, or the group was forgotten and loaded again): the result through the request's
   * `apply` (default: assigned to the store's field `key`) as a transaction, a failure as
   * `.lvt.AsyncError`. Events the apply pushed go to every member once it is saved.
   */
  settle(g: SessionGroup | undefined, event: AsyncEvent, code: StoreCode): Promise<Reply> {
    if (g === undefined) return Promise.resolve(NONE);
    return g.run(async () => {
      const state = asyncState(g);
      const { key, result } = event;
      if (state.runs.get(key) !== event.run) return NONE;
      state.runs.delete(key);
      // `.lvt.Pending` turns false in the same render that shows the result.
      g.noteChanged([[LVT_KEY]]);
      if (!result.ok) {
        state.errors.set(key, this.message(key, result.error));
        g.pushUpdate();
        return NONE;
      }
      const request = (event.run as AsyncRun).request;
      const apply = request.apply ?? ((store: object, value: unknown) => void ((store as Record<string, unknown>)[key] = value));
      const events = new ClientEvents();
      const ctx = { key, groupId: g.id, pushEvent: events.pushEvent.bind(events) };
      const outcome = await code.applyTo(
        g,
        request.store,
        `async "${key}"`,
        (store) => {
          events.reset();
          return apply(store, result.value, ctx);
        },
        (errors) => {
          const first = Object.values(errors)[0];
          if (first !== undefined) state.errors.set(key, first);
          g.pushUpdate();
        },
      );
      if (outcome.kind === "failed" || outcome.kind === "unknown") {
        state.errors.set(key, NOT_APPLIED);
        g.noteChanged(undefined);
        g.pushUpdate();
      } else if (isEmpty(outcome.errors) && events.events.length > 0) {
        const frame = encode(eventsMessage(events.events));
        for (const m of [...g.members]) this.delivery.write(m, frame, (x) => g.removeMember(x));
      }
      return NONE;
    });
  }

  /** Aborts the async work of `groups` (the engine is closing). */
  forget(groups: Iterable<SessionGroup>): void {
    for (const g of groups) forgetAsync(g);
  }

  /** What `.lvt.AsyncError` shows for a failed run: as an action's `meta.errors` would (validation messages; others only in dev mode). */
  private message(key: string, error: unknown): string {
    const { errors, unexpected } = errorsFromThrown(error, this.dev);
    if (unexpected) this.logger.error(`LT_ERR_ACTION_FAILED: async "${key}" failed`, error);
    return Object.values(errors)[0] ?? "failed";
  }
}
