/**
 * The builtin functions of Go's text/template over JavaScript values, with Go's results and
 * error wording. A builtin receives its evaluated arguments and throws a plain `Error` whose
 * message is Go's; the executor turns it into `error calling NAME: MESSAGE` at the call site.
 *
 * `and`, `or` and `call` need the unevaluated argument nodes (short-circuit, method receivers),
 * so the executor implements them; their arity is still declared here.
 */
import { goTypeName, sprint, sprintf, sprintln } from "./fmt.js";
import { isPrint } from "./fmt-quote.js";
import {
  basicKind,
  compareStrings,
  isPlainObject,
  isTrue,
  objectSize,
  referenceKind,
  stringOf,
} from "./value.js";

/** A builtin: its fixed parameter count, whether more may follow, and its implementation. */
export interface Builtin {
  readonly arity: number;
  readonly variadic: boolean;
  readonly fn: (args: unknown[]) => unknown;
}

function unreachable(): never {
  throw new Error("implemented by the executor");
}

// ---- length, indexing, slicing ----

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

/** Length of a string in UTF-8 bytes, as Go's len counts it. */
export function byteLength(s: string): number {
  return ASCII.test(s) ? s.length : Buffer.byteLength(s, "utf8");
}

function indexArg(index: unknown, cap: number): number {
  let x: number;
  if (typeof index === "number" && Number.isInteger(index)) x = index;
  else if (typeof index === "bigint") x = Number(index);
  else if (index === null || index === undefined) throw new Error("cannot index slice/array with nil");
  else throw new Error(`cannot index slice/array with type ${goTypeName(index)}`);
  if (x < 0 || x > cap) throw new Error(`index out of range: ${x}`);
  return x;
}

function mapKeyOfObject(key: unknown): string {
  if (typeof key === "string") return key;
  if (key === null || key === undefined) throw new Error("value is nil; should be of type string");
  throw new Error(`value has type ${goTypeName(key)}; should be string`);
}

/** `index x 1 2 3` is x[1][2][3]: arrays and strings by integer, Maps and objects by key. */
function index(args: unknown[]): unknown {
  let item = args[0];
  if (item === null || item === undefined) throw new Error("index of untyped nil");
  for (let i = 1; i < args.length; i++) {
    const ix = args[i];
    if (item === null || item === undefined) throw new Error("index of nil pointer");
    if (typeof item === "string") {
      const s: string = item;
      const ascii = ASCII.test(s);
      const len = ascii ? s.length : Buffer.byteLength(s, "utf8");
      const x = indexArg(ix, len);
      // Go's bounds check admits x == len and then fails inside reflect.
      if (x === len) throw new Error("reflect: string index out of range");
      item = ascii ? s.charCodeAt(x) : Buffer.from(s, "utf8")[x];
    } else if (Array.isArray(item)) {
      const arr: unknown[] = item;
      const x = indexArg(ix, arr.length);
      if (x === arr.length) throw new Error("reflect: slice index out of range");
      const v = arr[x];
      item = v === undefined ? null : v;
    } else if (item instanceof Map) {
      const v: unknown = item.get(ix === undefined ? null : ix);
      item = v === undefined ? null : v;
    } else if (typeof item === "object" && isPlainObject(item)) {
      const key = mapKeyOfObject(ix);
      const v = Object.prototype.hasOwnProperty.call(item, key)
        ? (item as Record<string, unknown>)[key]
        : undefined;
      item = v === undefined ? null : v;
    } else {
      throw new Error(`can't index item of type ${goTypeName(item)}`);
    }
  }
  return item;
}

/** `slice x 1 2` is x[1:2]; strings are sliced by UTF-8 bytes, as in Go. */
function slice(args: unknown[]): unknown {
  const item = args[0];
  if (item === null || item === undefined) throw new Error("slice of untyped nil");
  const n = args.length - 1;
  if (n > 3) throw new Error(`too many slice indexes: ${n}`);
  let cap: number;
  if (typeof item === "string") {
    if (n === 3) throw new Error("cannot 3-index slice a string");
    cap = byteLength(item);
  } else if (Array.isArray(item)) {
    cap = item.length;
  } else {
    throw new Error(`can't slice item of type ${goTypeName(item)}`);
  }
  const idx = [0, cap, cap];
  for (let i = 0; i < n; i++) idx[i] = indexArg(args[i + 1], cap);
  const lo = idx[0] as number;
  const hi = idx[1] as number;
  if (lo > hi) throw new Error(`invalid slice index: ${lo} > ${hi}`);
  if (n === 3 && hi > (idx[2] as number)) throw new Error(`invalid slice index: ${hi} > ${idx[2] as number}`);
  if (typeof item === "string") {
    return ASCII.test(item) ? item.slice(lo, hi) : Buffer.from(item, "utf8").subarray(lo, hi).toString("utf8");
  }
  return (item as unknown[]).slice(lo, hi);
}

