/**
 * The context state machine: how a piece of literal template text moves the context.
 *
 * Each transition function consumes a prefix of the text and returns the context after it and
 * how many characters it consumed; `contextAfterText` drives them across attribute delimiters
 * and raw-text end tags. Errors are returned as error contexts without a position; the
 * escaper adds the template name.
 */
import { ctx, type Context, type State, type Delim } from "./context.js";
import { goQuote } from "./go-quote.js";
import { unescapeHtml } from "./html-unescape.js";
import { isJSType } from "./js.js";
import { tCSS, tCSSStr } from "./transition-css.js";
import {
  tAfterName,
  tAttr,
  tAttrName,
  tBeforeValue,
  tHTMLCmt,
  tSpecialTagEnd,
  tTag,
  tText,
  tURL,
} from "./transition-html.js";
import { tJS, tJSDelimited, tJSTmpl } from "./transition-js.js";
import { fail, indexAny, type Step } from "./transition-step.js";

function tBlockCmt(c: Context, s: string): Step {
  const i = s.indexOf("*/");
  if (i < 0) return [c, s.length];
  return [{ ...c, state: c.state === "stateJSBlockCmt" ? "stateJS" : "stateCSS" }, i + 2];
}

function tLineCmt(c: Context, s: string): Step {
  const js = c.state !== "stateCSSLineCmt";
  const i = indexAny(s, js ? "\n\r\u2028\u2029" : "\n\f\r");
  if (i < 0) return [c, s.length];
  // The line terminator itself is not part of the comment.
  return [{ ...c, state: js ? "stateJS" : "stateCSS" }, i];
}

function tError(c: Context, s: string): Step {
  return [c, s.length];
}

/** The transition function for each state. */
function transition(c: Context, s: string): Step {
  switch (c.state) {
    case "stateText":
      return tText(c, s);
    case "stateTag":
      return tTag(c, s);
    case "stateAttrName":
      return tAttrName(c, s);
    case "stateAfterName":
      return tAfterName(c, s);
    case "stateBeforeValue":
      return tBeforeValue(c, s);
    case "stateHTMLCmt":
      return tHTMLCmt(c, s);
    case "stateRCDATA":
      return tSpecialTagEnd(c, s);
    case "stateAttr":
      return tAttr(c, s);
    case "stateURL":
    case "stateSrcset":
      return tURL(c, s);
    case "stateJS":
      return tJS(c, s);
    case "stateJSDqStr":
    case "stateJSSqStr":
    case "stateJSRegexp":
      return tJSDelimited(c, s);
    case "stateJSTmplLit":
      return tJSTmpl(c, s);
    case "stateJSBlockCmt":
    case "stateCSSBlockCmt":
      return tBlockCmt(c, s);
    case "stateJSLineCmt":
    case "stateJSHTMLOpenCmt":
    case "stateJSHTMLCloseCmt":
    case "stateCSSLineCmt":
      return tLineCmt(c, s);
    case "stateCSS":
      return tCSS(c, s);
    case "stateCSSDqStr":
    case "stateCSSSqStr":
    case "stateCSSDqURL":
    case "stateCSSSqURL":
    case "stateCSSURL":
      return tCSSStr(c, s);
    case "stateError":
    case "stateDead":
      return tError(c, s);
    default: {
      const never: never = c.state;
      return never;
    }
  }
}

/** Runs one transition as if the context were in `state` (used to strip tags). */
export function transitionAs(c: Context, state: State, s: string): Step {
  return transition({ ...c, state }, s);
}

/** Characters that end an attribute value, by delimiter. */
export const DELIM_ENDS: Record<Delim, string> = {
  delimNone: "",
  delimDoubleQuote: '"',
  delimSingleQuote: "'",
  delimSpaceOrTagEnd: " \t\n\f\r>",
};

/**
 * Consumes some text from the front of `s` starting in context `c`; returns the context after
 * it and how much was consumed. Inside an attribute value, the value is decoded from HTML first
 * so that `onclick="f(&quot;x&quot;)"` is tracked as the JS the browser runs.
 */
export function contextAfterText(c: Context, s: string): Step {
  if (c.delim === "delimNone") {
    const [c1, i] = tSpecialTagEnd(c, s);
    if (i === 0) return [c1, 0];
    return transition(c, s.slice(0, i));
  }
  let i = indexAny(s, DELIM_ENDS[c.delim]);
  if (i < 0) i = s.length;
  if (c.delim === "delimSpaceOrTagEnd") {
    // Browsers disagree on where an unquoted value containing these characters ends.
    const j = indexAny(s.slice(0, i), "\"'<=`");
    if (j >= 0) {
      return [fail("ErrBadHTML", `${goQuote(s.slice(j, j + 1))} in unquoted attr: ${goQuote(s.slice(0, i))}`), s.length];
    }
  }
  if (i === s.length) {
    let u = unescapeHtml(s);
    while (u.length !== 0) {
      const [c1, n] = transition(c, u);
      c = c1;
      u = u.slice(n);
    }
    return [c, s.length];
  }
  let element = c.element;
  // A script with a non-JS type (a template, JSON-like data...) does not hold JavaScript.
  if (c.state === "stateAttr" && c.element === "elementScript" && c.attr === "attrScriptType" && !isJSType(s.slice(0, i))) {
    element = "elementNone";
  }
  if (c.delim !== "delimSpaceOrTagEnd") i++;
  return [ctx({ state: "stateTag", element }), i];
}
