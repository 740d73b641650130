/**
 * Cross-instance broadcasting. With several server instances behind a load balancer, the tabs of
 * one session group may be connected to different instances; a bus carries "re-render these
 * targets" notices between them. The handler works without one (single instance).
 */
import type { MaybePromise } from "../session/types.js";

/** Who a broadcast is for. */
export type BroadcastTarget =
  | { readonly kind: "all" }
  | { readonly kind: "users"; readonly ids: readonly string[] }
  | { readonly kind: "group"; readonly id: string };

/**
 * A message on the bus. It carries no session state (that lives in the shared session store):
 * either a notice that `target` changed (a receiving handler reloads the targeted groups it has
 * live connections for, re-renders them and pushes the diffs), or, in `topic`, a message of the
 * topics and presence layer (a published event, presence changes; see docs/realtime.md), which
 * a bus carries without looking inside. Must survive `JSON.stringify`/`JSON.parse`.
 */
export type BroadcastMessage =
  | {
      /** Id of the handler instance that published it; a handler ignores its own messages. */
      readonly source: string;
      /** Channel name: handlers of different pages must not react to each other (default: page id). */
      readonly channel: string;
      readonly target: BroadcastTarget;
      readonly topic?: undefined;
    }
  | {
      readonly source: string;
      readonly channel: string;
      /** A topics payload: a JSON object with a string `kind`. */
      readonly topic: TopicPayload;
      readonly target?: undefined;
    };

/** What a topics message carries, opaque to a bus. */
export interface TopicPayload {
  readonly kind: string;
  readonly [field: string]: unknown;
}

/**
 * Channel of a message a bus delivers to its own listeners after it may have lost messages (it
 * was disconnected and has subscribed again): every handler re-syncs every group it holds from
 * the session store, whatever its own channel.
 */
export const RESYNC_CHANNEL = "*";

/**
 * A publish/subscribe transport between instances (for example Redis pub/sub).
 * - `publish` sends a message to every subscriber, including those in the same process (the
 *   handler drops its own by `source`).
 * - `subscribe` registers the listener and returns a function that removes it (possibly async).
 * - `ping` (optional) checks that the backend is reachable, for `handler.health()`.
 * Delivery is best effort; a lost message leaves remote tabs stale until their next update. A bus
 * that knows it lost messages (a reconnect) delivers `{ source: "", channel: RESYNC_CHANNEL,
 * target: { kind: "all" } }` to its listeners once it receives messages again.
 */
export interface BroadcastBus {
  publish(message: BroadcastMessage): MaybePromise<void>;
  subscribe(listener: (message: BroadcastMessage) => void): MaybePromise<() => MaybePromise<void>>;
  /** Optional: resolves when the backend answers, rejects when it is unreachable (`handler.health()`). */
  ping?(): Promise<void>;
}
