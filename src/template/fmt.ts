/**
 * Go's fmt printing (Sprint, Sprintln, Sprintf) over JavaScript values: what `{{.}}`, `print`,
 * `printf` and `println` produce in templates, byte for byte as Go does.
 *
 * How JavaScript values map onto Go values (see also docs/template.md, "Numbers and values"):
 *
 * - `null` and `undefined` are a nil interface: `%v` prints `<nil>`, other verbs `%!d(<nil>)`.
 * - A number that is integral with magnitude below 2^63 is a Go `int` (`%v` of 3 is `3`; `%d`,
 *   `%x`, `%c`, `%q`, `%U` work). Every other number (0.5, NaN, ±Inf, 1e21) is a `float64`, printed
 *   by `%v` in Go's shortest form (`0.5`, `1e+21`, `+Inf`, `NaN`). Integral numbers above 2^53
 *   print as JavaScript shows them (`String(x)`), which is also the value Go reads from their JSON
 *   text. A bigint is an `int`.
 * - Deliberate difference from Go: the float verbs `%e %E %f %F %g %G` format any number, ints
 *   included, as a float (`printf "%.2f" 149` gives `149.00`, where Go prints `%!f(int=149)`).
 * - A string is a `string`; a TrustedContent value (`new HTML("<b>")`) is a string type named
 *   `template.HTML` (etc.), printed as its text.
 * - A boolean is a `bool`.
 * - An array (or Set) is a `[]interface {}`: `[1 2 3]`; a Uint8Array is a `[]uint8`, printed by
 *   `%s`/`%q`/`%x` as bytes of text as Go does for byte slices.
 * - A plain object is a `map[string]interface {}` and a Map a map of its key type: `map[a:1 b:2]`,
 *   keys sorted as Go sorts them (numbers numerically, strings by code point; mixed key types by
 *   kind: nil, bool, number, string, then others in insertion order).
 * - Any other object (a class instance) is a struct named after its constructor: `{1 x}`, with
 *   `%+v` `{a:1 b:x}` (own enumerable properties, in order). If its class defines `toString`, it
 *   is a Go Stringer: `%v %s %q %x %X` print that string.
 * - A Date is a `time.Time` Stringer printing `Date.prototype.toString()`; an Error is a Stringer
 *   printing its message (as Go prints an `error`).
 * - A function is a `func()` printed as `<func>` (Go prints an address, which has no meaning here).
 * - A value that contains itself prints `<cycle>` where the repetition starts.
 * - A `toString` that throws prints `%!v(PANIC=String method: message)`, as Go reports a
 *   panicking String method.
 * - `%p` is not supported: it reports `%!p(type=value)`.
 */

import { TrustedContent } from "./content.js";
import type { ContentKind } from "./content.js";
import { formatFloat } from "./fmt-float.js";
import type { FloatFormat } from "./fmt-float.js";
import { canBackquote, isPrint, quote, quoteRune } from "./fmt-quote.js";

const TWO_63 = 2 ** 63;
const MAX_NUM = 1_000_000;

const CONTENT_TYPE_NAMES: Record<ContentKind, string> = {
  html: "template.HTML",
  htmlAttr: "template.HTMLAttr",
  js: "template.JS",
  jsStr: "template.JSStr",
  css: "template.CSS",
  url: "template.URL",
  srcset: "template.Srcset",
};

/** Whether a number is a Go int under the mapping above. */
function isIntNumber(x: number): boolean {
  return Number.isInteger(x) && Math.abs(x) < TWO_63;
}

/** The int value of an integral number, as its decimal text reads (see the file comment). */
function intOf(x: number): bigint {
  return Number.isSafeInteger(x) ? BigInt(x) : BigInt(String(x));
}

function isPlainObject(o: object): boolean {
  const proto: unknown = Object.getPrototypeOf(o);
  return proto === Object.prototype || proto === null;
}

/** A class-defined toString (not the default one), making the object a Stringer. */
function customToString(o: object): (() => string) | undefined {
  const fn: unknown = (o as { toString?: unknown }).toString;
  if (typeof fn !== "function" || fn === Object.prototype.toString) return undefined;
  return fn as () => string;
}

function constructorName(o: object): string {
  const ctor: unknown = (o as { constructor?: unknown }).constructor;
  if (typeof ctor === "function" && ctor.name !== "") return ctor.name;
  return "struct {}";
}