/** `len x`: strings in UTF-8 bytes, arrays, Maps, Sets and plain objects. */
function length(args: unknown[]): number {
  const item = args[0];
  if (item === null) throw new Error("len of nil pointer");
  // Go fails inside reflect for an invalid value; keep its words.
  if (item === undefined) throw new Error("reflect: call of reflect.Value.Type on zero Value");
  if (typeof item === "string") return byteLength(item);
  if (Array.isArray(item)) return item.length;
  if (item instanceof Map || item instanceof Set) return item.size;
  if (typeof item === "object" && isPlainObject(item)) return objectSize(item);
  if (ArrayBuffer.isView(item) && "length" in item && typeof item.length === "number") return item.length;
  throw new Error(`len of type ${goTypeName(item)}`);
}

/**
 * `call fn args...`: calls a function value. `thisArg` is the receiver when the function was
 * reached through a field (`call .Obj.Fn 1`); `name` is the callee as written (`.Obj.Fn`), for
 * error messages.
 */
export function callFunction(fn: unknown, thisArg: unknown, args: unknown[], name: string): unknown {
  if (fn === null || fn === undefined) throw new Error("call of nil");
  if (typeof fn !== "function") throw new Error(`non-function ${name} of type ${goTypeName(fn)}`);
  return Reflect.apply(fn, thisArg, args) as unknown;
}

// ---- comparisons ----

const errBadComparisonType = "invalid type for comparison";
const errBadComparison = "incompatible types for comparison";

function isNil(v: unknown): boolean {
  return v === null || v === undefined;
}

function equalOther(a: unknown, b: unknown): boolean {
  const ka = referenceKind(a);
  const kb = referenceKind(b);
  // Go formats these with the operands' verbs swapped around (%s of a slice of ints gives
  // %!s(int=1)); the messages keep that shape.
  if (ka !== kb) throw new Error(sprintf("non-comparable types %s: %v, %s: %v", [a, goTypeName(a), goTypeName(b), b]));
  if (ka !== "struct") throw new Error(sprintf("non-comparable type %s: %v", [b, goTypeName(b)]));
  return a === b;
}

/** `eq a b c...` is a == b || a == c ...; numbers compare numerically, nil equals only nil. */
export function eq(args: unknown[]): boolean {
  const a = args[0];
  if (args.length < 2) throw new Error("missing argument for comparison");
  const k1 = basicKind(a);
  for (let i = 1; i < args.length; i++) {
    const b = args[i];
    const k2 = basicKind(b);
    let truth: boolean;
    if (k1 !== k2) {
      if (!isNil(a) && !isNil(b)) throw new Error(errBadComparison);
      truth = false;
    } else {
      switch (k1) {
        case "bool":
          truth = a === b;
          break;
        case "number":
          // Loose equality compares a bigint with a number by value.
          truth = (a as number | bigint) == (b as number | bigint);
          break;
        case "string":
          truth = stringOf(a) === stringOf(b);
          break;
        case "nil":
          truth = true;
          break;
        case "other":
          truth = equalOther(a, b);
          break;
      }
    }
    if (truth) return true;
  }
  return false;
}

function lessThan(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  if (k1 === "nil" || k1 === "other") throw new Error(errBadComparisonType);
  const k2 = basicKind(b);
  if (k2 === "nil" || k2 === "other") throw new Error(errBadComparisonType);
  if (k1 !== k2) throw new Error(errBadComparison);
  switch (k1) {
    case "bool":
      throw new Error(errBadComparisonType);
    case "number":
      return (a as number | bigint) < (b as number | bigint);
    case "string":
      return compareStrings(stringOf(a), stringOf(b)) < 0;
  }
}

function lt(args: unknown[]): boolean {
  return lessThan(args[0], args[1]);
}

