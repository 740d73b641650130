/**
 * HTML escapers: text, quoted and unquoted attribute values, RCDATA (title, textarea),
 * attribute names, and comments (whose content is dropped).
 */
import { attrType } from "./attr-type.js";
import { ctx, isInTag, type Context } from "./context.js";
import { FILTER_FAILSAFE } from "./failsafe.js";
import { plainText, stringify, type StringKind } from "./stringify.js";
import { DELIM_ENDS, transitionAs } from "./transition.js";

/**
 * Replacements indexed by UTF-16 code unit, for the code units below `repl.length`; `hit` is 1
 * where there is one ("" in `repl` otherwise), so the scan compares small integers.
 */
interface CodeTable {
  readonly repl: readonly string[];
  readonly hit: Uint8Array;
}

function codeTable(entries: Record<string, string>): CodeTable {
  let size = 0;
  for (const ch of Object.keys(entries)) size = Math.max(size, ch.charCodeAt(0) + 1);
  const repl = new Array<string>(size).fill("");
  const hit = new Uint8Array(size);
  for (const [ch, r] of Object.entries(entries)) {
    repl[ch.charCodeAt(0)] = r;
    hit[ch.charCodeAt(0)] = 1;
  }
  return { repl, hit };
}

const HTML_ENTRIES: Record<string, string> = {
  "\0": "\uFFFD",
  '"': "&#34;",
  "&": "&amp;",
  "'": "&#39;",
  "+": "&#43;",
  "<": "&lt;",
  ">": "&gt;",
};
/** As HTML_ENTRIES but keeps `&`: for trusted HTML whose entities are already right. */
const { "&": _amp, ...HTML_NORM_ENTRIES } = HTML_ENTRIES;
void _amp;

const NOSPACE_ENTRIES: Record<string, string> = {
  "\0": "&#xfffd;",
  "\t": "&#9;",
  "\n": "&#10;",
  "\v": "&#11;",
  "\f": "&#12;",
  "\r": "&#13;",
  " ": "&#32;",
  '"': "&#34;",
  "&": "&amp;",
  "'": "&#39;",
  "+": "&#43;",
  "<": "&lt;",
  "=": "&#61;",
  ">": "&gt;",
  "`": "&#96;",
};
const { "&": _amp2, ...NOSPACE_NORM_ENTRIES } = NOSPACE_ENTRIES;
void _amp2;

const HTML_TABLE = codeTable(HTML_ENTRIES);
const HTML_NORM_TABLE = codeTable(HTML_NORM_ENTRIES);
const NOSPACE_TABLE = codeTable(NOSPACE_ENTRIES);
const NOSPACE_NORM_TABLE = codeTable(NOSPACE_NORM_ENTRIES);

/** First code unit that is neither in the tables' range nor a surrogate or non-character. */
const FIRST_BAD_RUNE = 0xd800;

/**
 * Replaces characters by table. Unless `keepBadRunes`, Unicode non-characters (U+FDD0..U+FDEF,
 * U+FFF0..U+FFFF, and lone surrogates, which stand for invalid UTF-8) become numeric references.
 */
