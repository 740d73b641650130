/**
 * JavaScript contexts: telling a regexp `/` from a division, and the escapers for values,
 * string literal contents and regexp literal contents.
 */
import { TrustedContent } from "../content.js";
import type { JsCtx } from "./context.js";
import { isNil, plainText, stringify } from "./stringify.js";
import { sprint } from "../fmt.js";

/** Keywords after which a `/` starts a regular expression rather than a division. */
const REGEXP_PRECEDER_KEYWORDS = new Set([
  "break",
  "case",
  "continue",
  "delete",
  "do",
  "else",
  "finally",
  "in",
  "instanceof",
  "return",
  "throw",
  "try",
  "typeof",
  "void",
]);

/** The characters of JS's `\s` (white space and line terminators), by code. */
const JS_WHITESPACE = new Set(
  [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff].concat(
    Array.from({ length: 11 }, (_, k) => 0x2000 + k),
  ),
);

/** Whether `c` (one character) can be part of an ASCII JS identifier (or a number). */
export function isJSIdentPart(c: string): boolean {
  return /^[$0-9A-Z_a-z]$/.test(c);
}

/**
 * The JS context after the tokens in `s`: whether a following `/` would start a regexp.
 * Decided from the last token, like a lexer that does not know the full grammar.
 */
export function nextJSCtx(s: string, preceding: JsCtx): JsCtx {
  let n = s.length;
  while (n > 0 && JS_WHITESPACE.has(s.charCodeAt(n - 1))) n--;
  s = s.slice(0, n);
  if (n === 0) return preceding;
  const c = s[n - 1] as string;
  switch (c) {
    case "+":
    case "-": {
      // An odd run of `+` ends in a binary operator (regexp follows); `x++` ends an expression.
      let start = n - 1;
      while (start > 0 && s[start - 1] === c) start--;
      return (n - start) % 2 === 1 ? "jsCtxRegexp" : "jsCtxDivOp";
    }
    case ".": {
      const prev = s[n - 2];
      if (n !== 1 && prev !== undefined && prev >= "0" && prev <= "9") return "jsCtxDivOp";
      return "jsCtxRegexp";
    }
    case ",":
    case "<":
    case ">":
    case "=":
    case "*":
    case "%":
    case "&":
    case "|":
    case "^":
    case "?":
    case "!":
    case "~":
    case "(":
    case "[":
    case ":":
    case ";":
    case "{":
    case "}":
      return "jsCtxRegexp";
    default: {
      let j = n;
      while (j > 0 && isJSIdentPart(s[j - 1] as string)) j--;
      if (REGEXP_PRECEDER_KEYWORDS.has(s.slice(j))) return "jsCtxRegexp";
      return "jsCtxDivOp";
    }
  }
}

const JS_MIME_TYPES = new Set([
  "application/ecmascript",
  "application/javascript",
  "application/json",
  "application/ld+json",
  "application/x-ecmascript",
  "application/x-javascript",
  "module",
  "text/ecmascript",
  "text/javascript",
  "text/javascript1.0",
  "text/javascript1.1",
  "text/javascript1.2",
  "text/javascript1.3",
  "text/javascript1.4",
  "text/javascript1.5",
  "text/jscript",
  "text/livescript",
  "text/x-ecmascript",
  "text/x-javascript",
]);

/** Whether a `<script type=...>` value names a script type whose body is JavaScript. */
export function isJSType(mime: string): boolean {
  const semi = mime.indexOf(";");
  if (semi >= 0) mime = mime.slice(0, semi);
  return JS_MIME_TYPES.has(mime.toLowerCase().trim());
}

function hex4(n: number): string {
  return "\\u" + n.toString(16).padStart(4, "0");
}

/** Escapes of control characters, shared by the string and regexp escapers. */
function lowEscape(code: number): string {
  switch (code) {
    case 0x09:
      return "\\t";
    case 0x0a:
      return "\\n";
    case 0x0c:
      return "\\f";
    case 0x0d:
      return "\\r";
    default:
      return hex4(code);
  }
}

