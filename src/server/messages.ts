/**
 * Client messages and small wire helpers of the live handler: parsing and checking a message,
 * error envelopes, refusing an upgrade.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { RawData } from "ws";
import type { ErrorCode } from "../errors.js";

/** An error envelope (PROTOCOL.md §3); the connection stays open. */
export function envelope(code: ErrorCode, message: string): { type: "error"; code: ErrorCode; message: string } {
  return { type: "error", code, message };
}

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
export function rejectUpgrade(socket: Duplex, status: number, text: string, headers: Record<string, string> = {}): void {
  const lines = [`HTTP/1.1 ${status} ${text}`, "Connection: close", "Content-Length: 0"];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  socket.end(lines.join("\r\n") + "\r\n\r\n");
}

/** The text of a WebSocket message, whatever buffer shape `ws` delivered. */
export function rawToString(raw: RawData): string {
  if (Buffer.isBuffer(raw)) return raw.toString("utf8");
  if (Array.isArray(raw)) return Buffer.concat(raw).toString("utf8");
  return Buffer.from(raw).toString("utf8");
}

/** A checked client message. */
export interface ParsedMessage {
  action: string;
  data: Record<string, unknown>;
  submitter: string | undefined;
}

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
  return {
    action: m["action"],
    data: (data ?? {}) as Record<string, unknown>,
    submitter: typeof submitter === "string" ? submitter : undefined,
  };
}

/** A shallow copy of a plain object, or `{}`. */
export function toRecord(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {};
}

/** The page's own path as the browser sees it (Express strips a router's mount path from `url`). */
export function pagePath(req: IncomingMessage, fallback: string): string {
  const original = (req as { originalUrl?: string }).originalUrl;
  return original !== undefined ? new URL(original, "http://localhost").pathname : fallback;
}

/** The query parameters of a request URL (the last value wins for repeated names). */
export function queryOf(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(new URL(req.url ?? "/", "http://localhost").searchParams);
}

/** `__navigate__` data as a query: scalar values as strings, anything else left out. */
export function stringValues(data: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = String(v);
  }
  return out;
}
