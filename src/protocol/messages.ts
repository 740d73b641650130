/**
 * Every message of the wire protocol (PROTOCOL.md §3) as a type: what a client sends, and the
 * `ServerMessage` union of everything a server sends. The engine builds these values, the
 * transports encode and write them, and the browser client reads them. Imports nothing at run
 * time, so the client bundle may include it.
 */
import type { TreeNode, TreeUpdate } from "./tree.js";
import { ERROR_GENERAL, ERROR_RATE_LIMIT } from "./wire.js";
import type { UploadServerMessage } from "./uploads.js";

/** A tree or a tree update as it travels (PROTOCOL.md §4-6; the types are in `tree.ts`). */
export type WireTree = TreeNode | TreeUpdate;

/** A message from client to server. */
export interface ClientMessage {
  action: string;
  data?: Record<string, unknown>;
  submitter?: string;
  /**
   * Our client's id of this action (unique per page load), so that a retry after a lost reply
   * is answered from memory instead of running twice. The published client sends none.
   */
  id?: string;
}

/** Metadata sent with every tree message. */
export interface ResponseMeta {
  success: boolean;
  errors: Record<string, string>;
  /** Dev mode only: what went wrong, for the dev overlay (docs/dev-mode.md). Other clients ignore it. */
  dev?: DevDetail;
  action?: string;
  capabilities?: string[];
  /**
   * Where store code sends the browser (`ctx.patch` / `navigate` / `redirect`). The published
   * client ignores it; ours pushes a history entry (`patch`), swaps to another live page
   * (`navigate`) or loads the page (`redirect`).
   */
  navigation?: NavigationMeta;
  /** Events pushed by store code (`ctx.pushEvent`), in order (wire key `META_EVENTS`). */
  events?: PushedEvent[];
  /** What the action handed `ctx.reply(value)` (wire key `META_REPLY`); our client gives it to a hook's `pushEvent`. */
  reply?: unknown;
}

/** One event pushed from the server to the page (`ctx.pushEvent(name, payload, {commands})`). */
export interface PushedEvent {
  name: string;
  payload?: unknown;
  /** Client commands to run before the event is dispatched (docs/client.md, "Commands"). */
  commands?: unknown[];
}

/** `meta.navigation`: what the client does after applying the message's tree. */
export interface NavigationMeta {
  kind: "patch" | "navigate" | "redirect";
  /** A URL: for `patch` and `navigate` a path or query of this origin. */
  to: string;
}

/**
 * Details of a failed action sent in dev mode: an action that threw, or a state that could not be
 * rendered or saved; `template` when the error is a template's (`template: NAME:LINE:COL: ...`).
 */
export interface DevDetail {
  kind: "action" | "render" | "save";
  message: string;
  stack?: string;
  template?: { name: string; line: number; column: number; source?: string };
}

/** A message from server to client carrying a tree or a diff. */
export interface TreeMessage {
  tree: WireTree;
  meta: ResponseMeta;
}

/** An error envelope; the connection stays open. */
export interface ErrorMessage {
  type: "error";
  code: string;
  message: string;
}

/** The reply to `__ping__`. */
export interface PongMessage {
  pong: true;
}

/** Everything a server sends to a client (the upload messages are in `uploads.ts`). */
export type ServerMessage = TreeMessage | ErrorMessage | PongMessage | UploadServerMessage;

/** The reply to `__ping__` (one shared value). */
export const PONG: PongMessage = Object.freeze({ pong: true });

const NO_ERRORS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** A tree message with the given meta (e.g. a remembered action's outcome, sent again). */
export function treeMessage(tree: WireTree, meta: ResponseMeta): TreeMessage {
  return { tree, meta };
}

/** A pushed update: a tree diff caused by someone else (another tab, a broadcast, a timer). */
export function pushMessage(tree: WireTree): TreeMessage {
  return { tree, meta: { success: true, errors: NO_ERRORS } };
}

/** The first full tree of a connection or a JSON load, with the announced capabilities. */
export function firstMessage(tree: WireTree, capabilities: readonly string[]): TreeMessage {
  return { tree, meta: { success: true, errors: NO_ERRORS, capabilities: [...capabilities] } };
}

/** The reply to an action: `success` is false exactly when `errors` has entries. */
export function actionReply(tree: WireTree, action: string, errors: Record<string, string>): TreeMessage {
  return { tree, meta: { success: isEmpty(errors), errors, action } };
}

/** True when a wire object (an error set, a tree update) has no entries: `{}`. */
export function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/** `message` with `meta.navigation` added (when there is one). */
export function withNavigation(message: TreeMessage, navigation: NavigationMeta | undefined): TreeMessage {
  return navigation === undefined ? message : { tree: message.tree, meta: { ...message.meta, navigation } };
}

/** The reply to an action refused by the rate limit: nothing changed, `_rate_limit` says why. */
export function rateLimitedReply(action: string, message: string): TreeMessage {
  return actionReply({}, action, { [ERROR_RATE_LIMIT]: message });
}

/** The reply to an action whose new state could not be rendered or saved. */
export function failedReply(action: string, message: string): TreeMessage {
  return actionReply({}, action, { [ERROR_GENERAL]: message });
}

/** An error envelope (the connection stays open). */
export function errorMessage(code: string, message: string): ErrorMessage {
  return { type: "error", code, message };
}

/** True for an error envelope. */
export function isErrorMessage(m: ServerMessage): m is ErrorMessage {
  return (m as Partial<ErrorMessage>).type === "error";
}

/** A checked client message. */
export interface ParsedMessage {
  action: string;
  data: Record<string, unknown>;
  submitter: string | undefined;
  /** The action id, when it is a string of at most {@link MAX_ACTION_ID} characters (else ignored). */
  id: string | undefined;
}

/** Longest action id the server remembers; a longer one is ignored (the action runs without one). */
export const MAX_ACTION_ID = 64;

/** Parses and checks a client message; returns a problem description on failure. */
export function parseMessage(text: string): ParsedMessage | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "message is not valid JSON";
  }
  return validateMessage(value);
}

/** Checks an already parsed client message; returns a problem description on failure. */
export function validateMessage(value: unknown): ParsedMessage | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "message must be a JSON object";
  const m = value as Record<string, unknown>;
  if (typeof m["action"] !== "string" || m["action"] === "") return 'message lacks a string "action"';
  const data = m["data"];
  if (data !== undefined && data !== null && (typeof data !== "object" || Array.isArray(data))) return '"data" must be an object';
  const submitter = m["submitter"];
  const id = m["id"];
  return {
    action: m["action"],
    data: (data ?? {}) as Record<string, unknown>,
    submitter: typeof submitter === "string" ? submitter : undefined,
    id: typeof id === "string" && id !== "" && id.length <= MAX_ACTION_ID ? id : undefined,
  };
}

/** `__navigate__` data as a query: scalar values as strings, anything else left out. */
export function stringValues(data: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = String(v);
  }
  return out;
}
