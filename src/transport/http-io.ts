/**
 * Small HTTP helpers: reading a bounded body, parsing form posts, content negotiation.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServerMessage } from "../protocol/messages.js";
import { CAPABILITY_QUERY } from "../protocol/wire.js";

/** The body exceeded the size limit. */
export class BodyTooLargeError extends Error {}

/** The body could not be parsed as its declared content type (a broken multipart body). */
export class MalformedBodyError extends Error {}

/**
 * Reads the request body up to `limit` bytes. A body already consumed by framework middleware
 * (Express `req.body`) is returned as the parsed value instead.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | { parsed: unknown }> {
  const pre = preReadBody(req);
  if (pre !== undefined) return pre;
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) throw new BodyTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The media type of the request body, lower case, without parameters. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
}

/**
 * Whether the client asked for JSON: the first media type in `Accept` that is not a wildcard is
 * `application/json`.
 */
export function wantsJSON(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? "";
  for (const part of accept.split(",")) {
    const type = part.split(";")[0]!.trim().toLowerCase();
    if (type === "" || type === "*/*") continue;
    return type === "application/json";
  }
  return false;
}

/**
 * Urlencoded form fields to a data object: a repeated name becomes an array. A field named
 * `__proto__` is dropped (assigning it would replace the object's prototype). Multipart bodies
 * are read as they arrive instead (`http-uploads.ts`).
 */
export function parseForm(body: Buffer): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(body.toString("utf8"))) {
    if (k === "__proto__") continue;
    const prev = Object.hasOwn(out, k) ? out[k] : undefined;
    if (prev === undefined) out[k] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[k] = [prev, v];
  }
  return out;
}

/** A body that framework middleware already read (Express `req.body`), or undefined. */
export function preReadBody(req: IncomingMessage): Buffer | { parsed: unknown } | undefined {
  const pre = (req as { body?: unknown }).body;
  // Only when the stream was consumed: body-parser sets `req.body = {}` even for types it skips.
  if (pre === undefined || !req.readableEnded) return undefined;
  if (Buffer.isBuffer(pre)) return pre;
  if (typeof pre === "string") return Buffer.from(pre, "utf8");
  return { parsed: pre };
}

/** Writes a protocol message as a JSON response. */
export function sendMessage(res: ServerResponse, status: number, message: ServerMessage, headers: Record<string, string | string[]> = {}): number {
  const text = JSON.stringify(message);
  const bytes = Buffer.byteLength(text);
  res.writeHead(status, {
    ...headers,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": bytes,
    "Cache-Control": "no-store",
  });
  res.end(text);
  return bytes;
}

/** Writes a plain-text response. */
export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, {
    ...headers,
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** The page's own path as the browser sees it (Express strips a router's mount path from `url`). */
export function pagePath(req: IncomingMessage, fallback: string): string {
  const original = (req as { originalUrl?: string }).originalUrl;
  return original !== undefined ? new URL(original, "http://localhost").pathname : fallback;
}

/** The query parameters of a request URL (the last value wins for repeated names). */
export function queryOf(req: { readonly url?: string | undefined }): Record<string, string> {
  const params = new URL(req.url ?? "/", "http://localhost").searchParams;
  // Our client's capability list is for the transport, not for `mount`.
  params.delete(CAPABILITY_QUERY);
  return Object.fromEntries(params);
}

/** The capabilities a client asked for on its URL (`lvt-cap=nav,...`). */
export function capabilitiesOf(req: { readonly url?: string | undefined }): ReadonlySet<string> {
  const v = new URL(req.url ?? "/", "http://localhost").searchParams.get(CAPABILITY_QUERY);
  return new Set(v === null ? [] : v.split(","));
}

/** A shallow copy of a plain object, or `{}`. */
export function toRecord(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {};
}

/** Whether a Cookie header has `name` set. */
export function hasCookie(header: string | undefined, name: string): boolean {
  return header !== undefined && header.split(";").some((c) => c.trim().startsWith(`${name}=`));
}
