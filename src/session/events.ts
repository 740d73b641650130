/**
 * What the engine's `dispatch` takes and gives: the events that reach a session group, who they
 * come from, and the reply. Every entry point of the server (page GET, JSON GET and POST, form
 * POST, WebSocket connect / message / close, broadcasts, bus notices, re-syncs, `send()`) is one of
 * these events; transports only translate to and from them.
 */
import type { ServerMessage } from "../protocol/messages.js";
import type { Member } from "./frame.js";
import type { ConnectContext, MaybePromise } from "./types.js";
import type { TopicDelivery } from "../topics/types.js";
import type { UploadClientMessage } from "../protocol/uploads.js";
import type { UploadSet } from "../uploads/upload-set.js";

/**
 * A function run against each targeted group's state before it is re-rendered: it receives the
 * template data (the single store, or the object of stores by name) and may change it, possibly
 * asynchronously (`S` is its type when the handler was made by `tmpl.handle<S>(...)`). It runs in the group's queue like an action; if it throws, that group's state
 * is rolled back and the error logged.
 */
export type BroadcastUpdate<S = unknown> = (data: S, info: { groupId: string }) => MaybePromise<void>;

/** An event for one session group. */
export type SessionEvent =
  /** A page (or JSON tree) load: `mount` with the query, then a full render for the origin. */
  | { readonly kind: "load"; readonly query: Readonly<Record<string, string>> }
  /** A live connection opened: it joins the group, `mount`, `onConnect`, then its full tree. */
  | { readonly kind: "connect"; readonly query: Readonly<Record<string, string>>; readonly context: ConnectContext }
  /**
   * A client asks for another query of the same page (`__navigate__`): `mount` with it, then the
   * new tree: a diff when the connection asked for one (`diff`, our client's `nav` capability),
   * else the full tree (what the published client has always been sent).
   */
  | { readonly kind: "navigate"; readonly query: Readonly<Record<string, string>>; readonly diff?: boolean }
  /** An action sent by a client (WebSocket message, JSON POST or form POST). */
  | {
      readonly kind: "action";
      readonly action: string;
      readonly data: Record<string, unknown>;
      readonly submitter: string | undefined;
      /**
       * The client's id for this action (our client sends one, the published client none): a
       * repeated id gets the first try's outcome and the action does not run again.
       */
      readonly id?: string | undefined;
    }
  /**
   * A no-JS form post: the action is the `lvt-action` field, else the first field named after an
   * action (the submit button's `name`).
   */
  | {
      readonly kind: "form";
      readonly fields: Record<string, unknown>;
      /** The files of a multipart post, already staged (the action reads them with `ctx.uploads`). */
      readonly uploads?: UploadSet | undefined;
    }
  /**
   * An upload message: a selection (`upload_start`), a chunk of bytes (JSON or a binary frame),
   * a completion, a cancel. Chunks are written to disk outside the group's queue; the rest runs
   * in it (see `session/upload-events.ts`).
   */
  | { readonly kind: "upload"; readonly message: UploadClientMessage }
  /** A live connection closed: it leaves the group, then `onDisconnect`. */
  | { readonly kind: "disconnect"; readonly context: ConnectContext }
  /** Store code called `broadcaster.send()`: re-render and push what it changed. */
  | { readonly kind: "send" }
  /** The server broadcasts to this group (`handler.broadcast*`), with an optional update. */
  | { readonly kind: "broadcast"; readonly update: BroadcastUpdate | undefined }
  /** Another instance changed this group (a bus notice): reload it and push the difference. */
  | { readonly kind: "remote" }
  /** The shared session store may have missed saves: bring the group in line with it. */
  | { readonly kind: "resync" }
  /**
   * The group moves to a fresh session id (after a login, against session fixation): its state,
   * its connections and later events follow the new id; the old id is forgotten.
   */
  | { readonly kind: "rotate"; readonly to: string }
  /**
   * Work started by `ctx.async` finished (`run` is the run it belongs to): apply its result, or
   * show its failure, in the queue; dropped when `run` is no longer its key's current one.
   */
  | {
      readonly kind: "async";
      readonly key: string;
      readonly run: object;
      readonly result: { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };
    }
  /**
   * Messages published to topics the group subscribes to and presence diffs of those topics,
   * batched per tick: the stores' `onMessage`/`onPresence` run for each, then one render.
   */
  | { readonly kind: "topic"; readonly deliveries: readonly TopicDelivery[] };

/** Who an event comes from, and so where its reply goes. */
export type Origin =
  /** A live connection; replies are delivered to it in order, inside the group's queue. */
  | { readonly kind: "live"; readonly member: Member }
  /**
   * An HTTP request. `reply` says what it wants back: a JSON tree message or a whole page (a
   * browser GET, a no-JS form post).
   */
  | {
      readonly kind: "request";
      readonly userId: string;
      readonly reply: "json" | "page";
      /**
       * The id of the HTTP render the client holds (`X-LiveTemplate-Render`), "" when its tree did
       * not come over HTTP; absent when the client does not send one (the published client).
       */
      readonly render?: string | undefined;
      /** Dev mode: the page has the dev overlay, so a failed action's reply carries `meta.dev`. */
      readonly devDetails?: boolean;
    }
  /** The server itself (broadcasts, bus notices, re-syncs, timers). */
  | { readonly kind: "server" };

/** What `dispatch` resolves with. */
export type Reply =
  /** Nothing for the origin (server events, disconnects). */
  | { readonly kind: "none" }
  /**
   * A protocol message for the origin. A live origin has already been sent it, in order; a
   * request's transport writes it.
   */
  | {
      readonly kind: "message";
      readonly message: ServerMessage;
      /** For a tree sent over HTTP: the id of the render it brings the client to. */
      readonly render?: string | undefined;
      /** Bytes of the encoded message when it was already sent to a live origin. */
      readonly bytes?: number;
    }
  /** A whole page; `status` 422 when it shows the errors of a failed form post. */
  | { readonly kind: "page"; readonly status: 200 | 422; readonly html: string }
  /**
   * A form post that succeeded, or a page GET whose `mount` sent the browser elsewhere: the
   * transport answers 303 to `location` (store code's `redirect`/`navigate`/`patch`), else back to
   * the page itself.
   */
  | { readonly kind: "done"; readonly location?: string };
