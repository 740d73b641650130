import { describe, expect, it } from "vitest";
import { HTML } from "./content.js";
import { BUILTINS, eq, htmlEscapeString, jsEscapeString, queryEscape } from "./funcs.js";
import { TextTemplate } from "./template.js";

function run(text: string, data?: unknown): string {
  return new TextTemplate("t").parse(text).execute(data);
}

function runError(text: string, data?: unknown): string {
  try {
    run(text, data);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`no error for ${text}`);
}

const d = {
  list: [10, 20, 30],
  obj: { a: 1, "b c": 2 },
  map: new Map<unknown, unknown>([
    [1, "one"],
    ["k", "kay"],
  ]),
  str: "héllo",
  nil: null,
  html: new HTML("<i>"),
};

describe("builtin table", () => {
  it("defines exactly Go's builtins", () => {
    expect([...BUILTINS.keys()].sort()).toEqual(
      ["and", "call", "eq", "ge", "gt", "html", "index", "js", "le", "len", "lt", "ne", "not", "or", "print", "printf", "println", "slice", "urlquery"],
    );
  });
});

describe("and, or, not", () => {
  it.each([
    ["and returns the first false value", "{{and 1 0 2}}", "0"],
    ["and returns the last value when all are true", "{{and 1 2 3}}", "3"],
    ["or returns the first true value", `{{or 0 "" "x" "y"}}`, "x"],
    ["or returns the last value when none is true", `{{or 0 ""}}`, ""],
    ["and short-circuits before a failing call", "{{and 0 (index .list 9)}}", "0"],
    ["or short-circuits before a failing call", "{{or 1 (index .list 9)}}", "1"],
    ["and takes the piped value last", "{{0 | and 1}}", "0"],
    ["not negates Go truth", "{{not 0}} {{not .list}} {{not .nil}}", "true false true"],
  ])("%s", (_t, text, want) => {
    expect(run(text, d)).toBe(want);
  });
});

describe("len, index, slice", () => {
  it.each([
    ["len counts UTF-8 bytes of a string", "{{len .str}}", "6"],
    ["len counts array elements", "{{len .list}}", "3"],
    ["len counts object keys", "{{len .obj}}", "2"],
    ["len counts Map entries", "{{len .map}}", "2"],
    ["index reads an array element", "{{index .list 1}}", "20"],
    ["index reads an object key", `{{index .obj "b c"}}`, "2"],
    ["index reads a Map by any key", `{{index .map 1}} {{index .map "k"}}`, "one kay"],
    ["index of a missing key is nil", `{{index .obj "zz"}}`, "<no value>"],
    ["index reads a string byte", "{{index .str 1}}", "195"],
    ["index follows several indices", `{{index . "list" 2}}`, "30"],
    ["index with no index returns the item", "{{index .list}}", "[10 20 30]"],
    ["slice takes a tail", "{{slice .list 1}}", "[20 30]"],
    ["slice takes a range", "{{slice .list 0 2}}", "[10 20]"],
    ["slice takes three indices", "{{slice .list 0 1 3}}", "[10]"],
    ["slice cuts strings by bytes", `{{slice "abcdef" 2 4}}`, "cd"],
    ["slice keeps a UTF-8 string whole when cut on boundaries", "{{slice .str 0 3}}", "hé"],
  ])("%s", (_t, text, want) => {
    expect(run(text, d)).toBe(want);
  });

  it.each([
    ["index out of range", "{{index .list 5}}", "error calling index: index out of range: 5"],
    ["negative index", "{{index .list -1}}", "error calling index: index out of range: -1"],
    ["index of nil", "{{index .nil 0}}", "error calling index: index of untyped nil"],
    ["index of a number", "{{index 3 0}}", "error calling index: can't index item of type int"],
    ["index with a string into an array", `{{index .list "a"}}`, "error calling index: cannot index slice/array with type string"],
    ["index with a number into an object", "{{index .obj 1}}", "error calling index: value has type int; should be string"],
    ["index through nil", `{{index . "nil" 0}}`, "error calling index: index of nil pointer"],
    ["slice with too many indices", "{{slice .list 1 2 3 4}}", "error calling slice: too many slice indexes: 4"],
    ["slice with reversed indices", "{{slice .list 2 1}}", "error calling slice: invalid slice index: 2 > 1"],
    ["three-index slice of a string", `{{slice "ab" 0 1 2}}`, "error calling slice: cannot 3-index slice a string"],
    ["slice of a number", "{{slice 1 0}}", "error calling slice: can't slice item of type int"],
    ["len of a number", "{{len 3}}", "error calling len: len of type int"],
    ["len of null", "{{len .nil}}", "error calling len: len of nil pointer"],
    ["len without argument", "{{len}}", "wrong number of args for len: want 1 got 0"],
    ["index without argument", "{{index}}", "wrong number of args for index: want at least 1 got 0"],
  ])("reports %s", (_t, text, want) => {
    expect(runError(text, d)).toContain(want);
  });
});

