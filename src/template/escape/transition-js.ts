/**
 * Transitions through JavaScript: code (tracking whether a `/` starts a regexp), strings,
 * regexps and template literals with their `${` substitutions.
 */
import { popBraceDepth, pushBraceDepth, type Context } from "./context.js";
import { goQuote } from "./go-quote.js";
import { nextJSCtx } from "./js.js";
import { fail, indexAny, type Step } from "./transition-step.js";

/**
 * In JS code: finds the start of a string, regexp, comment or template literal, or the `}`
 * that closes a template literal substitution.
 */
export function tJS(c: Context, s: string): Step {
  let i = indexAny(s, "\"`'/{}<-#");
  if (i < 0) return [{ ...c, jsCtx: nextJSCtx(s, c.jsCtx) }, s.length];
  // The character found does not count for the context: `a - /x/` divides, as in Go.
  c = { ...c, jsCtx: nextJSCtx(s.slice(0, i), c.jsCtx) };
  switch (s[i]) {
    case '"':
      return [{ ...c, state: "stateJSDqStr", jsCtx: "jsCtxRegexp" }, i + 1];
    case "'":
      return [{ ...c, state: "stateJSSqStr", jsCtx: "jsCtxRegexp" }, i + 1];
    case "`":
      return [{ ...c, state: "stateJSTmplLit", jsCtx: "jsCtxRegexp" }, i + 1];
    case "/":
      if (s[i + 1] === "/") return [{ ...c, state: "stateJSLineCmt" }, i + 2];
      if (s[i + 1] === "*") return [{ ...c, state: "stateJSBlockCmt" }, i + 2];
      if (c.jsCtx === "jsCtxRegexp") return [{ ...c, state: "stateJSRegexp" }, i + 1];
      if (c.jsCtx === "jsCtxDivOp") return [{ ...c, jsCtx: "jsCtxRegexp" }, i + 1];
      return [fail("ErrSlashAmbig", `'/' could start a division or regexp: ${goQuote(s.slice(i), 32)}`), s.length];
    // JS keeps HTML-like comments for old pages: `<!--` and `-->` comment out the rest of their
    // line (multi-line forms are not followed), as does a `#!` hashbang line.
    case "<":
      if (s.startsWith("<!--", i)) return [{ ...c, state: "stateJSHTMLOpenCmt" }, i + 4];
      break;
    case "-":
      if (s.startsWith("-->", i)) return [{ ...c, state: "stateJSHTMLCloseCmt" }, i + 3];
      break;
    case "#":
      if (s[i + 1] === "!") return [{ ...c, state: "stateJSLineCmt" }, i + 2];
      break;
    case "{": {
      // Braces are counted only inside a template literal substitution, to find its end.
      const d = c.jsBraceDepth;
      if (d !== null && d.len > 0) d.buf[d.len - 1] = (d.buf[d.len - 1] as number) + 1;
      break;
    }
    case "}": {
      const d = c.jsBraceDepth;
      if (d === null || d.len === 0) break;
      // An escaped `\}` counts too: outside strings it is a syntax error anyway.
      const depth = (d.buf[d.len - 1] as number) - 1;
      d.buf[d.len - 1] = depth;
      if (depth >= 0) break;
      c = { ...c, state: "stateJSTmplLit", jsBraceDepth: popBraceDepth(d) };
      break;
    }
    default:
      break;
  }
  i++;
  return [c, i];
}

/** Inside a JS template literal: finds its end or the start of a `${` substitution. */
export function tJSTmpl(c: Context, s: string): Step {
  let k = 0;
  for (;;) {
    let i = indexAny(s, "`\\$", k);
    if (i < 0) return [c, s.length];
    switch (s[i]) {
      case "\\":
        i++;
        if (i === s.length) {
          return [fail("ErrPartialEscape", `unfinished escape sequence in JS string: ${goQuote(s)}`), s.length];
        }
        break;
      case "$":
        if (s[i + 1] === "{") return [{ ...c, state: "stateJS", jsBraceDepth: pushBraceDepth(c.jsBraceDepth) }, i + 2];
        break;
      default:
        return [{ ...c, state: "stateJS" }, i + 1];
    }
    k = i + 1;
  }
}

/** Inside a JS string or regexp: finds its closing delimiter. */
export function tJSDelimited(c: Context, s: string): Step {
  let specials = '\\"';
  if (c.state === "stateJSSqStr") specials = "\\'";
  else if (c.state === "stateJSRegexp") specials = "\\/[]";
  let k = 0;
  let inCharset = false;
  for (;;) {
    let i = indexAny(s, specials, k);
    if (i < 0) break;
    switch (s[i]) {
      case "\\":
        i++;
        if (i === s.length) {
          return [fail("ErrPartialEscape", `unfinished escape sequence in JS string: ${goQuote(s)}`), s.length];
        }
        break;
      case "[":
        inCharset = true;
        break;
      case "]":
        inCharset = false;
        break;
      case "/":
        // `</script` does not end a regexp: it is rewritten to `\x3C/script` afterwards.
        if (i > 0 && i + 7 <= s.length && s.slice(i - 1, i + 7).toLowerCase() === "</script") {
          i++;
        } else if (!inCharset) {
          return [{ ...c, state: "stateJS", jsCtx: "jsCtxDivOp" }, i + 1];
        }
        break;
      default:
        if (!inCharset) return [{ ...c, state: "stateJS", jsCtx: "jsCtxDivOp" }, i + 1];
    }
    k = i + 1;
  }
  if (inCharset) {
    // A `/` inside a charset does not end the regexp, so the text is ambiguous if it ends here.
    return [fail("ErrPartialCharset", `unfinished JS regexp charset: ${goQuote(s)}`), s.length];
  }
  return [c, s.length];
}

