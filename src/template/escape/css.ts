/**
 * CSS contexts: decoding CSS escapes for context tracking, the escaper for the inside of CSS
 * strings and the filter that only lets harmless values through where a CSS value is expected.
 */
import { FILTER_FAILSAFE } from "./failsafe.js";
import { plainText, stringify, type StringKind } from "./stringify.js";

/** Whether the code point can be part of a CSS name (CSS 2.1 `nmchar`, without escapes). */
export function isCSSNmchar(cp: number): boolean {
  return (
    (cp >= 0x61 && cp <= 0x7a) ||
    (cp >= 0x41 && cp <= 0x5a) ||
    (cp >= 0x30 && cp <= 0x39) ||
    cp === 0x2d ||
    cp === 0x5f ||
    (cp >= 0x80 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** The code point that ends `s`, with a lone trailing surrogate read as U+FFFD. */
function lastCodePoint(s: string): number {
  const last = s.charCodeAt(s.length - 1);
  if (last >= 0xdc00 && last <= 0xdfff && s.length >= 2) {
    const hi = s.charCodeAt(s.length - 2);
    if (hi >= 0xd800 && hi <= 0xdbff) return (hi - 0xd800) * 0x400 + (last - 0xdc00) + 0x10000;
  }
  if (last >= 0xd800 && last <= 0xdfff) return 0xfffd;
  return last;
}

/** Whether `s` ends with the keyword `kw` (case-insensitive) not preceded by a name character. */
export function endsWithCSSKeyword(s: string, kw: string): boolean {
  const i = s.length - kw.length;
  if (i < 0) return false;
  if (i !== 0 && isCSSNmchar(lastCodePoint(s.slice(0, i)))) return false;
  return s.slice(i).toLowerCase() === kw;
}

/** Whether `c` is an ASCII hex digit. */
export function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}

function isCSSSpace(c: string | undefined): boolean {
  return c === "\t" || c === "\n" || c === "\f" || c === "\r" || c === " ";
}

/** Decodes CSS escapes (`\41 `, `\"`) so the context tracker sees the characters meant. */
export function decodeCSS(s: string): string {
  if (!s.includes("\\")) return s;
  let out = "";
  let i = 0;
  while (i < s.length) {
    const bs = s.indexOf("\\", i);
    if (bs < 0) {
      out += s.slice(i);
      break;
    }
    out += s.slice(i, bs);
    i = bs;
    if (s.length - i < 2) break;
    if (isHex(s[i + 1])) {
      let j = i + 2;
      while (j < s.length && j < i + 7 && isHex(s[j])) j++;
      let cp = parseInt(s.slice(i + 1, j), 16);
      if (cp > 0x10ffff) {
        cp = Math.floor(cp / 16);
        j--;
      }
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
      out += String.fromCodePoint(cp);
      // One white space character after a hex escape belongs to the escape.
      if (s[j] === "\r" && s[j + 1] === "\n") j += 2;
      else if (isCSSSpace(s[j])) j++;
      i = j;
    } else {
      const cp = s.codePointAt(i + 1) ?? 0;
      const ch = String.fromCodePoint(cp);
      out += ch;
      i += 1 + ch.length;
    }
  }
  return out;
}

const CSS_TABLE: Record<string, string> = {
  "\0": "\\0",
  "\t": "\\9",
  "\n": "\\a",
  "\f": "\\c",
  "\r": "\\d",
  '"': "\\22",
  "&": "\\26",
  "'": "\\27",
  "(": "\\28",
  ")": "\\29",
  "+": "\\2b",
  "/": "\\2f",
  ":": "\\3a",
  ";": "\\3b",
  "<": "\\3c",
  ">": "\\3e",
  "\\": "\\\\",
  "{": "\\7b",
  "}": "\\7d",
};

/** Escapes text for the inside of a CSS string or `url(...)`. */
export function cssEscaper(...args: unknown[]): string {
  const s = plainText(args) ?? stringify(args)[0];
  let out = "";
  let written = 0;
  for (let i = 0; i < s.length; i++) {
    const repl = CSS_TABLE[s[i] as string];
    if (repl === undefined) continue;
    out += s.slice(written, i) + repl;
    written = i + 1;
    // A hex escape swallows a following hex digit or space, so separate it with a space.
    if (repl !== "\\\\" && (written === s.length || isHex(s[written]) || isCSSSpace(s[written]))) out += " ";
  }
  return written === 0 ? s : out + s.slice(written);
}

/**
 * Lets through only CSS values that cannot change the structure of the style sheet (no quotes,
 * brackets, comments, `expression`...); anything else becomes `ZgotmplZ`. Trusted CSS passes.
 */
export function cssValueFilter(...args: unknown[]): string {
  let s = plainText(args);
  if (s === null) {
    let kind: StringKind;
    [s, kind] = stringify(args);
    if (kind === "css") return s;
  }
  const b = decodeCSS(s);
  let id = "";
  for (let i = 0; i < b.length; i++) {
    const c = b[i] as string;
    switch (c) {
      case "\0":
      case '"':
      case "'":
      case "(":
      case ")":
      case "/":
      case ";":
      case "@":
      case "[":
      case "\\":
      case "]":
      case "`":
      case "{":
      case "}":
      case "<":
      case ">":
        return FILTER_FAILSAFE;
      case "-":
        // A lone `-` is fine but not part of the name checked below; `--` could end a comment.
        if (i !== 0 && b[i - 1] === "-") return FILTER_FAILSAFE;
        break;
      default: {
        const code = c.charCodeAt(0);
        if (code < 0x80 && isCSSNmchar(code)) id += c;
      }
    }
  }
  const lower = id.toLowerCase();
  if (lower.includes("expression") || lower.includes("mozbinding")) return FILTER_FAILSAFE;
  return b;
}
