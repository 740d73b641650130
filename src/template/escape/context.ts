/**
 * The escaping context: where in an HTML document a position of the template output lies.
 *
 * The names of states and sub-states are Go's (`stateURL`, `delimDoubleQuote`, ...) because they
 * appear verbatim in error messages and in the names of derived templates, which users search for.
 */
import type { Node } from "../node.js";

/** The major parser state. */
export type State =
  | "stateText"
  | "stateTag"
  | "stateAttrName"
  | "stateAfterName"
  | "stateBeforeValue"
  | "stateHTMLCmt"
  | "stateRCDATA"
  | "stateAttr"
  | "stateURL"
  | "stateSrcset"
  | "stateJS"
  | "stateJSDqStr"
  | "stateJSSqStr"
  | "stateJSTmplLit"
  | "stateJSRegexp"
  | "stateJSBlockCmt"
  | "stateJSLineCmt"
  | "stateJSHTMLOpenCmt"
  | "stateJSHTMLCloseCmt"
  | "stateCSS"
  | "stateCSSDqStr"
  | "stateCSSSqStr"
  | "stateCSSDqURL"
  | "stateCSSSqURL"
  | "stateCSSURL"
  | "stateCSSBlockCmt"
  | "stateCSSLineCmt"
  | "stateError"
  | "stateDead";

/** How the current attribute value ends. */
export type Delim = "delimNone" | "delimDoubleQuote" | "delimSingleQuote" | "delimSpaceOrTagEnd";

/** Which part of a URL we are in. */
export type UrlPart = "urlPartNone" | "urlPartPreQuery" | "urlPartQueryOrFrag" | "urlPartUnknown";

/** Whether a `/` in JS would start a regular expression or a division. */
export type JsCtx = "jsCtxRegexp" | "jsCtxDivOp" | "jsCtxUnknown";

/** The kind of attribute whose value we are in (or are about to enter). */
export type Attr = "attrNone" | "attrScript" | "attrScriptType" | "attrStyle" | "attrURL" | "attrSrcset";

/** The element whose raw-text content we are in (or whose tag we are in). */
export type Element = "elementNone" | "elementScript" | "elementStyle" | "elementTextarea" | "elementTitle";

/** The category of an escaping error (Go's `ErrorCode`), kept for tests and diagnostics. */
export type EscapeErrorKind =
  | "ErrAmbigContext"
  | "ErrBadHTML"
  | "ErrBranchEnd"
  | "ErrEndContext"
  | "ErrNoSuchTemplate"
  | "ErrOutputContext"
  | "ErrPartialCharset"
  | "ErrPartialEscape"
  | "ErrRangeLoopReentry"
  | "ErrSlashAmbig"
  | "ErrPredefinedEscaper";

/**
 * An escaping failure travelling inside an error context. `loc` is the `NAME:LINE:COL` of the
 * offending node when one is known; otherwise the message falls back to `name` and `line`.
 */
export interface EscapeFailure {
  kind: EscapeErrorKind;
  loc: string | null;
  name: string;
  line: number;
  description: string;
}

/** Formats a failure the way Go's html/template prints its errors. */
export function failureMessage(f: EscapeFailure): string {
  if (f.loc !== null) return `html/template:${f.loc}: ${f.description}`;
  if (f.line !== 0) return `html/template:${f.name}:${f.line}: ${f.description}`;
  if (f.name !== "") return `html/template:${f.name}: ${f.description}`;
  return `html/template: ${f.description}`;
}

/**
 * The brace depth of each `${ ... }` substitution of JS template literals the context is inside
 * (innermost last): a `}` at depth 0 ends the substitution and returns to the literal.
 *
 * It behaves like a Go slice of ints on purpose: contexts copied from one another share `buf`,
 * and a change of the innermost depth is seen by every such copy (the branches of an `{{if}}`
 * start from the same one, for instance). Go's html/template keeps its depths that way and its
 * results depend on it, so ours do too. `len` elements of `buf` are in use, `cap` can be used
 * before a push needs a fresh array.
 */
export interface BraceDepths {
  readonly buf: number[];
  readonly len: number;
  readonly cap: number;
}

/** The depths with a new innermost substitution at depth 0 (shares `buf` while it has room). */
export function pushBraceDepth(d: BraceDepths | null): BraceDepths {
  if (d !== null && d.len < d.cap) {
    d.buf[d.len] = 0;
    return { buf: d.buf, len: d.len + 1, cap: d.cap };
  }
  const len = d?.len ?? 0;
  const cap = growCap(d?.cap ?? 0, len + 1);
  const buf = d === null ? [] : d.buf.slice(0, len);
  buf.push(0);
  return { buf, len: len + 1, cap };
}

/** The depths without the innermost substitution (still sharing `buf`). */
export function popBraceDepth(d: BraceDepths): BraceDepths {
  return { buf: d.buf, len: d.len - 1, cap: d.cap };
}

/** The capacity Go's append gives a full int slice of capacity `cap` that must hold `need`. */
function growCap(cap: number, need: number): number {
  if (need > 2 * cap) return need;
  if (cap < 256) return 2 * cap;
  let c = cap;
  while (c < need) c += (c + 3 * 256) >> 2;
  return c;
}