function le(args: unknown[]): boolean {
  return lessThan(args[0], args[1]) || eq(args);
}

// ---- escapers ----

/**
 * Go's evalArgs: one string as is, anything else as fmt.Sprint prints it, except that a nil
 * argument prints as `<no value>` (Go passes it through printableValue first).
 */
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(args.map((a) => (a === null || a === undefined ? "<no value>" : a)));
}

const HTML_SPECIAL = /['"&<>\0]/;
const HTML_SPECIAL_ALL = /['"&<>\0]/g;
const HTML_REPLACEMENT: Record<string, string> = {
  "\0": "\uFFFD",
  '"': "&#34;",
  "'": "&#39;",
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
};

/** Go's template.HTMLEscapeString. */
export function htmlEscapeString(s: string): string {
  if (!HTML_SPECIAL.test(s)) return s;
  return s.replace(HTML_SPECIAL_ALL, (c) => HTML_REPLACEMENT[c] ?? c);
}

const HEX = "0123456789ABCDEF";
// eslint-disable-next-line no-control-regex
const JS_SPECIAL = /[\\'"<>&=\u0000-\u001f\u0080-\uffff]/;

/** Go's template.JSEscapeString. */
export function jsEscapeString(s: string): string {
  if (!JS_SPECIAL.test(s)) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      switch (c) {
        case 0x5c:
          out += "\\\\";
          break;
        case 0x27:
          out += "\\'";
          break;
        case 0x22:
          out += '\\"';
          break;
        case 0x3c:
          out += "\\u003C";
          break;
        case 0x3e:
          out += "\\u003E";
          break;
        case 0x26:
          out += "\\u0026";
          break;
        case 0x3d:
          out += "\\u003D";
          break;
        default:
          if (c < 0x20) out += "\\u00" + HEX[c >> 4] + HEX[c & 15];
          else out += s[i];
      }
      continue;
    }
    let cp = c;
    let width = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    // An unpaired surrogate has no UTF-8 form; Go would see U+FFFD.
    if (width === 1 && c >= 0xd800 && c <= 0xdfff) cp = 0xfffd;
    if (isPrint(cp)) out += String.fromCodePoint(cp);
    else out += "\\u" + cp.toString(16).toUpperCase().padStart(4, "0");
    i += width - 1;
  }
  return out;
}

/** Go's url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = "";
  const bytes = Buffer.from(s, "utf8");
  for (const b of bytes) {
    if (
      (b >= 0x61 && b <= 0x7a) ||
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x30 && b <= 0x39) ||
      b === 0x2d ||
      b === 0x5f ||
      b === 0x2e ||
      b === 0x7e
    ) {
      out += String.fromCharCode(b);
    } else if (b === 0x20) {
      out += "+";
    } else {
      out += "%" + HEX[b >> 4] + HEX[b & 15];
    }
  }
  return out;
}

// ---- the table ----

function fixed(arity: number, fn: (args: unknown[]) => unknown): Builtin {
  return { arity, variadic: false, fn };
}

function variadic(arity: number, fn: (args: unknown[]) => unknown): Builtin {
  return { arity, variadic: true, fn };
}

/**
 * Go's builtin functions by name. User functions of the same name take precedence, as in Go.
 * `printf`'s first parameter is a string; the executor checks it before the call.
 */
export const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  ["and", variadic(1, unreachable)],
  ["or", variadic(1, unreachable)],
  ["call", variadic(1, unreachable)],
  ["not", fixed(1, (a) => !isTrue(a[0]))],
  ["len", fixed(1, length)],
  ["index", variadic(1, index)],
  ["slice", variadic(1, slice)],
  ["print", variadic(0, (a) => sprint(a))],
  ["println", variadic(0, (a) => sprintln(a))],
  ["printf", variadic(1, (a) => sprintf(a[0] as string, a.slice(1)))],
  ["html", variadic(0, (a) => htmlEscapeString(evalArgs(a)))],
  ["js", variadic(0, (a) => jsEscapeString(evalArgs(a)))],
  ["urlquery", variadic(0, (a) => queryEscape(evalArgs(a)))],
  ["eq", variadic(1, eq)],
  ["ne", fixed(2, (a) => !eq(a))],
  ["lt", fixed(2, lt)],
  ["le", fixed(2, le)],
  ["gt", fixed(2, (a) => !le(a))],
  ["ge", fixed(2, (a) => !lt(a))],
]);
