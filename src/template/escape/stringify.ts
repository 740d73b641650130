/**
 * Turning escaper arguments into text. A single trusted value keeps its kind so that the
 * escaper for the matching context can pass it through; anything else is printed as Go's
 * fmt.Sprint would print it, with nil arguments dropped (so a missing value prints as nothing).
 */
import { TrustedContent, type ContentKind } from "../content.js";
import { printValue, sprint } from "../fmt.js";

/** The kind of a stringified argument list: a trusted kind, or `plain` for anything else. */
export type StringKind = ContentKind | "plain";

/** Whether `v` is Go's nil for our purposes. */
export function isNil(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

/** Prints the arguments and reports whether they were a single trusted value (and of which kind). */
export function stringify(args: readonly unknown[]): [string, StringKind] {
  if (args.length === 1) {
    const a = args[0];
    if (typeof a === "string") return [a, "plain"];
    if (a instanceof TrustedContent) return [a.value, a.kind];
  }
  const kept = args.filter((a) => !isNil(a));
  if (kept.length === 1 && typeof kept[0] === "string") return [kept[0], "plain"];
  return [sprint(kept), "plain"];
}

/**
 * The text of a lone argument that cannot be trusted content (a string, number, boolean or
 * nil), or null for anything else, which {@link stringify} handles. Escapers try this first:
 * it is the shape of almost every call, and it allocates nothing.
 */
export function plainText(args: readonly unknown[]): string | null {
  if (args.length !== 1) return null;
  const a = args[0];
  switch (typeof a) {
    case "string":
      return a;
    case "number":
    case "boolean":
      // fmt.Sprint of one operand is its %v, which is printValue.
      return printValue(a);
    case "undefined":
      return "";
    case "object":
      return a === null ? "" : null;
    default:
      return null;
  }
}
