/**
 * Go string and character literals, as strconv.Quote, QuoteToASCII, QuoteRune and CanBackquote
 * produce them; used by the `%q` verb and by `%#v`.
 *
 * Which characters count as printable follows the Unicode version of the JavaScript engine (Node 20:
 * Unicode 15 or later), while Go 1.23 knows Unicode 15.0: characters assigned since then are
 * escaped by Go's `%q` but printed as they are here.
 *
 * JavaScript strings may hold unpaired surrogates, which have no UTF-8 form; they are treated as
 * U+FFFD, which is what Go sees when such a string reaches it through JSON.
 */

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrint(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x20 && cp < 0x7f;
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
  return PRINTABLE.test(String.fromCodePoint(cp));
}

/** Code points of s, with unpaired surrogates replaced by U+FFFD. */
function codePoints(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out.push(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000);
        i++;
        continue;
      }
    }
    out.push(c >= 0xd800 && c <= 0xdfff ? 0xfffd : c);
  }
  return out;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

function escapeRune(cp: number, quote: number, asciiOnly: boolean): string {
  if (cp === quote || cp === 0x5c) return "\\" + String.fromCharCode(cp);
  if (asciiOnly ? cp < 0x80 && isPrint(cp) : isPrint(cp)) return String.fromCodePoint(cp);
  switch (cp) {
    case 0x07:
      return "\\a";
    case 0x08:
      return "\\b";
    case 0x0c:
      return "\\f";
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
    case 0x0b:
      return "\\v";
  }
  if (cp < 0x20 || cp === 0x7f) return "\\x" + hex(cp, 2);
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
  if (cp < 0x10000) return "\\u" + hex(cp, 4);
  return "\\U" + hex(cp, 8);
}

/** strconv.Quote (asciiOnly false) or strconv.QuoteToASCII (asciiOnly true). */
export function quote(s: string, asciiOnly: boolean): string {
  let out = '"';
  for (const cp of codePoints(s)) out += escapeRune(cp, 0x22, asciiOnly);
  return out + '"';
}

/** strconv.QuoteRune / QuoteRuneToASCII; invalid code points become U+FFFD. */
export function quoteRune(cp: number, asciiOnly: boolean): string {
  if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
  return "'" + escapeRune(cp, 0x27, asciiOnly) + "'";
}

/** strconv.CanBackquote: s fits in a raw string literal unchanged. */
export function canBackquote(s: string): boolean {
  for (const cp of codePoints(s)) {
    if (cp === 0xfeff) return false;
    if ((cp < 0x20 && cp !== 0x09) || cp === 0x60 || cp === 0x7f) return false;
  }
  return true;
}
