/**
 * Errors of topics and presence, and the checks of what store code passes in (topic names,
 * keys, metas, events), so that bad input is refused before anything changes.
 */
import { LiveTemplateError } from "../errors.js";

/** Raised by the topic methods of `ctx` and of the handler. */
export class TopicError extends LiveTemplateError {}

/** Longest topic name and presence key, characters. */
export const MAX_NAME = 200;

/** `name` as a topic name or a presence key, or a {@link TopicError}. */
export function checkName(what: "topic" | "presence key", name: unknown): string {
  if (typeof name !== "string" || name.length === 0 || name.length > MAX_NAME) {
    throw new TopicError("LT_ERR_TOPIC_INVALID", `a ${what} must be a string of 1 to ${MAX_NAME} characters, got ${describe(name)}`);
  }
  return name;
}

/**
 * A JSON copy of `value` (what other instances will receive), or a {@link TopicError}. Copying
 * also keeps later changes of the caller's object out of what subscribers see.
 */
export function jsonCopy(what: string, value: unknown): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new TopicError("LT_ERR_TOPIC_INVALID", `${what} cannot be sent as JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (text === undefined) throw new TopicError("LT_ERR_TOPIC_INVALID", `${what} cannot be sent as JSON (got ${describe(value)})`);
  return JSON.parse(text) as unknown;
}

/** A presence meta: a JSON object, copied. */
export function checkMeta(meta: unknown): Readonly<Record<string, unknown>> {
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) {
    throw new TopicError("LT_ERR_TOPIC_INVALID", `a presence meta must be a JSON object, got ${describe(meta)}`);
  }
  return jsonCopy("the presence meta", meta) as Record<string, unknown>;
}

function describe(v: unknown): string {
  if (typeof v === "string") return `a string of ${v.length} characters`;
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v;
}
