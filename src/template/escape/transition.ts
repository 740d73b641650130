/**
 * The context state machine: how a piece of literal template text moves the context.
 *
 * Each transition function consumes a prefix of the text and returns the context after it and
 * how many characters it consumed; `contextAfterText` drives them across attribute delimiters
 * and raw-text end tags. Errors are returned as error contexts without a position; the
 * escaper adds the template name.
 */
import { attrType } from "./attr-type.js";
import {
  ctx,
  elementContentState,
  attrStartState,
  errorCtx,
  isComment,
  isInScriptLiteral,
  popBraceDepth,
  pushBraceDepth,
  type Context,
  type Element,
  type EscapeErrorKind,
  type State,
  type Delim,
  type Attr,
} from "./context.js";
import { decodeCSS, endsWithCSSKeyword } from "./css.js";
import { goQuote } from "./go-quote.js";
import { unescapeHtml } from "./html-unescape.js";
import { isJSType, nextJSCtx } from "./js.js";

/** The result of a transition: the new context and the number of characters consumed. */
export type Step = [Context, number];

function fail(kind: EscapeErrorKind, description: string): Context {
  return errorCtx({ kind, loc: null, name: "", line: 0, description });
}

/** Index of the first character of `s` (from `from`) that is in `chars`, or -1. */
function indexAny(s: string, chars: string, from = 0): number {
  for (let i = from; i < s.length; i++) if (chars.includes(s[i] as string)) return i;
  return -1;
}

function isAsciiAlpha(c: string | undefined): boolean {
  return c !== undefined && /^[A-Za-z]$/.test(c);
}

function isAsciiAlnum(c: string | undefined): boolean {
  return c !== undefined && /^[A-Za-z0-9]$/.test(c);
}

const SPECIAL_ELEMENTS: Record<string, Element> = {
  script: "elementScript",
  style: "elementStyle",
  textarea: "elementTextarea",
  title: "elementTitle",
};

const END_MARKERS: Record<Element, string> = {
  elementNone: "",
  elementScript: "script",
  elementStyle: "style",
  elementTextarea: "textarea",
  elementTitle: "title",
};

/** Reads a tag name at `i`: returns its end and which special element it is. */
function eatTagName(s: string, i: number): [number, Element] {
  if (i === s.length || !isAsciiAlpha(s[i])) return [i, "elementNone"];
  let j = i + 1;
  while (j < s.length) {
    const x = s[j];
    if (isAsciiAlnum(x)) {
      j++;
      continue;
    }
    if ((x === ":" || x === "-") && j + 1 < s.length && isAsciiAlnum(s[j + 1])) {
      j += 2;
      continue;
    }
    break;
  }
  return [j, SPECIAL_ELEMENTS[s.slice(i, j).toLowerCase()] ?? "elementNone"];
}

/** Index of the first non-space character at or after `i`. */
export function eatWhiteSpace(s: string, i: number): number {
  for (let j = i; j < s.length; j++) {
    const c = s[j];
    if (c !== " " && c !== "\t" && c !== "\n" && c !== "\f" && c !== "\r") return j;
  }
  return s.length;
}

/** Reads an attribute name at `i`; returns its end or an error context for quotes and `<`. */
function eatAttrName(s: string, i: number): number | Context {
  for (let j = i; j < s.length; j++) {
    const c = s[j] as string;
    if (" \t\n\f\r=>".includes(c)) return j;
    if (c === "'" || c === '"' || c === "<") {
      return fail("ErrBadHTML", `${goQuote(c)} in attribute name: ${goQuote(s, 32)}`);
    }
  }
  return s.length;
}

function tText(c: Context, s: string): Step {
  let k = 0;
  for (;;) {
    const lt = s.indexOf("<", k);
    if (lt < 0 || lt + 1 === s.length) return [c, s.length];
    if (s.startsWith("<!--", lt)) return [ctx({ state: "stateHTMLCmt" }), lt + 4];
    let i = lt + 1;
    let end = false;
    if (s[i] === "/") {
      if (i + 1 === s.length) return [c, s.length];
      end = true;
      i++;
    }
    const [j, e] = eatTagName(s, i);
    if (j !== i) return [ctx({ state: "stateTag", element: end ? "elementNone" : e }), j];
    k = j;
  }
}

