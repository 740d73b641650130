/**
 * Transitions through HTML markup: text, tags, attribute names and values, comments, and the
 * end tag of a raw-text element.
 */
import { attrType } from "./attr-type.js";
import {
  ctx,
  elementContentState,
  attrStartState,
  isComment,
  isInScriptLiteral,
  type Context,
  type Element,
  type State,
  type Delim,
  type Attr,
} from "./context.js";
import { goQuote } from "./go-quote.js";
import { eatWhiteSpace, fail, indexAny, type Step } from "./transition-step.js";

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

/** In text: finds the start of a tag or an HTML comment. */
export function tText(c: Context, s: string): Step {
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

/** Inside a tag: finds the end of the tag or the name of the next attribute, and its type. */
export function tTag(c: Context, s: string): Step {
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

/** Inside an attribute name: finds its end. */
export function tAttrName(c: Context, s: string): Step {
  const i = eatAttrName(s, 0);
  if (typeof i !== "number") return [i, s.length];
  if (i !== s.length) return [{ ...c, state: "stateAfterName" }, i];
  return [c, i];
}

/** After an attribute name: finds `=` or the next attribute. */
export function tAfterName(c: Context, s: string): Step {
  const i = eatWhiteSpace(s, 0);
  if (i === s.length) return [c, s.length];
  if (s[i] !== "=") return [{ ...c, state: "stateTag" }, i];
  return [{ ...c, state: "stateBeforeValue" }, i + 1];
}

/** After `=`: finds the start of the value and its delimiter. */
export function tBeforeValue(c: Context, s: string): Step {
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

/** Inside an HTML comment: finds `-->`. */
export function tHTMLCmt(c: Context, s: string): Step {
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
export function tSpecialTagEnd(c: Context, s: string): Step {
  if (c.element !== "elementNone") {
    // Inside a JS string, template literal, regexp or comment, `</script` does not end the
    // script here: it is rewritten to `\x3C/script` in literals and dropped with comments.
    if (c.element === "elementScript" && (isInScriptLiteral(c.state) || isComment(c.state))) return [c, s.length];
    const i = indexTagEnd(s, END_MARKERS[c.element]);
    if (i >= 0) return [ctx(), i];
  }
  return [c, s.length];
}

/** Inside a plain attribute value: nothing changes the context. */
export function tAttr(c: Context, s: string): Step {
  return [c, s.length];
}

/** Inside a URL: notes which part of the URL (before or after the query) the text reaches. */
export function tURL(c: Context, s: string): Step {
  if (indexAny(s, "#?") >= 0) return [{ ...c, urlPart: "urlPartQueryOrFrag" }, s.length];
  if (s.length !== eatWhiteSpace(s, 0) && c.urlPart === "urlPartNone") {
    return [{ ...c, urlPart: "urlPartPreQuery" }, s.length];
  }
  return [c, s.length];
}

