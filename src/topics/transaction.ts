/**
 * An action's topic methods as part of its transaction. What other groups would see and cannot
 * be taken back (`publish`), and what only removes (`unsubscribe`, `untrack`), waits until the
 * action is saved; `subscribe` and `track` act at once, because an action may await them, and
 * are undone when the action fails or runs again (a shared session store re-runs an action that
 * lost a race). Checks run at the call, so a bad topic name still throws inside the action.
 */
import { checkName, jsonCopy } from "./errors.js";
import type { PresenceEntry, PresenceMeta, SubscribeOptions, TopicControls, TrackOptions } from "./types.js";

/** An action's topic methods, settled with its transaction. */
export interface TopicTransaction extends TopicControls {
  /** The action was saved: what waited for it happens now. */
  commit(): void;
  /** The action failed, or runs again: what it did is taken back and what waited is dropped. */
  rollback(): void;
}

/** The hub's own methods for one caller; `onUndo` receives what takes a change back. */
export interface TransactionPorts {
  subscribe(topic: string, options: SubscribeOptions | undefined, onUndo: (fn: () => void) => void): Promise<void>;
  track(topic: string, key: string, meta: PresenceMeta | undefined, options: TrackOptions | undefined, onUndo: (fn: () => void) => void): Promise<void>;
  unsubscribe(topic: string): void;
  /** Sends an already checked copy of the event. */
  publish(topic: string, copy: unknown): void;
  untrack(topic: string, key: string): void;
  presence(topic: string): readonly PresenceEntry[];
}

export function topicTransaction(ports: TransactionPorts): TopicTransaction {
  let later: (() => void)[] = [];
  let undo: (() => void)[] = [];
  const onUndo = (fn: () => void): void => {
    undo.push(fn);
  };
  return {
    subscribe: (topic, options) => ports.subscribe(topic, options, onUndo),
    track: (topic, key, meta, options) => ports.track(topic, key, meta, options, onUndo),
    unsubscribe: (topic) => {
      const t = checkName("topic", topic);
      later.push(() => ports.unsubscribe(t));
    },
    publish: (topic, event) => {
      const t = checkName("topic", topic);
      const copy = jsonCopy("the published event", event);
      later.push(() => ports.publish(t, copy));
    },
    untrack: (topic, key) => {
      const t = checkName("topic", topic);
      const k = checkName("presence key", key);
      later.push(() => ports.untrack(t, k));
    },
    presence: (topic) => ports.presence(topic),
    commit: () => {
      const run = later;
      later = [];
      undo = [];
      for (const fn of run) fn();
    },
    rollback: () => {
      const back = undo;
      undo = [];
      later = [];
      for (let i = back.length - 1; i >= 0; i--) back[i]!();
    },
  };
}
