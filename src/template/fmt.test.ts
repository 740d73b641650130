import { describe, expect, it } from "vitest";
import { CSS, HTML, HTMLAttr, JS, JSStr, Srcset, URL } from "./content.js";
import { goTypeName, printValue, sprint, sprintf, sprintln } from "./fmt.js";
import { formatFloat } from "./fmt-float.js";
import { canBackquote, isPrint, quote, quoteRune } from "./fmt-quote.js";

// Expected texts below were checked against Go 1.23's fmt (fmt.go-diff.test.ts compares many
// more cases with Go directly). This file also covers what Go cannot be asked about: JavaScript
// types without a JSON form, and the documented differences from Go.

class Point {
  constructor(
    public x: number,
    public label: string,
  ) {}
}

class Money {
  constructor(private readonly cents: number) {}
  toString(): string {
    return `$${(this.cents / 100).toFixed(2)}`;
  }
}

describe("printValue", () => {
  const cases: Array<[string, unknown, string]> = [
    ["an integral number as an int", 3, "3"],
    ["a negative int", -42, "-42"],
    ["a fraction in shortest form", 0.1, "0.1"],
    ["a large float with an exponent", 1e21, "1e+21"],
    ["an integral number of 2^63 or more as a float", 1e20, "1e+20"],
    ["a small float with an exponent", 1.5e-7, "1.5e-07"],
    ["a float with an exponent from 21 digits on", 123456789.5, "1.234567895e+08"],
    ["positive infinity with its sign", Infinity, "+Inf"],
    ["NaN", NaN, "NaN"],
    ["a bigint as an int", 12345678901234567890n, "12345678901234567890"],
    ["an integral number above 2^53 as JavaScript shows it", 2 ** 60 + 2 ** 10, String(2 ** 60 + 2 ** 10)],
    ["a string unchanged", "a<b", "a<b"],
    ["true", true, "true"],
    ["null as a nil interface", null, "<nil>"],
    ["undefined as a nil interface", undefined, "<nil>"],
    ["an array as a slice", [1, "a", null, 0.5], "[1 a <nil> 0.5]"],
    ["nested arrays", [[1, 2], []], "[[1 2] []]"],
    ["an object as a map with sorted keys", { b: 2, a: 1 }, "map[a:1 b:2]"],
    ["a nested map", { x: { y: [1] } }, "map[x:map[y:[1]]]"],
    ["a Map with numeric keys sorted numerically", new Map([[10, "a"], [9, "b"], [-1, "c"]]), "map[-1:c 9:b 10:a]"],
    ["a Map with mixed keys sorted by kind", new Map<unknown, number>([["s", 1], [2, 2], [true, 3]]), "map[true:3 2:2 s:1]"],
    ["a Set as a slice", new Set([3, 1]), "[3 1]"],
    ["a class instance as a struct", new Point(1, "x"), "{1 x}"],
    ["a class with toString as a Stringer", new Money(150), "$1.50"],
    ["trusted HTML as its text", new HTML("<b>"), "<b>"],
    ["an Error as its message", new Error("boom"), "boom"],
    ["a function", () => 1, "<func>"],
    ["bytes as a slice of numbers", new Uint8Array([1, 2]), "[1 2]"],
  ];
  it.each(cases)("prints %s", (_title, value, expected) => {
    expect(printValue(value)).toBe(expected);
  });

  it("prints a Date with its toString", () => {
    const d = new Date(0);
    expect(printValue(d)).toBe(d.toString());
  });

  it("prints a value that contains itself with a cycle marker", () => {
    const a: unknown[] = [1];
    a.push(a);
    expect(printValue(a)).toBe("[1 <cycle>]");
  });

  it("reports a throwing toString in-band as Go reports a panicking String method", () => {
    class Broken {
      toString(): string {
        throw new Error("boom");
      }
    }
    expect(sprintf("%s|%d", [new Broken(), 1])).toBe("%!s(PANIC=String method: boom)|1");
  });

  it("prints the same object twice when it is shared, not cyclic", () => {
    const shared = [1];
    expect(printValue([shared, shared])).toBe("[[1] [1]]");
  });
});

describe("sprint and sprintln", () => {
  const cases: Array<[string, unknown[], string, string]> = [
    ["numbers", [1, 2], "1 2", "1 2\n"],
    ["strings", ["a", "b"], "ab", "a b\n"],
    ["a number then a string", [1, "a", 2], "1a2", "1 a 2\n"],
    ["nil values", [null, null], "<nil> <nil>", "<nil> <nil>\n"],
    ["trusted content as a string operand", [1, new HTML("<i>"), 2], "1<i>2", "1 <i> 2\n"],
    ["no operands", [], "", "\n"],
  ];
  it.each(cases)("joins %s like Go", (_title, args, printed, printedLn) => {
    expect(sprint(args)).toBe(printed);
    expect(sprintln(args)).toBe(printedLn);
  });
});