const STR_TABLE: Record<string, string> = {
  '"': "\\u0022",
  "`": "\\u0060",
  "&": "\\u0026",
  "'": "\\u0027",
  "+": "\\u002b",
  "/": "\\/",
  "<": "\\u003c",
  ">": "\\u003e",
  "\\": "\\\\",
};
const { "\\": _backslash, ...NORM_STR_TABLE } = STR_TABLE;
/** Template literals also need `$`, `{` and `}` escaped, so no `${` substitution can start. */
const TMPL_LIT_TABLE: Record<string, string> = { ...STR_TABLE, $: "\\u0024", "{": "\\u007b", "}": "\\u007d" };
void _backslash;
const REGEXP_TABLE: Record<string, string> = {
  '"': "\\u0022",
  $: "\\$",
  "&": "\\u0026",
  "'": "\\u0027",
  "(": "\\(",
  ")": "\\)",
  "*": "\\*",
  "+": "\\u002b",
  "-": "\\-",
  ".": "\\.",
  "/": "\\/",
  "<": "\\u003c",
  ">": "\\u003e",
  "?": "\\?",
  "[": "\\[",
  "\\": "\\\\",
  "]": "\\]",
  "^": "\\^",
  "{": "\\{",
  "|": "\\|",
  "}": "\\}",
};

/**
 * Replacements of the ASCII code units for one escaper, indexed by code ("" where the character
 * stays): control characters as lowEscape gives them, then the escaper's own entries.
 */
function asciiTable(entries: Record<string, string>): readonly string[] {
  const table = new Array<string>(0x80).fill("");
  for (let code = 0; code < 0x20; code++) table[code] = lowEscape(code);
  for (const [ch, repl] of Object.entries(entries)) table[ch.charCodeAt(0)] = repl;
  return table;
}

const STR_ASCII = asciiTable(STR_TABLE);
const NORM_STR_ASCII = asciiTable(NORM_STR_TABLE);
const REGEXP_ASCII = asciiTable(REGEXP_TABLE);
const TMPL_LIT_ASCII = asciiTable(TMPL_LIT_TABLE);

function replaceJS(s: string, table: readonly string[]): string {
  let out = "";
  let written = 0;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    let repl: string;
    if (code < 0x80) {
      repl = table[code] as string;
      if (repl === "") continue;
    } else if (code === 0x2028) {
      repl = "\\u2028";
    } else if (code === 0x2029) {
      repl = "\\u2029";
    } else {
      continue;
    }
    out += s.slice(written, i) + repl;
    written = i + 1;
  }
  return written === 0 ? s : out + s.slice(written);
}

/** Escapes text for the inside of a JS string literal (a trusted `JSStr` keeps its escapes). */
export function jsStrEscaper(...args: unknown[]): string {
  const plain = plainText(args);
  if (plain !== null) return replaceJS(plain, STR_ASCII);
  const [s, kind] = stringify(args);
  return replaceJS(s, kind === "jsStr" ? NORM_STR_ASCII : STR_ASCII);
}

/**
 * Escapes text for the inside of a JS template literal (between backquotes, outside `${}`). No
 * trusted kind keeps its escapes here: a `JSStr` is escaped like plain text.
 */
export function jsTmplLitEscaper(...args: unknown[]): string {
  return replaceJS(plainText(args) ?? stringify(args)[0], TMPL_LIT_ASCII);
}

/** Escapes text for the inside of a JS regexp literal; empty text becomes the empty group. */
export function jsRegexpEscaper(...args: unknown[]): string {
  const plain = plainText(args);
  const out = replaceJS(plain ?? stringify(args)[0], REGEXP_ASCII);
  return out === "" ? "(?:)" : out;
}

class UnsupportedJSON extends Error {}

/** A JSON string as Go's encoding/json writes it (HTML-safe: `<`, `>`, `&` escaped). */
export function goJSONString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const code = ch.charCodeAt(0);
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (code === 0x0a) out += "\\n";
    else if (code === 0x0d) out += "\\r";
    else if (code === 0x09) out += "\\t";
    else if (code === 0x08) out += "\\b";
    else if (code === 0x0c) out += "\\f";
    else if (code < 0x20 || ch === "<" || ch === ">" || ch === "&" || code === 0x2028 || code === 0x2029) {
      out += hex4(code);
    } else if (code >= 0xd800 && code <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += ch + (s[i + 1] as string);
        i++;
      } else {
        out += "\\ufffd";
      }
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      out += "\\ufffd";
    } else {
      out += ch;
    }
  }
  return out + '"';
}