/** The Go type of a Map key: a scalar's or trusted content's own type, else `interface {}`. */
function keyKind(k: unknown): string {
  if (k === null || k === undefined) return "nil";
  const t = typeof k;
  const scalar = t === "string" || t === "boolean" || t === "number" || t === "bigint";
  return scalar || k instanceof TrustedContent ? goTypeName(k) : "interface {}";
}

function mapTypeName(m: Map<unknown, unknown>): string {
  let key: string | undefined;
  for (const k of m.keys()) {
    const kind = keyKind(k);
    if (key === undefined) key = kind;
    else if (key !== kind) {
      key = "interface {}";
      break;
    }
  }
  if (key === undefined || key === "nil") key = "interface {}";
  return `map[${key}]interface {}`;
}

/**
 * The Go type name of a value under the mapping in this file, as `%T` prints it and as error
 * messages name it: `string`, `int`, `float64`, `bool`, `[]interface {}`,
 * `map[string]interface {}`, `template.HTML`, `<nil>`, a class name for class instances.
 */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  switch (typeof v) {
    case "string":
      return "string";
    case "boolean":
      return "bool";
    case "number":
      return isIntNumber(v) ? "int" : "float64";
    case "bigint":
      return "int";
    case "function":
      return "func()";
    case "symbol":
      return "symbol";
    case "object":
      break;
    default:
      return "interface {}";
  }
  if (v instanceof TrustedContent) return CONTENT_TYPE_NAMES[v.kind];
  if (Array.isArray(v) || v instanceof Set) return "[]interface {}";
  if (v instanceof Uint8Array) return "[]uint8";
  if (v instanceof Map) return mapTypeName(v);
  if (v instanceof Date) return "time.Time";
  if (isPlainObject(v)) return "map[string]interface {}";
  return constructorName(v);
}

/** Orders strings by code point, as Go compares UTF-8 bytes (UTF-16 order differs above U+D7FF). */
function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

function keyRank(k: unknown): number {
  if (k === null || k === undefined) return 0;
  switch (typeof k) {
    case "boolean":
      return 1;
    case "number":
    case "bigint":
      return 2;
    case "string":
      return 3;
    default:
      return k instanceof TrustedContent ? 3 : 4;
  }
}

function compareKeys(a: unknown, b: unknown): number {
  const ra = keyRank(a);
  const rb = keyRank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 1) return Number(a) - Number(b);
  if (ra === 2) {
    const x = typeof a === "bigint" ? a : (a as number);
    const y = typeof b === "bigint" ? b : (b as number);
    // NaN sorts first, as in Go's fmtsort.
    if (typeof x === "number" && Number.isNaN(x)) return typeof y === "number" && Number.isNaN(y) ? 0 : -1;
    if (typeof y === "number" && Number.isNaN(y)) return 1;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (ra === 3) return compareStrings(String(a), String(b));
  return 0;
}

function sortedEntries(o: object): Array<[unknown, unknown]> {
  if (o instanceof Map) {
    const entries = [...(o as Map<unknown, unknown>).entries()];
    return entries.sort((x, y) => compareKeys(x[0], y[0]));
  }
  const rec = o as Record<string, unknown>;
  return Object.keys(o)
    .sort(compareStrings)
    .map((k): [unknown, unknown] => [k, rec[k]]);
}

function runeCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One formatting run: the output buffer plus the flags of the verb being printed. */
class Printer {
  buf = "";
  plus = false;
  minus = false;
  sharp = false;
  space = false;
  zero = false;
  plusV = false;
  sharpV = false;
  wid = 0;
  widPresent = false;
  prec = 0;
  precPresent = false;
  private erroring = false;
  /** Objects being printed, to stop at cycles; allocated on the first container. */
  private active: Set<object> | undefined;

  clearFlags(): void {
    this.plus = this.minus = this.sharp = this.space = this.zero = false;
    this.plusV = this.sharpV = false;
    this.wid = this.prec = 0;
    this.widPresent = this.precPresent = false;
  }

  private writePadding(n: number): void {
    if (n > 0) this.buf += (this.zero ? "0" : " ").repeat(n);
  }