describe("sprintf", () => {
  const cases: Array<[string, unknown[], string]> = [
    ["%v %d %s", [3, 4, "x"], "3 4 x"],
    ["%5d|%-5d|%05d", [42, 42, -42], "   42|42   |-0042"],
    ["%x %X %#x %o %#o %O %b", [255, 255, 255, 8, 8, 8, 5], "ff FF 0xff 10 010 0o10 101"],
    ["%x", [-255], "-ff"],
    ["%+d % d", [5, 5], "+5  5"],
    ["%.3d|%.0d|", [7, 0], "007||"],
    ["%c%c", [72, 0x1f600], "H😀"],
    ["%q", [65], "'A'"],
    ["%U %#U", [0x41, 0x1f600], "U+0041 U+1F600 '😀'"],
    ["%t", [true], "true"],
    ["%s|%10s|%-10s|%.2s", ["héllo", "hi", "hi", "héllo"], "héllo|        hi|hi        |hé"],
    ["%q %+q %#q %#q", ["é\n", "é", "a", "`"], '"é\\n" "\\u00e9" `a` "`"'],
    ["%x % x %#x % #X", ["hi", "hi", "hi", "hi"], "6869 68 69 0x6869 0X68 0X69"],
    ["%v %+v %#v", [new Point(1, "x"), new Point(1, "x"), new Point(1, "x")], '{1 x} {x:1 label:x} Point{x:1, label:"x"}'],
    ["%#v", [[1, "a", null]], '[]interface {}{1, "a", interface {}(nil)}'],
    ["%#v", [{ a: 1 }], 'map[string]interface {}{"a":1}'],
    ["%q", [["a", "b"]], '["a" "b"]'],
    ["%d", [[1, "a"]], "[1 %!d(string=a)]"],
    ["%T %T %T %T %T", [1, 0.5, "s", true, null], "int float64 string bool <nil>"],
    ["%T %T %T", [[1], { a: 1 }, new HTML("x")], "[]interface {} map[string]interface {} template.HTML"],
    ["%e %E %.2e", [123456.789, 0.000123, 5.555], "1.234568e+05 1.230000E-04 5.55e+00"],
    ["%f %.0f %.1f %.2f", [0.5, 0.5, 0.25, 0.125], "0.500000 0 0.2 0.12"],
    ["%g %g %g %G", [100000.0 + 0.5, 1e-5, 1e6 + 0.5, 1e-7], "100000.5 1e-05 1.0000005e+06 1E-07"],
    ["%.3g %.10g %#g", [3.14159, 1 / 3, 2.5], "3.14 0.3333333333 2.50000"],
    ["%8.3f|%-8.3f|%08.3f|%+08.3f", [3.14159, 3.14159, -3.14159, 3.14159], "   3.142|3.142   |-003.142|+003.142"],
    ["%f %5.1f %v", [Infinity, -Infinity, NaN], "+Inf  -Inf NaN"],
    ["%x %b", [1.5, 0.5], "0x1.8p+00 4503599627370496p-53"],
    ["%*d|%-*d|%.*f", [4, 1, 4, 2, 2, 3.14159], "   1|2   |3.14"],
    ["%[2]d %[1]d", [1, 2], "2 1"],
    ["100%%", [], "100%"],
  ];
  it.each(cases)("formats %j like Go", (format, args, expected) => {
    expect(sprintf(format, args)).toBe(expected);
  });

  const errors: Array<[string, string, unknown[], string]> = [
    ["a verb of the wrong kind", "%d", ["hi"], "%!d(string=hi)"],
    ["a missing operand", "%s", [], "%!s(MISSING)"],
    ["extra operands", "%d", [1, 1, "x"], "1%!(EXTRA int=1, string=x)"],
    ["an extra nil operand", "", [null], "%!(EXTRA <nil>)"],
    ["a format ending in %", "a%", [], "a%!(NOVERB)"],
    ["a non-int width operand", "%*d", ["x", 1], "%!(BADWIDTH)1"],
    ["a negative precision operand", "%.*d", [-1, 1], "%!(BADPREC)1"],
    ["an unknown verb", "%z", [1], "%!z(int=1)"],
    ["a verb applied to nil", "%d", [null], "%!d(<nil>)"],
    ["a bad operand index", "%[3]d", [1], "%!d(BADINDEX)"],
    ["a bad verb on a nested value keeping the flags", "%5d", ["ab"], "%!d(string=   ab)"],
    ["%p, which is not supported", "%p", [[1]], "%!p([]interface {}=[1])"],
    ["a bool with a number verb", "%d", [true], "%!d(bool=true)"],
  ];
  it.each(errors)("reports %s in Go's in-band form", (_title, format, args, expected) => {
    expect(sprintf(format, args)).toBe(expected);
  });

  // Project decision, unlike Go: float verbs format ints as floats.
  const floatVerbsOnInts: Array<[string, unknown[], string]> = [
    ["%.2f", [149], "149.00"],
    ["%f", [3], "3.000000"],
    ["%e", [149], "1.490000e+02"],
    ["%g", [149], "149"],
    ["%G %F", [1000000, 2], "1E+06 2.000000"],
    ["%.1f", [[1, 0.25]], "[1.0 0.2]"],
    ["%.2f", [5n], "5.00"],
  ];
  it.each(floatVerbsOnInts)("formats ints as floats with %j (project decision)", (format, args, expected) => {
    expect(sprintf(format, args)).toBe(expected);
  });
});

