/** The client's public option and event types, and the shape of a server message as read. */
import type { ResponseMeta } from "../protocol/messages.js";
import type { Hook } from "./hooks.js";

/** Options of `connect`; every one has a default. */
export interface ClientOptions {
  /** URL of the live page (HEAD probe, JSON GET/POST, WebSocket). Default: the current URL. */
  url?: string;
  /** Try WebSocket at all. Default `true`; `false` talks HTTP only. */
  websocket?: boolean;
  /** Reconnect a dropped socket. Default `true`. */
  reconnect?: boolean;
  /** First reconnect delay in ms, doubled per attempt, with jitter. Default 500. */
  reconnectDelay?: number;
  /** Longest reconnect delay in ms. Default 15000. */
  reconnectMaxDelay?: number;
  /** Heartbeat interval in ms (`__ping__`); a ping unanswered by the next beat drops the socket. 0 disables. Default 25000, or the wrapper's `data-lvt-heartbeat-ms`. */
  heartbeat?: number;
  /** Hooks for `lvt-hook`, looked up before the global registry. */
  hooks?: Record<string, Hook>;
}

/** Detail of the wrapper's `lvt:error`: a server error envelope, or the client's own report. */
export interface ErrorDetail {
  type: "error";
  code: string;
  message: string;
  /** The action concerned, when known. */
  action?: string;
  /** For `LT_ERR_CLIENT_UNREACHABLE`: true when the action is kept and sent again once the server answers. */
  queued?: boolean;
}

/** A server message as the client reads it (any field may be missing). */
export type Message = { tree?: unknown; meta?: Partial<ResponseMeta>; pong?: unknown; type?: unknown; code?: unknown; message?: unknown };

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
