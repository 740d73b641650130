/**
 * What the topic and presence layer sends to other instances over the broadcast bus (in the
 * `topic` field of a bus message), and the guards that check what arrives: a message from the
 * bus is untrusted input until it has been narrowed here.
 *
 * - `message`: an event published to a topic, with its id (source and number: unique everywhere).
 * - `presence`: this source's presence changes since its previous one, numbered by `seq`.
 * - `state`: every entry of this source, at `seq` (the answer to `sync`).
 * - `beat`: this source is alive and at `seq`; a receiver that is not there asks for `state`.
 * - `sync`: asks `to` (or, with `""`, every source) for its `state`.
 * - `bye`: this source is closing; its entries go at once.
 */
import type { WireChange, WireEntry } from "./presence.js";
import type { PresenceMeta } from "./types.js";

export type TopicWire =
  | { readonly kind: "message"; readonly topic: string; readonly event: unknown; readonly id?: string }
  | { readonly kind: "presence"; readonly seq: number; readonly changes: readonly WireChange[] }
  | { readonly kind: "state"; readonly seq: number; readonly entries: readonly WireEntry[] }
  | { readonly kind: "beat"; readonly seq: number }
  | { readonly kind: "sync"; readonly to: string }
  | { readonly kind: "bye" };

/** `v` as a {@link TopicWire}, or undefined when it is not one. */
export function parseTopicWire(v: unknown): TopicWire | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const m = v as Record<string, unknown>;
  switch (m["kind"]) {
    case "message":
      if (typeof m["topic"] !== "string" || !("event" in m)) return undefined;
      if (m["id"] === undefined) return { kind: "message", topic: m["topic"], event: m["event"] };
      return typeof m["id"] === "string" && m["id"].length <= 200 ? { kind: "message", topic: m["topic"], event: m["event"], id: m["id"] } : undefined;
    case "presence": {
      const changes = m["changes"];
      if (!isSeq(m["seq"]) || !Array.isArray(changes) || !changes.every(isChange)) return undefined;
      return { kind: "presence", seq: m["seq"], changes: changes as WireChange[] };
    }
    case "state": {
      const entries = m["entries"];
      if (!isSeq(m["seq"]) || !Array.isArray(entries) || !entries.every(isEntry)) return undefined;
      return { kind: "state", seq: m["seq"], entries: entries as WireEntry[] };
    }
    case "beat":
      return isSeq(m["seq"]) ? { kind: "beat", seq: m["seq"] } : undefined;
    case "sync":
      return typeof m["to"] === "string" ? { kind: "sync", to: m["to"] } : undefined;
    case "bye":
      return { kind: "bye" };
    default:
      return undefined;
  }
}

function isSeq(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function isMeta(v: unknown): v is PresenceMeta {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isChange(v: unknown): boolean {
  return Array.isArray(v) && v.length === 4 && typeof v[0] === "string" && typeof v[1] === "string" && typeof v[2] === "string" && (v[3] === null || isMeta(v[3]));
}

function isEntry(v: unknown): boolean {
  return isChange(v) && (v as unknown[])[3] !== null;
}