function tTag(c: Context, s: string): Step {
  const i = eatWhiteSpace(s, 0);
  if (i === s.length) return [c, s.length];
  if (s[i] === ">") return [ctx({ state: elementContentState(c.element), element: c.element }), i + 1];
  const j = eatAttrName(s, i);
  if (typeof j !== "number") return [j, s.length];
  if (i === j) {
    return [fail("ErrBadHTML", `expected space, attr name, or end of tag, but got ${goQuote(s.slice(i))}`), s.length];
  }
  const name = s.slice(i, j).toLowerCase();
  let attr: Attr = "attrNone";
  if (c.element === "elementScript" && name === "type") {
    attr = "attrScriptType";
  } else {
    switch (attrType(name)) {
      case "url":
        attr = "attrURL";
        break;
      case "css":
        attr = "attrStyle";
        break;
      case "js":
        attr = "attrScript";
        break;
      case "srcset":
        attr = "attrSrcset";
        break;
      default:
        break;
    }
  }
  const state: State = j === s.length ? "stateAttrName" : "stateAfterName";
  return [ctx({ state, element: c.element, attr }), j];
}

function tAttrName(c: Context, s: string): Step {
  const i = eatAttrName(s, 0);
  if (typeof i !== "number") return [i, s.length];
  if (i !== s.length) return [{ ...c, state: "stateAfterName" }, i];
  return [c, i];
}

function tAfterName(c: Context, s: string): Step {
  const i = eatWhiteSpace(s, 0);
  if (i === s.length) return [c, s.length];
  if (s[i] !== "=") return [{ ...c, state: "stateTag" }, i];
  return [{ ...c, state: "stateBeforeValue" }, i + 1];
}

function tBeforeValue(c: Context, s: string): Step {
  let i = eatWhiteSpace(s, 0);
  if (i === s.length) return [c, s.length];
  let delim: Delim = "delimSpaceOrTagEnd";
  if (s[i] === "'") {
    delim = "delimSingleQuote";
    i++;
  } else if (s[i] === '"') {
    delim = "delimDoubleQuote";
    i++;
  }
  return [{ ...c, state: attrStartState(c.attr), delim }, i];
}

function tHTMLCmt(c: Context, s: string): Step {
  const i = s.indexOf("-->");
  if (i >= 0) return [ctx(), i + 3];
  return [c, s.length];
}

/** Index of `</tag` followed by a tag-end separator (case-insensitive), or -1. */
function indexTagEnd(s: string, tag: string): number {
  let from = 0;
  for (;;) {
    const i = s.indexOf("</", from);
    if (i < 0) return -1;
    const after = i + 2;
    if (s.slice(after, after + tag.length).toLowerCase() === tag) {
      const sep = s[after + tag.length];
      if (sep !== undefined && "> \t\n\f/".includes(sep)) return i;
      from = after + tag.length;
    } else {
      from = after;
    }
  }
}

/** Finds the end tag of a raw-text element (`</script>`); everything before it is content. */
function tSpecialTagEnd(c: Context, s: string): Step {
  if (c.element !== "elementNone") {
    // Inside a JS string, template literal, regexp or comment, `</script` does not end the
    // script here: it is rewritten to `\x3C/script` in literals and dropped with comments.
    if (c.element === "elementScript" && (isInScriptLiteral(c.state) || isComment(c.state))) return [c, s.length];
    const i = indexTagEnd(s, END_MARKERS[c.element]);
    if (i >= 0) return [ctx(), i];
  }
  return [c, s.length];
}

function tAttr(c: Context, s: string): Step {
  return [c, s.length];
}

function tURL(c: Context, s: string): Step {
  if (indexAny(s, "#?") >= 0) return [{ ...c, urlPart: "urlPartQueryOrFrag" }, s.length];
  if (s.length !== eatWhiteSpace(s, 0) && c.urlPart === "urlPartNone") {
    return [{ ...c, urlPart: "urlPartPreQuery" }, s.length];
  }
  return [c, s.length];
}

function tJS(c: Context, s: string): Step {
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
function tJSTmpl(c: Context, s: string): Step {
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

function tJSDelimited(c: Context, s: string): Step {
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

function trimLeftCSSSpace(s: string, from: number): number {
  let j = from;
  while (j < s.length && "\t\n\f\r ".includes(s[j] as string)) j++;
  return j;
}

function tCSS(c: Context, s: string): Step {
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

function tCSSStr(c: Context, s: string): Step {
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
