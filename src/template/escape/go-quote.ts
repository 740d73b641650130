/**
 * Go's `%q` for strings (strconv.Quote), used so escaping errors quote template text exactly
 * as Go's html/template does.
 */

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

/**
 * Quotes `s` as a Go double-quoted string literal. With `maxRunes`, only the first `maxRunes`
 * code points are quoted (Go's `%.32q`).
 */
export function goQuote(s: string, maxRunes?: number): string {
  let out = '"';
  let count = 0;
  for (const ch of s) {
    if (maxRunes !== undefined && count >= maxRunes) break;
    count++;
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === "\\") {
      out += "\\" + ch;
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      // A lone surrogate is what invalid UTF-8 becomes on our side; Go prints U+FFFD's bytes.
      out += "\\ufffd";
    } else if (PRINTABLE.test(ch)) {
      out += ch;
    } else {
      switch (ch) {
        case "\x07":
          out += "\\a";
          break;
        case "\b":
          out += "\\b";
          break;
        case "\f":
          out += "\\f";
          break;
        case "\n":
          out += "\\n";
          break;
        case "\r":
          out += "\\r";
          break;
        case "\t":
          out += "\\t";
          break;
        case "\v":
          out += "\\v";
          break;
        default:
          if (cp < 0x20 || cp === 0x7f) out += "\\x" + hex(cp, 2);
          else if (cp < 0x10000) out += "\\u" + hex(cp, 4);
          else out += "\\U" + hex(cp, 8);
      }
    }
  }
  return out + '"';
}