function htmlReplace(s: string, table: CodeTable, keepBadRunes: boolean): string {
  // Most values need no replacement: find the first candidate with a cheap scan, and return
  // the string itself when there is none.
  const n = s.length;
  const hit = table.hit;
  const size = hit.length;
  const badFrom = keepBadRunes ? 0x10000 : FIRST_BAD_RUNE;
  let i = 0;
  for (; i < n; i++) {
    const code = s.charCodeAt(i);
    if (code < size ? hit[code] === 1 : code >= badFrom) break;
  }
  if (i === n) return s;
  const replacements = table.repl;
  let out = "";
  let written = 0;
  for (; i < n; i++) {
    const code = s.charCodeAt(i);
    if (code < size) {
      const repl = replacements[code] as string;
      if (repl !== "") {
        out += s.slice(written, i) + repl;
        written = i + 1;
      }
      continue;
    }
    if (code < badFrom) continue;
    if (code <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    let bad: number | null = null;
    if ((code >= 0xfdd0 && code <= 0xfdef) || code >= 0xfff0) bad = code;
    else if (code >= 0xd800 && code <= 0xdfff) bad = 0xfffd;
    if (bad !== null) {
      out += s.slice(written, i) + `&#x${bad.toString(16)};`;
      written = i + 1;
    }
  }
  return written === 0 ? s : out + s.slice(written);
}

/**
 * Reduces an HTML fragment to its text content, so that trusted HTML can be placed in an
 * attribute value without its tags.
 */
export function stripTags(html: string): string {
  let out = "";
  let c: Context = ctx();
  let i = 0;
  let allText = true;
  while (i !== html.length) {
    if (c.delim === "delimNone") {
      let st = c.state;
      // Raw-text element content is taken as text (no tags inside).
      if (c.element !== "elementNone" && !isInTag(st)) st = "stateRCDATA";
      const [d, nread] = transitionAs(c, st, html.slice(i));
      const i1 = i + nread;
      if (c.state === "stateText" || c.state === "stateRCDATA") {
        let j = i1;
        if (d.state !== c.state) {
          for (let j1 = j - 1; j1 >= i; j1--) {
            if (html[j1] === "<") {
              j = j1;
              break;
            }
          }
        }
        out += html.slice(i, j);
      } else {
        allText = false;
      }
      c = d;
      i = i1;
      continue;
    }
    let i1 = -1;
    const ends = DELIM_ENDS[c.delim];
    for (let k = i; k < html.length; k++) {
      if (ends.includes(html[k] as string)) {
        i1 = k;
        break;
      }
    }
    if (i1 < 0) break;
    if (c.delim !== "delimSpaceOrTagEnd") i1++;
    c = ctx({ state: "stateTag", element: c.element });
    i = i1;
  }
  if (allText) return html;
  if (c.state === "stateText" || c.state === "stateRCDATA") out += html.slice(i);
  return out;
}

/**
 * A lone string or safe integer escaped by `table`, or null for any other call. This is the shape
 * of almost every escaper call, so the escapers below test for it before they gather their
 * arguments into an array: read through `arguments`, a lone argument costs no allocation. A safe
 * integer prints as ASCII digits and a minus sign, which no table replaces.
 */
function escapeLone(n: number, a: unknown, table: CodeTable, keepBadRunes: boolean): string | null {
  if (n !== 1) return null;
  if (typeof a === "string") return htmlReplace(a, table, keepBadRunes);
  if (typeof a === "number" && Number.isSafeInteger(a)) return String(a);
  return null;
}

/** Escapes for HTML text; trusted HTML passes through unchanged. */
export function htmlEscaper(...args: unknown[]): string;
export function htmlEscaper(): string {
  const lone = escapeLone(arguments.length, arguments[0], HTML_TABLE, true);
  if (lone !== null) return lone;
  const args: unknown[] = Array.prototype.slice.call(arguments);
  const plain = plainText(args);
  if (plain !== null) return htmlReplace(plain, HTML_TABLE, true);
  const [s, kind] = stringify(args);
  if (kind === "html") return s;
  return htmlReplace(s, HTML_TABLE, true);
}

/** Escapes for a quoted attribute value; trusted HTML loses its tags but keeps its entities. */
export function attrEscaper(...args: unknown[]): string;
export function attrEscaper(): string {
  const lone = escapeLone(arguments.length, arguments[0], HTML_TABLE, true);
  if (lone !== null) return lone;
  const args: unknown[] = Array.prototype.slice.call(arguments);
  const plain = plainText(args);
  if (plain !== null) return htmlReplace(plain, HTML_TABLE, true);
  const [s, kind] = stringify(args);
  if (kind === "html") return htmlReplace(stripTags(s), HTML_NORM_TABLE, true);
  return htmlReplace(s, HTML_TABLE, true);
}

/** Escapes for RCDATA (`<title>`, `<textarea>`), where tags are not recognised. */
export function rcdataEscaper(...args: unknown[]): string;
export function rcdataEscaper(): string {
  const lone = escapeLone(arguments.length, arguments[0], HTML_TABLE, true);
  if (lone !== null) return lone;
  const args: unknown[] = Array.prototype.slice.call(arguments);
  const plain = plainText(args);
  if (plain !== null) return htmlReplace(plain, HTML_TABLE, true);
  const [s, kind] = stringify(args);
  if (kind === "html") return htmlReplace(s, HTML_NORM_TABLE, true);
  return htmlReplace(s, HTML_TABLE, true);
}

/** Escapes for an unquoted attribute value: also spaces, `=` and backquotes. */
export function nospaceEscaper(...args: unknown[]): string;
export function nospaceEscaper(): string {
  // An empty unquoted value would let the next attribute become the value: `value= name=x`.
  const lone = arguments[0] === "" ? null : escapeLone(arguments.length, arguments[0], NOSPACE_TABLE, false);
  if (lone !== null) return lone;
  const args: unknown[] = Array.prototype.slice.call(arguments);
  const plain = plainText(args);
  if (plain === "") return FILTER_FAILSAFE;
  if (plain !== null) return htmlReplace(plain, NOSPACE_TABLE, false);
  const [s, kind] = stringify(args);
  if (s === "") return FILTER_FAILSAFE;
  if (kind === "html") return htmlReplace(stripTags(s), NOSPACE_NORM_TABLE, false);
  return htmlReplace(s, NOSPACE_TABLE, false);
}

/**
 * Lets through only attribute names that are plain (not URL, JS, CSS or otherwise sensitive)
 * and alphanumeric; anything else becomes `ZgotmplZ`. A trusted HTMLAttr passes.
 */
export function htmlNameFilter(...args: unknown[]): string {
  let raw = plainText(args);
  if (raw === null) {
    let kind: StringKind;
    [raw, kind] = stringify(args);
    if (kind === "htmlAttr") return raw;
  }
  if (raw.length === 0) return FILTER_FAILSAFE;
  const s = raw.toLowerCase();
  if (attrType(s) !== "plain") return FILTER_FAILSAFE;
  return /^[0-9a-z]*$/.test(s) ? s : FILTER_FAILSAFE;
}

/** Comments are stripped from the output, so whatever lands in one is dropped. */
export function commentEscaper(...args: unknown[]): string {
  void args;
  return "";
}