describe("comparisons", () => {
  it.each([
    ["eq on equal numbers", "{{eq 1 1}}", "true"],
    ["eq compares integers with floats numerically", "{{eq 2 2.0}} {{eq 1 1.5}}", "true false"],
    ["eq with several candidates", "{{eq 3 1 2 3}}", "true"],
    ["eq on strings", `{{eq "a" "a"}} {{eq "a" "b"}}`, "true false"],
    ["eq compares trusted content as its string", `{{eq .html "<i>"}}`, "true"],
    ["eq on nil", "{{eq .nil .missing}} {{eq .nil 1}}", "true false"],
    ["ne", "{{ne 1 2}} {{ne 1 1}}", "true false"],
    ["lt on numbers and strings", `{{lt 1 2}} {{lt 2.5 2}} {{lt "a" "b"}}`, "true false true"],
    ["le", "{{le 2 2}} {{le 3 2}}", "true false"],
    ["gt", "{{gt 3 2}} {{gt 2 2}}", "true false"],
    ["ge", "{{ge 2 2}} {{ge 1 2}}", "true false"],
    ["lt orders strings by code point", `{{lt "\uffff" "😀"}}`, "true"],
  ])("%s", (_t, text, want) => {
    expect(run(text, d)).toBe(want);
  });

  it.each([
    ["eq across kinds", `{{eq 1 "1"}}`, "error calling eq: incompatible types for comparison"],
    ["eq without a second argument", "{{eq 1}}", "error calling eq: missing argument for comparison"],
    ["eq on arrays", "{{eq .list .list}}", "error calling eq: non-comparable type"],
    ["lt on booleans", "{{lt true false}}", "error calling lt: invalid type for comparison"],
    ["lt on nil", "{{lt .nil 1}}", "error calling lt: invalid type for comparison"],
    ["lt across kinds", `{{lt 1 "a"}}`, "error calling lt: incompatible types for comparison"],
    ["ne with one argument", "{{ne 1}}", "wrong number of args for ne: want 2 got 1"],
  ])("reports %s", (_t, text, want) => {
    expect(runError(text, d)).toContain(want);
  });

  it("compares class instances by identity", () => {
    class P {}
    const p = new P();
    expect(eq([p, p])).toBe(true);
    expect(eq([p, new P()])).toBe(false);
  });
});

describe("print functions", () => {
  it.each([
    ["print adds spaces between non-strings", `{{print 1 2 "a" "b" 3}}`, "1 2ab3"],
    ["println separates with spaces and ends with a newline", `{{println "a" 1}}`, "a 1\n"],
    ["printf formats", `{{printf "%d-%s-%v" 1 "x" .list}}`, "1-x-[10 20 30]"],
    ["printf formats a float verb over an integer", `{{printf "%.2f" 149}}`, "149.00"],
    ["print prints nil as <nil>", "{{print .nil}}", "<nil>"],
  ])("%s", (_t, text, want) => {
    expect(run(text, d)).toBe(want);
  });

  it.each([
    ["a number literal format", "{{printf 1}}", "expected string; found 1"],
    ["a non-string format value", "{{printf .list}}", "wrong type for value; expected string; got []interface {}"],
    ["a missing format value", "{{printf .missing}}", "invalid value; expected string"],
  ])("printf rejects %s", (_t, text, want) => {
    expect(runError(text, d)).toContain(want);
  });
});

describe("escapers", () => {
  it.each([
    ["plain", "plain"],
    [`<a href="x">'&'</a>`, "&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;"],
    ["nul\0", "nul\uFFFD"],
  ])("html escapes %j", (input, want) => {
    expect(htmlEscapeString(input)).toBe(want);
  });

  it.each([
    ["plain", "plain"],
    [`'"\\`, `\\'\\"\\\\`],
    ["<>&=", "\\u003C\\u003E\\u0026\\u003D"],
    ["\u0001\n", "\\u0001\\u000A"],
    ["ü✓😀", "ü✓😀"],
    ["\u2028\u00a0", "\\u2028\\u00A0"],
  ])("js escapes %j", (input, want) => {
    expect(jsEscapeString(input)).toBe(want);
  });

  it.each([
    ["a-b_c.d~e", "a-b_c.d~e"],
    ["a b&c=d/é?#", "a+b%26c%3Dd%2F%C3%A9%3F%23"],
    ["!*'()", "%21%2A%27%28%29"],
  ])("urlquery escapes %j", (input, want) => {
    expect(queryEscape(input)).toBe(want);
  });

  it("escapes the printed form of several arguments", () => {
    expect(run(`{{html 1 "<" 2}}`)).toBe("1&lt;2");
    expect(run("{{js .nil}}", d)).toBe("\\u003Cno value\\u003E");
    expect(run("{{urlquery .list}}", d)).toBe("%5B10+20+30%5D");
  });
});

describe("call", () => {
  it("calls a function with arguments", () => {
    expect(run("{{call .f 2 3}}", { f: (a: number, b: number) => a * b })).toBe("6");
  });

  it("calls a method with its receiver", () => {
    const obj = {
      n: 5,
      plus(this: { n: number }, x: number) {
        return this.n + x;
      },
    };
    expect(run("{{call .o.plus 1}}", { o: obj })).toBe("6");
  });

  it("reports a throwing function", () => {
    expect(
      runError("{{call .f}}", {
        f: () => {
          throw new Error("bad");
        },
      }),
    ).toContain("error calling call: bad");
  });
});
