/**
 * Events from the server to the page: `ctx.pushEvent(name, payload)` in an action, `mount`, an
 * async completion or a broadcast's update, and `ctx.reply(value)` for a hook's `pushEvent`. A run
 * collects them in one {@link ClientEvents} value (per-call state, like `Navigation`), read when
 * the run ends: an action's go out in its reply's `meta.events` (sent only when the action was
 * saved), the others in a frame of their own to every member of the group.
 */
import { pushMessage, type PushedEvent, type TreeMessage } from "../protocol/messages.js";
import { LiveTemplateError } from "../errors.js";

/** Names the client dispatches for itself (`lvt:updated`...): a pushed event may not take them. */
const RESERVED = new Set(["connected", "disconnected", "updated", "error", "pending", "success", "done"]);
/** Longest event name accepted. */
const MAX_NAME = 100;

/** Options of {@link PushControls.pushEvent}. */
export interface PushEventOptions {
  /**
   * Client commands to run on the page before the event is dispatched, a JSON command list such
   * as `[["show", {"to": "#toast"}], ["transition", {"names": "fade-in", "time": 300, "to": "#toast"}]]`
   * (docs/client.md, "Commands").
   */
  readonly commands?: readonly unknown[];
}

/** The methods store code uses to talk to the page besides the tree. */
export interface PushControls {
  /**
   * Pushes an event to the page: dispatched as the DOM event `lvt:<name>` on `window` (with
   * `payload` as `detail`) and to every hook that called `this.handleEvent(name, fn)`, once the
   * message's tree is applied. From an action it goes to the connection that sent it (with the
   * reply, and only if the action succeeded); from an async completion or a broadcast's update,
   * to every connection of the session group. `payload` must be JSON.
   *
   * @example
   * ```ts
   * ctx.pushEvent("saved", { id: item.id }, { commands: [["focus", { to: "#title" }]] });
   * ```
   */
  pushEvent(name: string, payload?: unknown, options?: PushEventOptions): void;
}

/** Thrown for an event name that is empty, too long, not a string, or one the client reserves. */
export class PushEventError extends LiveTemplateError {
  constructor(message: string) {
    super("LT_ERR_ACTION_EVENT", message);
  }
}

/** One run's pushed events and reply. */
export class ClientEvents implements PushControls {
  events: PushedEvent[] = [];
  /** Set by `ctx.reply(value)`; `undefined` when the run gave none. */
  reply: { value: unknown } | undefined;

  /** Forgets what a previous run pushed (a shared store may run store code again). */
  reset(): void {
    this.events = [];
    this.reply = undefined;
  }

  pushEvent(name: string, payload?: unknown, options?: PushEventOptions): void {
    if (typeof name !== "string" || name === "" || name.length > MAX_NAME || RESERVED.has(name)) {
      throw new PushEventError(`pushEvent needs a name of 1 to ${MAX_NAME} characters other than ${[...RESERVED].join(", ")}; got ${JSON.stringify(name)}`);
    }
    if (options?.commands !== undefined && !Array.isArray(options.commands)) throw new PushEventError("pushEvent's commands must be a list");
    const e: PushedEvent = { name };
    if (payload !== undefined) e.payload = payload;
    if (options?.commands !== undefined) e.commands = [...options.commands];
    this.events.push(e);
  }

  setReply(value: unknown): void {
    this.reply = { value };
  }

  get empty(): boolean {
    return this.events.length === 0 && this.reply === undefined;
  }
}

/** `message` with the run's events and reply in its meta (unchanged when there are none). */
export function withClientEvents(message: TreeMessage, ev: ClientEvents | undefined): TreeMessage {
  if (ev === undefined || ev.empty) return message;
  const meta = { ...message.meta };
  if (ev.events.length > 0) meta.events = ev.events;
  if (ev.reply !== undefined) meta.reply = ev.reply.value;
  return { tree: message.tree, meta };
}

/** A frame of events alone (no tree change), pushed to every member after an async completion or a broadcast. */
export function eventsMessage(events: PushedEvent[]): TreeMessage {
  const m = pushMessage({});
  return { tree: m.tree, meta: { ...m.meta, events } };
}
