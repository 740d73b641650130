/**
 * Decoding of HTML character references in attribute values, so that the context of
 * `onclick="f(&quot;{{.}}&quot;)"` is tracked on the text the browser will really see.
 *
 * Only the context tracker uses the result, and it only reacts to ASCII characters (and
 * U+2028/U+2029, which have no named reference), so references to other characters decode to
 * a stand-in character instead of carrying the whole table of code points.
 */
import { ASCII_ENTITIES, OTHER_ENTITIES } from "./html-entities.js";

/** Stand-in for any decoded non-ASCII character: not a space, not ASCII, a CSS name char. */
const NON_ASCII = "\u00a4";

/** Code points that numeric references in 0x80..0x9F mean (Windows-1252), as browsers do. */
const C1_REPLACEMENTS = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d,
  0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a,
  0x153, 0x9d, 0x17e, 0x178,
];

/** Longest legacy reference name accepted without a final semicolon. */
const LONGEST_WITHOUT_SEMICOLON = 6;

function isAlnum(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9");
}

function lookup(name: string): string | null {
  const ascii = ASCII_ENTITIES.get(name);
  if (ascii !== undefined) return ascii;
  return OTHER_ENTITIES.has(name) ? NON_ASCII : null;
}

/** Decodes one reference at `s[0] === "&"`; returns the decoded text and how much was read. */
function decodeOne(s: string): [string, number] {
  if (s.length <= 1) return ["&", 1];
  if (s[1] === "#") {
    if (s.length <= 3) return ["&", 1];
    let i = 2;
    let isHex = false;
    if (s[i] === "x" || s[i] === "X") {
      isHex = true;
      i++;
    }
    let x = 0;
    while (i < s.length) {
      const c = s[i] as string;
      i++;
      const code = c.charCodeAt(0);
      if (isHex && /[0-9a-fA-F]/.test(c)) {
        x = Math.min(16 * x + parseInt(c, 16), 0x110000);
        continue;
      } else if (!isHex && code >= 48 && code <= 57) {
        x = Math.min(10 * x + (code - 48), 0x110000);
        continue;
      }
      if (c !== ";") i--;
      break;
    }
    if (i <= 3) return ["&", 1];
    if (x >= 0x80 && x <= 0x9f) x = C1_REPLACEMENTS[x - 0x80] ?? 0xfffd;
    else if (x === 0 || (x >= 0xd800 && x <= 0xdfff) || x > 0x10ffff) x = 0xfffd;
    return [String.fromCodePoint(x), i];
  }
  let i = 1;
  while (i < s.length) {
    const c = s[i] as string;
    i++;
    if (isAlnum(c)) continue;
    if (c !== ";") i--;
    break;
  }
  const name = s.slice(1, i);
  if (name.length > 0) {
    const whole = lookup(name);
    if (whole !== null) return [whole, i];
    // Legacy references may lack the semicolon: take the longest known prefix.
    const maxLen = Math.min(name.length - 1, LONGEST_WITHOUT_SEMICOLON);
    for (let j = maxLen; j > 1; j--) {
      const part = lookup(name.slice(0, j));
      if (part !== null) return [part, j + 1];
    }
  }
  return [s.slice(0, i), i];
}

/** Decodes the character references in `s` (for context tracking, see the module note). */
export function unescapeHtml(s: string): string {
  let i = s.indexOf("&");
  if (i < 0) return s;
  let out = s.slice(0, i);
  while (i < s.length) {
    const [text, n] = decodeOne(s.slice(i));
    out += text;
    i += n;
    const next = s.indexOf("&", i);
    const end = next < 0 ? s.length : next;
    out += s.slice(i, end);
    i = end;
  }
  return out;
}