function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A date as Go's time.Time marshals to JSON (RFC 3339, fraction without trailing zeros). */
function rfc3339(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new UnsupportedJSON("json: error calling MarshalJSON for type time.Time: invalid date");
  return d.toISOString().replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac === "" ? "Z" : `.${frac}Z`));
}

/** Whether `v` is a class instance that defines its own `toString` (Go: a fmt.Stringer). */
function isStringer(v: object): boolean {
  if (isPlainObject(v) || Array.isArray(v) || ArrayBuffer.isView(v) || v instanceof Map || v instanceof Set || v instanceof Date) {
    return false;
  }
  const ts = (v as { toString?: unknown }).toString;
  return typeof ts === "function" && ts !== Object.prototype.toString && ts !== Error.prototype.toString;
}

/** Go's json.Marshal of template data: maps (plain objects) have sorted keys. */
function toJSON(v: unknown, depth: number): string {
  if (depth > 1000) throw new UnsupportedJSON("json: unsupported value: encountered a cycle");
  if (isNil(v)) return "null";
  switch (typeof v) {
    case "string":
      return goJSONString(v);
    case "boolean":
      return v ? "true" : "false";
    case "bigint":
      return v.toString();
    case "number":
      if (Number.isNaN(v)) throw new UnsupportedJSON("json: unsupported value: NaN");
      if (!Number.isFinite(v)) throw new UnsupportedJSON(`json: unsupported value: ${v > 0 ? "+Inf" : "-Inf"}`);
      return Object.is(v, -0) ? "0" : String(v);
    case "object":
      break;
    case "function":
      throw new UnsupportedJSON("json: unsupported type: func()");
    default:
      throw new UnsupportedJSON(`json: unsupported type: ${typeof v}`);
  }
  if (v instanceof TrustedContent) return goJSONString(v.value);
  if (Array.isArray(v)) return "[" + v.map((x) => toJSON(x, depth + 1)).join(",") + "]";
  if (v instanceof Set) return toJSON([...v], depth);
  // Bytes are a Go []byte, which JSON encodes in base64.
  if (v instanceof Uint8Array) return goJSONString(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64"));
  if (v instanceof Date) return goJSONString(rfc3339(v));
  if (v instanceof Map) {
    const entries = [...v.entries()].map(([k, x]) => [String(k), x] as const);
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return "{" + entries.map(([k, x]) => goJSONString(k) + ":" + toJSON(x, depth + 1)).join(",") + "}";
  }
  const withToJSON = v as { toJSON?: unknown };
  if (typeof withToJSON.toJSON === "function") {
    return toJSON((withToJSON.toJSON as () => unknown).call(v), depth + 1);
  }
  const rec = v as Record<string, unknown>;
  const keys = Object.keys(rec);
  // Plain objects play Go maps (sorted keys); class instances play structs (declared order).
  if (isPlainObject(v)) keys.sort();
  const parts: string[] = [];
  for (const k of keys) {
    const x = rec[k];
    if (typeof x === "function") continue;
    parts.push(goJSONString(k) + ":" + toJSON(x, depth + 1));
  }
  return "{" + parts.join(",") + "}";
}

/**
 * Escapes a value to be a JS expression: strings become quoted literals, numbers and booleans
 * stay, arrays and objects become JSON. A trusted `JS` passes through, a `JSStr` is quoted.
 * Results starting or ending in an identifier character are padded with spaces so that they
 * cannot merge with neighbouring tokens (`x{{.}}` with 1 gives `x 1 `).
 */
export function jsValEscaper(...args: unknown[]): string {
  let value: unknown;
  if (args.length === 1) {
    value = args[0];
    if (value instanceof TrustedContent) {
      if (value.kind === "js") return value.value;
      if (value.kind === "jsStr") return `"${value.value}"`;
    } else if (typeof value === "object" && value !== null && typeof (value as { toJSON?: unknown }).toJSON !== "function" && isStringer(value)) {
      value = String(value);
    }
  } else {
    value = sprint(args);
  }
  let json: string;
  try {
    json = toJSON(value, 0);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    // The message goes into a comment: it must neither end the comment nor the script.
    const safe = msg.replaceAll("*/", "* /").replaceAll("</script", "\\x3C/script").replaceAll("<!--", "\\x3C!--");
    return ` /* ${safe} */null `;
  }
  const first = json[0] ?? "";
  const last = json[json.length - 1] ?? "";
  if (isJSIdentPart(first) || isJSIdentPart(last)) return ` ${json} `;
  return json;
}
