/**
 * What every context transition shares: the step it returns, its error contexts, and the
 * scanning helpers the HTML, JS and CSS transitions all use.
 */
import { errorCtx, type Context, type EscapeErrorKind } from "./context.js";

/** The result of a transition: the new context and the number of characters consumed. */
export type Step = [Context, number];

/** An error context of `kind`, without a position: the escaper adds the template name. */
export function fail(kind: EscapeErrorKind, description: string): Context {
  return errorCtx({ kind, loc: null, name: "", line: 0, description });
}

/** Index of the first character of `s` (from `from`) that is in `chars`, or -1. */
export function indexAny(s: string, chars: string, from = 0): number {
  for (let i = from; i < s.length; i++) if (chars.includes(s[i] as string)) return i;
  return -1;
}

/** Index of the first non-space character at or after `i`. */
export function eatWhiteSpace(s: string, i: number): number {
  for (let j = i; j < s.length; j++) {
    const c = s[j];
    if (c !== " " && c !== "\t" && c !== "\n" && c !== "\f" && c !== "\r") return j;
  }
  return s.length;
}
