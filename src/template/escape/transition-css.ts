/**
 * Transitions through CSS: code, quoted strings and `url(...)`, whose decoded content is
 * tracked as a URL.
 */
import type { Context, State } from "./context.js";
import { decodeCSS, endsWithCSSKeyword } from "./css.js";
import { goQuote } from "./go-quote.js";
import { tURL } from "./transition-html.js";
import { fail, indexAny, type Step } from "./transition-step.js";

function trimLeftCSSSpace(s: string, from: number): number {
  let j = from;
  while (j < s.length && "\t\n\f\r ".includes(s[j] as string)) j++;
  return j;
}

/** In CSS code: finds the start of a string, a comment or a `url(`. */
export function tCSS(c: Context, s: string): Step {
  let k = 0;
  for (;;) {
    const i = indexAny(s, "(\"'/", k);
    if (i < 0) return [c, s.length];
    switch (s[i]) {
      case "(": {
        const before = s.slice(0, i).replace(/[\t\n\f\r ]+$/, "");
        if (endsWithCSSKeyword(before, "url")) {
          let j = trimLeftCSSSpace(s, i + 1);
          let state: State = "stateCSSURL";
          if (s[j] === '"') {
            state = "stateCSSDqURL";
            j++;
          } else if (s[j] === "'") {
            state = "stateCSSSqURL";
            j++;
          }
          return [{ ...c, state }, j];
        }
        break;
      }
      case "/":
        if (s[i + 1] === "/") return [{ ...c, state: "stateCSSLineCmt" }, i + 2];
        if (s[i + 1] === "*") return [{ ...c, state: "stateCSSBlockCmt" }, i + 2];
        break;
      case '"':
        return [{ ...c, state: "stateCSSDqStr" }, i + 1];
      case "'":
        return [{ ...c, state: "stateCSSSqStr" }, i + 1];
      default:
        break;
    }
    k = i + 1;
  }
}

/** Inside a CSS string or URL: finds its end; the decoded content moves the URL part. */
export function tCSSStr(c: Context, s: string): Step {
  let endAndEsc: string;
  switch (c.state) {
    case "stateCSSDqStr":
    case "stateCSSDqURL":
      endAndEsc = '\\"';
      break;
    case "stateCSSSqStr":
    case "stateCSSSqURL":
      endAndEsc = "\\'";
      break;
    default:
      endAndEsc = "\\\t\n\f\r )";
  }
  let k = 0;
  for (;;) {
    let i = indexAny(s, endAndEsc, k);
    if (i < 0) {
      const [c1, n] = tURL(c, decodeCSS(s.slice(k)));
      return [c1, k + n];
    }
    if (s[i] === "\\") {
      i++;
      if (i === s.length) {
        return [fail("ErrPartialEscape", `unfinished escape sequence in CSS string: ${goQuote(s)}`), s.length];
      }
    } else {
      return [{ ...c, state: "stateCSS" }, i + 1];
    }
    c = tURL(c, decodeCSS(s.slice(0, i + 1)))[0];
    k = i + 1;
  }
}