  /** Appends s padded to the width (counted in code points), on the left unless `-`. */
  pad(s: string): void {
    if (!this.widPresent || this.wid === 0) {
      this.buf += s;
      return;
    }
    const n = this.wid - runeCount(s);
    if (this.minus) {
      this.buf += s;
      this.writePadding(n);
    } else {
      this.writePadding(n);
      this.buf += s;
    }
  }

  private padNoZero(s: string): void {
    const zero = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = zero;
  }

  private truncate(s: string): string {
    if (!this.precPresent) return s;
    let n = this.prec;
    for (let i = 0; i < s.length; i++) {
      if (n-- <= 0) return s.slice(0, i);
      const c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
    }
    return s;
  }

  private fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  private fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.sharp && canBackquote(s)) {
      this.pad("`" + s + "`");
      return;
    }
    this.pad(quote(s, this.plus));
  }

  /** Hex dump of bytes: `%x` of strings and byte slices, with Go's `#` and space flags. */
  private fmtSx(bytes: Uint8Array, upper: boolean): void {
    let length = bytes.length;
    if (this.precPresent && this.prec < length) length = this.prec;
    let width = 2 * length;
    if (width <= 0) {
      if (this.widPresent) this.writePadding(this.wid);
      return;
    }
    if (this.space) {
      if (this.sharp) width *= 2;
      width += length - 1;
    } else if (this.sharp) {
      width += 2;
    }
    if (this.widPresent && this.wid > width && !this.minus) this.writePadding(this.wid - width);
    const digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    const prefix = upper ? "0X" : "0x";
    let out = this.sharp ? prefix : "";
    for (let i = 0; i < length; i++) {
      if (this.space && i > 0) {
        out += " ";
        if (this.sharp) out += prefix;
      }
      const b = bytes[i] ?? 0;
      out += (digits[b >> 4] ?? "") + (digits[b & 15] ?? "");
    }
    this.buf += out;
    if (this.widPresent && this.wid > width && this.minus) this.writePadding(this.wid - width);
  }

  private fmtInteger(v: bigint, base: 2 | 8 | 10 | 16, verb: string, upper: boolean): void {
    const negative = v < 0n;
    const u = negative ? -v : v;
    let prec = 0;
    if (this.precPresent) {
      prec = this.prec;
      if (prec === 0 && u === 0n) {
        // Precision 0 prints nothing for zero, but still pads.
        const zero = this.zero;
        this.zero = false;
        this.writePadding(this.wid);
        this.zero = zero;
        return;
      }
    } else if (this.zero && this.widPresent) {
      prec = this.wid;
      if (negative || this.plus || this.space) prec--;
    }
    let s = u.toString(base);
    if (upper) s = s.toUpperCase();
    if (s.length < prec) s = "0".repeat(prec - s.length) + s;
    if (this.sharp) {
      if (base === 2) s = "0b" + s;
      else if (base === 8 && s[0] !== "0") s = "0" + s;
      else if (base === 16) s = (upper ? "0X" : "0x") + s;
    }
    if (verb === "O") s = "0o" + s;
    if (negative) s = "-" + s;
    else if (this.plus) s = "+" + s;
    else if (this.space) s = " " + s;
    this.padNoZero(s);
  }

  private fmtUnicode(v: bigint): void {
    const u = v < 0n ? v + (1n << 64n) : v;
    let prec = 4;
    if (this.precPresent && this.prec > 4) prec = this.prec;
    let s = "U+" + u.toString(16).toUpperCase().padStart(prec, "0");
    if (this.sharp && u <= 0x10ffffn && isPrint(Number(u))) {
      s += " '" + String.fromCodePoint(Number(u)) + "'";
    }
    this.padNoZero(s);
  }

  private static rune(v: bigint): number {
    if (v < 0n || v > 0x10ffffn) return 0xfffd;
    const r = Number(v);
    return r >= 0xd800 && r <= 0xdfff ? 0xfffd : r;
  }

  private fmtFloat(v: number, verb: FloatFormat, prec: number): void {
    if (this.precPresent) prec = this.prec;
    let num = formatFloat(v, verb, prec);
    if (num[0] !== "-" && num[0] !== "+") num = "+" + num;
    if (this.space && num[0] === "+" && !this.plus) num = " " + num.slice(1);
    if (num[1] === "I" || num[1] === "N") {
      // Infinities and NaN are not numbers to pad with zeros; NaN shows a sign only when asked.
      if (num[1] === "N" && !this.space && !this.plus) num = num.slice(1);
      this.padNoZero(num);
      return;
    }
    if (this.sharp && verb !== "b") {
      // `#` keeps a decimal point and, for %g, the trailing zeros up to the precision.
      let digits = 0;
      if (verb === "g" || verb === "G" || verb === "x") digits = prec === -1 ? 6 : prec;
      let tail = "";
      let hasPoint = false;
      let sawNonzero = false;
      for (let i = 1; i < num.length; i++) {
        const c = num[i];
        if (c === ".") {
          hasPoint = true;
        } else if (c === "p" || c === "P" || ((c === "e" || c === "E") && verb !== "x" && verb !== "X")) {
          tail = num.slice(i);
          num = num.slice(0, i);
        } else {
          if (c !== "0") sawNonzero = true;
          if (sawNonzero) digits--;
        }
      }
      if (!hasPoint) {
        if (num.length === 2 && num[1] === "0") digits--;
        num += ".";
      }
      if (digits > 0) num += "0".repeat(digits);
      num += tail;
    }
    if (this.plus || num[0] !== "+") {
      if (this.zero && this.widPresent && this.wid > num.length) {
        // Zero padding goes between the sign and the digits.
        this.buf += num[0] ?? "";
        this.writePadding(this.wid - num.length);
        this.buf += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  private badVerb(verb: string, arg: unknown): void {
    this.erroring = true;
    this.buf += "%!" + verb + "(";
    if (arg === null || arg === undefined) {
      this.buf += "<nil>";
    } else {
      this.buf += goTypeName(arg) + "=";
      this.printArg(arg, "v", 0);
    }
    this.buf += ")";
    this.erroring = false;
  }

  private printInt(v: bigint, verb: string, arg: unknown): void {
    switch (verb) {
      case "v":
      case "d":
        return this.fmtInteger(v, 10, verb, false);
      case "b":
        return this.fmtInteger(v, 2, verb, false);
      case "o":
      case "O":
        return this.fmtInteger(v, 8, verb, false);
      case "x":
        return this.fmtInteger(v, 16, verb, false);
      case "X":
        return this.fmtInteger(v, 16, verb, true);
      case "c":
        return this.pad(String.fromCodePoint(Printer.rune(v)));
      case "q":
        return this.pad(quoteRune(Printer.rune(v), this.plus));
      case "U":
        return this.fmtUnicode(v);
      case "e":
      case "E":
      case "f":
      case "F":
      case "g":
      case "G":
        // Project decision: float verbs accept ints.
        return this.printFloat(Number(v), verb, arg);
      default:
        return this.badVerb(verb, arg);
    }
  }

  private printFloat(v: number, verb: string, arg: unknown): void {
    switch (verb) {
      case "v":
        return this.fmtFloat(v, "g", -1);
      case "b":
      case "g":
      case "G":
      case "x":
      case "X":
        return this.fmtFloat(v, verb, -1);
      case "f":
      case "e":
      case "E":
        return this.fmtFloat(v, verb, 6);
      case "F":
        return this.fmtFloat(v, "f", 6);
      default:
        return this.badVerb(verb, arg);
    }
  }

  private printString(s: string, verb: string, arg: unknown): void {
    switch (verb) {
      case "v":
        return this.sharpV ? this.fmtQ(s) : this.fmtS(s);
      case "s":
        return this.fmtS(s);
      case "x":
        return this.fmtSx(encoder.encode(s), false);
      case "X":
        return this.fmtSx(encoder.encode(s), true);
      case "q":
        return this.fmtQ(s);
      default:
        return this.badVerb(verb, arg);
    }
  }

  private printBytes(b: Uint8Array, verb: string, depth: number): void {
    switch (verb) {
      case "s":
        return this.fmtS(decoder.decode(b));
      case "q":
        return this.fmtQ(decoder.decode(b));
      case "x":
        return this.fmtSx(b, false);
      case "X":
        return this.fmtSx(b, true);
      case "v":
      case "d":
        if (this.sharpV) {
          this.buf += (depth === 0 ? "[]byte" : "[]uint8") + "{";
          b.forEach((c, i) => {
            if (i > 0) this.buf += ", ";
            const sharp = this.sharp;
            this.sharp = true;
            this.fmtInteger(BigInt(c), 16, "v", false);
            this.sharp = sharp;
          });
          this.buf += "}";
          return;
        }
    }
    this.buf += this.sharpV ? "[]uint8{" : "[";
    b.forEach((c, i) => {
      if (i > 0) this.buf += this.sharpV ? ", " : " ";
      this.printInt(BigInt(c), verb, c);
    });
    this.buf += this.sharpV ? "}" : "]";
  }

  private printList(items: Iterable<unknown>, typeName: string, verb: string, depth: number): void {
    this.buf += this.sharpV ? typeName + "{" : "[";
    let i = 0;
    for (const item of items) {
      if (i++ > 0) this.buf += this.sharpV ? ", " : " ";
      this.printArg(item, verb, depth + 1);
    }
    this.buf += this.sharpV ? "}" : "]";
  }

  private printMap(o: object, verb: string, depth: number): void {
    this.buf += this.sharpV ? goTypeName(o) + "{" : "map[";
    sortedEntries(o).forEach(([k, v], i) => {
      if (i > 0) this.buf += this.sharpV ? ", " : " ";
      this.printArg(k, verb, depth + 1);
      this.buf += ":";
      this.printArg(v, verb, depth + 1);
    });
    this.buf += this.sharpV ? "}" : "]";
  }

  private printStruct(o: object, verb: string, depth: number): void {
    if (this.sharpV) this.buf += goTypeName(o);
    this.buf += "{";
    const rec = o as Record<string, unknown>;
    Object.keys(o).forEach((k, i) => {
      if (i > 0) this.buf += this.sharpV ? ", " : " ";
      if (this.plusV || this.sharpV) this.buf += k + ":";
      this.printArg(rec[k], verb, depth + 1);
    });
    this.buf += "}";
  }

  /** Prints a Stringer's text when the verb takes a string (Go's handleMethods). */
  private stringer(s: () => string, verb: string): boolean {
    if (this.erroring || this.sharpV) return false;
    if (verb !== "v" && verb !== "s" && verb !== "x" && verb !== "X" && verb !== "q") return false;
    let text: string;
    try {
      text = s();
    } catch (e) {
      // Go reports a panicking String method in-band instead of failing the whole print.
      this.buf += `%!${verb}(PANIC=String method: ${e instanceof Error ? e.message : String(e)})`;
      return true;
    }
    this.printString(text, verb, undefined);
    return true;
  }

  /** Prints one operand; depth > 0 means an element inside a slice, map or struct. */
  printArg(arg: unknown, verb: string, depth: number): void {
    if (arg === null || arg === undefined) {
      if (depth > 0) this.buf += this.sharpV ? "interface {}(nil)" : "<nil>";
      else if (verb === "T" || verb === "v") this.pad("<nil>");
      else this.badVerb(verb, arg);
      return;
    }
    if (depth === 0) {
      if (verb === "T") return this.fmtS(goTypeName(arg));
      if (verb === "p") return this.badVerb(verb, arg);
    }
    switch (typeof arg) {
      case "boolean":
        if (verb === "t" || verb === "v") return this.pad(arg ? "true" : "false");
        return this.badVerb(verb, arg);
      case "number":
        if (isIntNumber(arg)) return this.printInt(intOf(arg), verb, arg);
        return this.printFloat(arg, verb, arg);
      case "bigint":
        return this.printInt(arg, verb, arg);
      case "string":
        return this.printString(arg, verb, arg);
      case "function":
        if (verb === "v") return this.pad("<func>");
        return this.badVerb(verb, arg);
      case "symbol":
        if (this.stringer(() => arg.toString(), verb)) return;
        return this.badVerb(verb, arg);
      case "object":
        break;
      default:
        return this.badVerb(verb, arg);
    }
    if (arg instanceof TrustedContent) return this.printString(arg.value, verb, arg);
    if (arg instanceof Date || arg instanceof Error) {
      const text = arg instanceof Date ? () => arg.toString() : () => arg.message;
      if (this.stringer(text, verb)) return;
      if (this.erroring) return this.printString(text(), "v", arg);
      return this.badVerb(verb, arg);
    }
    const active = (this.active ??= new Set());
    if (active.has(arg)) {
      this.buf += "<cycle>";
      return;
    }
    active.add(arg);
    try {
      if (Array.isArray(arg)) return this.printList(arg, "[]interface {}", verb, depth);
      if (arg instanceof Set) return this.printList(arg, "[]interface {}", verb, depth);
      if (arg instanceof Uint8Array) return this.printBytes(arg, verb, depth);
      if (arg instanceof Map || isPlainObject(arg)) return this.printMap(arg, verb, depth);
      const toString = customToString(arg);
      if (toString !== undefined && this.stringer(() => String(toString.call(arg)), verb)) return;
      return this.printStruct(arg, verb, depth);
    } finally {
      active.delete(arg);
    }
  }
}

/** Reads a decimal number at s[start..end); gives up (isnum false) above a million. */
function parseNum(s: string, start: number, end: number): { num: number; isnum: boolean; next: number } {
  let num = 0;
  let isnum = false;
  let i = start;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    if (num > MAX_NUM) return { num: 0, isnum: false, next: end };
    num = num * 10 + (c - 48);
    isnum = true;
  }
  return { num, isnum, next: i };
}

/** The int value of a `*` width/precision operand, or undefined if it is not a small int. */
function intArg(v: unknown): number | undefined {
  let n: number;
  if (typeof v === "number" && isIntNumber(v)) n = v;
  else if (typeof v === "bigint") n = Number(v);
  else return undefined;
  return Math.abs(n) > MAX_NUM ? undefined : n;
}

function doPrintf(p: Printer, format: string, args: readonly unknown[]): void {
  const end = format.length;
  let argNum = 0;
  let afterIndex = false;
  let reordered = false;
  let goodArgNum = true;

  // An explicit operand index `[n]` at format[i]; returns the new operand number and position.
  const argNumber = (num: number, i: number): { num: number; i: number; found: boolean } => {
    if (i >= end || format[i] !== "[") return { num, i, found: false };
    reordered = true;
    const close = format.indexOf("]", i + 1);
    if (end - i < 3 || close < 0) {
      goodArgNum = false;
      return { num, i: i + 1, found: false };
    }
    const { num: n, isnum, next } = parseNum(format, i + 1, close);
    if (!isnum || next !== close) {
      goodArgNum = false;
      return { num, i: close + 1, found: false };
    }
    const index = n - 1;
    if (index >= 0 && index < args.length) return { num: index, i: close + 1, found: true };
    goodArgNum = false;
    return { num, i: close + 1, found: true };
  };

  let i = 0;
  while (i < end) {
    goodArgNum = true;
    const pct = format.indexOf("%", i);
    if (pct < 0) {
      p.buf += format.slice(i);
      break;
    }
    if (pct > i) p.buf += format.slice(i, pct);
    i = pct + 1;

    p.clearFlags();
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case "#":
          p.sharp = true;
          break;
        case "0":
          p.zero = !p.minus;
          break;
        case "+":
          p.plus = true;
          break;
        case "-":
          p.minus = true;
          p.zero = false;
          break;
        case " ":
          p.space = true;
          break;
        default:
          break flags;
      }
    }

    // Common case: flags then a lower-case verb, with an operand left (Go takes the same shortcut;
    // the general path below would print the same).
    if (i < end && argNum < args.length) {
      const c = format.charCodeAt(i);
      if (c >= 97 && c <= 122) {
        if (c === 118) {
          p.sharpV = p.sharp;
          p.sharp = false;
          p.plusV = p.plus;
          p.plus = false;
        }
        p.printArg(args[argNum], format[i] ?? "", 0);
        argNum++;
        i++;
        continue;
      }
    }

    let r = argNumber(argNum, i);
    argNum = r.num;
    i = r.i;
    afterIndex = r.found;

    if (i < end && format[i] === "*") {
      i++;
      const n = argNum < args.length ? intArg(args[argNum]) : undefined;
      if (argNum < args.length) argNum++;
      p.widPresent = n !== undefined;
      p.wid = n ?? 0;
      if (n === undefined) p.buf += "%!(BADWIDTH)";
      if (p.wid < 0) {
        p.wid = -p.wid;
        p.minus = true;
        p.zero = false;
      }
      afterIndex = false;
    } else {
      const w = parseNum(format, i, end);
      p.wid = w.num;
      p.widPresent = w.isnum;
      i = w.next;
      if (afterIndex && p.widPresent) goodArgNum = false;
    }

    if (i + 1 < end && format[i] === ".") {
      i++;
      if (afterIndex) goodArgNum = false;
      r = argNumber(argNum, i);
      argNum = r.num;
      i = r.i;
      afterIndex = r.found;
      if (i < end && format[i] === "*") {
        i++;
        const n = argNum < args.length ? intArg(args[argNum]) : undefined;
        if (argNum < args.length) argNum++;
        p.prec = n ?? 0;
        p.precPresent = n !== undefined;
        if (p.prec < 0) {
          p.prec = 0;
          p.precPresent = false;
        }
        if (!p.precPresent) p.buf += "%!(BADPREC)";
        afterIndex = false;
      } else {
        const w = parseNum(format, i, end);
        p.prec = w.num;
        p.precPresent = true;
        i = w.next;
      }
    }

    if (!afterIndex) {
      r = argNumber(argNum, i);
      argNum = r.num;
      i = r.i;
      afterIndex = r.found;
    }

    if (i >= end) {
      p.buf += "%!(NOVERB)";
      break;
    }

    const cp = format.codePointAt(i) ?? 0;
    const verb = String.fromCodePoint(cp);
    i += verb.length;

    if (verb === "%") {
      p.buf += "%";
    } else if (!goodArgNum) {
      p.buf += "%!" + verb + "(BADINDEX)";
    } else if (argNum >= args.length) {
      p.buf += "%!" + verb + "(MISSING)";
    } else {
      if (verb === "v") {
        p.sharpV = p.sharp;
        p.sharp = false;
        p.plusV = p.plus;
        p.plus = false;
      }
      p.printArg(args[argNum], verb, 0);
      argNum++;
    }
  }

  if (!reordered && argNum < args.length) {
    p.clearFlags();
    p.buf += "%!(EXTRA ";
    args.slice(argNum).forEach((arg, k) => {
      if (k > 0) p.buf += ", ";
      if (arg === null || arg === undefined) {
        p.buf += "<nil>";
      } else {
        p.buf += goTypeName(arg) + "=";
        p.printArg(arg, "v", 0);
      }
    });
    p.buf += ")";
  }
}