/** An escaping context. Contexts are values: functions return modified copies. */
export interface Context {
  readonly state: State;
  readonly delim: Delim;
  readonly urlPart: UrlPart;
  readonly jsCtx: JsCtx;
  /** Open JS template literal substitutions (null: none); not part of equality or names. */
  readonly jsBraceDepth: BraceDepths | null;
  readonly attr: Attr;
  readonly element: Element;
  /** The break/continue node a context was recorded at (range bookkeeping only). */
  readonly node: Node | null;
  readonly err: EscapeFailure | null;
}

const ZERO: Context = {
  state: "stateText",
  delim: "delimNone",
  urlPart: "urlPartNone",
  jsCtx: "jsCtxRegexp",
  jsBraceDepth: null,
  attr: "attrNone",
  element: "elementNone",
  node: null,
  err: null,
};

/** Makes a context: the HTML text context with the given fields overridden. */
export function ctx(fields: Partial<Context> = {}): Context {
  return { ...ZERO, ...fields };
}

/** Makes an error context. */
export function errorCtx(err: EscapeFailure): Context {
  return ctx({ state: "stateError", err });
}

/**
 * Whether two contexts are the same (the range bookkeeping node and the template literal brace
 * depths do not count, as in Go).
 */
export function ctxEq(a: Context, b: Context): boolean {
  return (
    a.state === b.state &&
    a.delim === b.delim &&
    a.urlPart === b.urlPart &&
    a.jsCtx === b.jsCtx &&
    a.attr === b.attr &&
    a.element === b.element &&
    a.err === b.err
  );
}

/** The context as Go prints it with `%v`, e.g. `{stateText delimNone ... elementNone <nil>}`. */
export function ctxString(c: Context): string {
  const err = c.err === null ? "<nil>" : failureMessage(c.err);
  return `{${c.state} ${c.delim} ${c.urlPart} ${c.jsCtx} ${c.attr} ${c.element} ${err}}`;
}

/**
 * The name of the template derived from `name` for start context `c`: the name itself in the
 * text context, else `name$htmltemplate_` followed by the non-default parts of the context.
 */
export function mangle(c: Context, name: string): string {
  if (c.state === "stateText") return name;
  let s = `${name}$htmltemplate_${c.state}`;
  if (c.delim !== "delimNone") s += `_${c.delim}`;
  if (c.urlPart !== "urlPartNone") s += `_${c.urlPart}`;
  if (c.jsCtx !== "jsCtxRegexp") s += `_${c.jsCtx}`;
  if (c.attr !== "attrNone") s += `_${c.attr}`;
  if (c.element !== "elementNone") s += `_${c.element}`;
  return s;
}

/** Whether the state is inside some kind of comment. */
export function isComment(s: State): boolean {
  return (
    s === "stateHTMLCmt" ||
    s === "stateJSBlockCmt" ||
    s === "stateJSLineCmt" ||
    s === "stateJSHTMLOpenCmt" ||
    s === "stateJSHTMLCloseCmt" ||
    s === "stateCSSBlockCmt" ||
    s === "stateCSSLineCmt"
  );
}

/**
 * Whether the state is a JS string, template literal or regexp: there the text `<!--`,
 * `<script` and `</script` must be rewritten so that the HTML parser does not act on it.
 * Comments are not included since their text is dropped from the output.
 */
export function isInScriptLiteral(s: State): boolean {
  return s === "stateJSDqStr" || s === "stateJSSqStr" || s === "stateJSTmplLit" || s === "stateJSRegexp";
}

/** Whether the state is inside a tag (between `<name` and `>`). */
export function isInTag(s: State): boolean {
  return (
    s === "stateTag" ||
    s === "stateAttrName" ||
    s === "stateAfterName" ||
    s === "stateBeforeValue" ||
    s === "stateAttr"
  );
}

/** The state an attribute value starts in, by attribute kind. */
export function attrStartState(a: Attr): State {
  switch (a) {
    case "attrNone":
    case "attrScriptType":
      return "stateAttr";
    case "attrScript":
      return "stateJS";
    case "attrStyle":
      return "stateCSS";
    case "attrURL":
      return "stateURL";
    case "attrSrcset":
      return "stateSrcset";
    default: {
      const never: never = a;
      return never;
    }
  }
}

/** The state the content of an element starts in. */
export function elementContentState(e: Element): State {
  switch (e) {
    case "elementNone":
      return "stateText";
    case "elementScript":
      return "stateJS";
    case "elementStyle":
      return "stateCSS";
    case "elementTextarea":
    case "elementTitle":
      return "stateRCDATA";
    default: {
      const never: never = e;
      return never;
    }
  }
}

/**
 * Follows the empty-string transitions from `c`: where an action placed here actually lands.
 * `<a {{.}}` is an attribute name, `<a b={{.}}` an unquoted value, `<a b {{.}}` a new name.
 */
export function nudge(c: Context): Context {
  switch (c.state) {
    case "stateTag":
      return { ...c, state: "stateAttrName" };
    case "stateBeforeValue":
      return { ...c, state: attrStartState(c.attr), delim: "delimSpaceOrTagEnd", attr: "attrNone" };
    case "stateAfterName":
      return { ...c, state: "stateAttrName", attr: "attrNone" };
    default:
      return c;
  }
}