describe("goTypeName", () => {
  const cases: Array<[unknown, string]> = [
    ["s", "string"],
    [1, "int"],
    [-0, "int"],
    [2 ** 62, "int"],
    [2 ** 63, "float64"],
    [0.5, "float64"],
    [NaN, "float64"],
    [1n, "int"],
    [true, "bool"],
    [null, "<nil>"],
    [undefined, "<nil>"],
    [[1], "[]interface {}"],
    [{ a: 1 }, "map[string]interface {}"],
    [new Map([[1, 2]]), "map[int]interface {}"],
    [new Map([["a", 2]]), "map[string]interface {}"],
    [new Map<unknown, number>([["a", 2], [1, 2]]), "map[interface {}]interface {}"],
    [new Point(1, "x"), "Point"],
    [new Date(0), "time.Time"],
    [() => 1, "func()"],
    [new Uint8Array(1), "[]uint8"],
    [new HTML(""), "template.HTML"],
    [new HTMLAttr(""), "template.HTMLAttr"],
    [new JS(""), "template.JS"],
    [new JSStr(""), "template.JSStr"],
    [new CSS(""), "template.CSS"],
    [new URL(""), "template.URL"],
    [new Srcset(""), "template.Srcset"],
  ];
  it.each(cases)("names %o as %s", (value, expected) => {
    expect(goTypeName(value)).toBe(expected);
  });
});

describe("formatFloat", () => {
  const cases: Array<[number, "e" | "f" | "g" | "x" | "b", number, string]> = [
    [0.5, "f", 0, "0"],
    [1.5, "f", 0, "2"],
    [2.5, "f", 0, "2"],
    [0.125, "f", 2, "0.12"],
    [0.375, "f", 2, "0.38"],
    [999.9999, "f", 2, "1000.00"],
    [9.5, "e", 0, "1e+01"],
    [0, "e", -1, "0e+00"],
    [-0, "g", -1, "-0"],
    [1e-320, "g", -1, "1e-320"],
    [5e-324, "e", 3, "4.941e-324"],
    [1e300, "e", -1, "1e+300"],
    [123456, "g", -1, "123456"],
    [1234567, "g", -1, "1.234567e+06"],
    [0.0001, "g", -1, "0.0001"],
    [0.00001, "g", -1, "1e-05"],
    [100, "g", 2, "1e+02"],
    [1, "x", -1, "0x1p+00"],
    [1, "x", 0, "0x1p+00"],
    [1.9375, "x", 0, "0x1p+01"],
    [0, "x", -1, "0x0p+00"],
    [1, "b", -1, "4503599627370496p-52"],
  ];
  it.each(cases)("formats %d with '%s' precision %d as %s", (x, format, prec, expected) => {
    expect(formatFloat(x, format, prec)).toBe(expected);
  });
});

describe("quoting", () => {
  it("quotes strings as strconv.Quote and QuoteToASCII", () => {
    expect(quote('a"\\\t\u0001\u007f\u00a0é😀', false)).toBe('"a\\"\\\\\\t\\x01\\x7f\\u00a0é😀"');
    expect(quote("é😀", true)).toBe('"\\u00e9\\U0001f600"');
  });

  it("quotes runes, replacing invalid code points", () => {
    expect(quoteRune(0x27, false)).toBe("'\\''");
    expect(quoteRune(0xd800, false)).toBe("'�'");
    expect(quoteRune(0x110000, true)).toBe("'\\ufffd'");
  });

  it("treats an unpaired surrogate as U+FFFD", () => {
    expect(quote("\ud800", true)).toBe('"\\ufffd"');
  });

  it("allows backquotes only for strings without controls, backquotes or BOM", () => {
    expect(canBackquote("a\tb")).toBe(true);
    expect(canBackquote("a\nb")).toBe(false);
    expect(canBackquote("a`b")).toBe(false);
    expect(canBackquote("\ufeff")).toBe(false);
  });

  it("classifies printable code points as Go does", () => {
    expect([0x20, 0x41, 0xe9, 0x1f600].map(isPrint)).toEqual([true, true, true, true]);
    expect([0x0a, 0x7f, 0xa0, 0x200b, 0xd800].map(isPrint)).toEqual([false, false, false, false, false]);
  });
});