function isStringOperand(v: unknown): boolean {
  return typeof v === "string" || v instanceof TrustedContent;
}

/**
 * Go's `fmt.Sprint` of one value: the text `{{.}}` prints for it.
 * @example printValue([1, "a", null]) // "[1 a <nil>]"
 */
export function printValue(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") {
    if (Number.isSafeInteger(v)) return String(v);
    const abs = Math.abs(v);
    // Go's shortest %g matches JavaScript's text in this range (see fmt-float.ts).
    if (abs >= 1e-4 && abs < 1e6) return String(v);
  }
  if (typeof v === "boolean") return v ? "true" : "false";
  const p = new Printer();
  p.printArg(v, "v", 0);
  return p.buf;
}

/**
 * Go's `fmt.Sprint(args...)`: operands printed with `%v`, with a space between two operands when
 * neither of them is a string.
 * @example sprint([1, 2, "a", 3]) // "1 2a3"
 */
export function sprint(args: readonly unknown[]): string {
  const p = new Printer();
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = isStringOperand(arg);
    if (i > 0 && !isString && !prevString) p.buf += " ";
    p.printArg(arg, "v", 0);
    prevString = isString;
  });
  return p.buf;
}

/**
 * Go's `fmt.Sprintln(args...)`: operands printed with `%v`, always separated by a space, and a
 * final newline.
 */
export function sprintln(args: readonly unknown[]): string {
  const p = new Printer();
  args.forEach((arg, i) => {
    if (i > 0) p.buf += " ";
    p.printArg(arg, "v", 0);
  });
  return p.buf + "\n";
}

/**
 * Go's `fmt.Sprintf`: verbs, flags, width, precision, `*` and `[n]` operand indexes, and Go's
 * in-band error forms (`%!d(string=hi)`, `%!s(MISSING)`, `%!(EXTRA int=1)`, `%!(NOVERB)`,
 * `%!(BADWIDTH)`, `%!(BADPREC)`, `%!d(BADINDEX)`). The float verbs also accept ints (see the
 * file comment).
 * @example sprintf("%-5s|%05.1f|%x", ["ab", 3.14159, 255]) // "ab   |003.1|ff"
 */
export function sprintf(format: string, args: readonly unknown[]): string {
  const p = new Printer();
  doPrintf(p, format, args);
  return p.buf;
}
