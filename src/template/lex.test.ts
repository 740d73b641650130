import { describe, expect, it } from "vitest";
import { Lexer, formatRune, goQuote, lexAll, type LexOptions } from "./lex.js";

/** Items as compact "type:value" strings; spaces show as "_". */
function items(input: string, options: LexOptions = {}): string[] {
  return lexAll(input, options).map((i) => (i.type === "space" ? "_" : `${i.type}:${i.val}`));
}

const L = "leftDelim:{{";
const R = "rightDelim:}}";
const EOF = "eof:";

describe("lexer", () => {
  const cases: Array<[title: string, input: string, expected: string[], options?: LexOptions]> = [
    ["lexes empty input as EOF", "", [EOF]],
    ["lexes plain text", "hello\nworld", ["text:hello\nworld", EOF]],
    ["lexes an empty action", "{{}}", [L, R, EOF]],
    ["lexes a field", "{{.X}}", [L, "field:.X", R, EOF]],
    ["splits chained fields", "{{.X.Y}}", [L, "field:.X", "field:.Y", R, EOF]],
    ["lexes dot", "{{.}}", [L, "dot:.", R, EOF]],
    ["lexes variables and $", "{{$ $x $x1}}", [L, "variable:$", "_", "variable:$x", "_", "variable:$x1", R, EOF]],
    ["splits fields from a variable", "{{$x.A}}", [L, "variable:$x", "field:.A", R, EOF]],
    [
      "lexes declarations, assignments and pipes",
      "{{$x := 1 | f}}{{$x = 2}}",
      [L, "variable:$x", "_", "declare::=", "_", "number:1", "_", "pipe:|", "_", "identifier:f", R, L, "variable:$x", "_", "assign:=", "_", "number:2", R, EOF],
    ],
    [
      "lexes every keyword",
      "{{block break continue define else end if nil range template with}}",
      [L, "block:block", "_", "break:break", "_", "continue:continue", "_", "define:define", "_", "else:else", "_", "end:end", "_", "if:if", "_", "nil:nil", "_", "range:range", "_", "template:template", "_", "with:with", R, EOF],
    ],
    ["lexes break as an identifier when it is a function", "{{break}}", [L, "identifier:break", R, EOF], { breakOK: false }],
    ["lexes booleans", "{{true false}}", [L, "bool:true", "_", "bool:false", R, EOF]],
    ["lexes a comma as a char", "{{$i, $v}}", [L, "variable:$i", "char:,", "_", "variable:$v", R, EOF]],
    ["lexes parentheses", "{{(.X)}}", [L, "leftParen:(", "field:.X", "rightParen:)", R, EOF]],
    [
      "lexes strings, raw strings and char constants",
      "{{\"a\\\"b\" `r\nx` '\\''}}",
      [L, 'string:"a\\"b"', "_", "rawString:`r\nx`", "_", "charConstant:'\\''", R, EOF],
    ],
    [
      "lexes Go number syntax",
      "{{1 -2 +3 0x1F 0o17 017 0b101 1_000 1.5 .5 1e3 1E-3 0x1p-2 1i 2.5i}}",
      [L, "number:1", "_", "number:-2", "_", "number:+3", "_", "number:0x1F", "_", "number:0o17", "_", "number:017", "_", "number:0b101", "_", "number:1_000", "_", "number:1.5", "_", "number:.5", "_", "number:1e3", "_", "number:1E-3", "_", "number:0x1p-2", "_", "number:1i", "_", "number:2.5i", R, EOF],
    ],
    ["lexes complex constants", "{{1+2i -1.5-0.5i}}", [L, "complex:1+2i", "_", "complex:-1.5-0.5i", R, EOF]],
    ["trims space before a left trim marker", "a \n\t{{- .X}}", ["text:a", L, "field:.X", R, EOF]],
    ["trims space after a right trim marker", "{{.X -}} \n b", [L, "field:.X", R, "text:b", EOF]],
    ["trims on both sides", " a {{- .X -}} b ", ["text: a", L, "field:.X", R, "text:b ", EOF]],
    ["keeps spaces before a trim marker in the action", "{{.X  -}}", [L, "field:.X", "_", R, EOF]],
    ["reads a minus without space as a number sign", "{{-3}}", [L, "number:-3", R, EOF]],
    ["reads a number followed by a right trim marker", "{{3 -}}", [L, "number:3", R, EOF]],
    ["drops comments", "a{{/* c */}}b", ["text:a", "text:b", EOF]],
    ["drops comments with trim markers", "a {{- /* c */ -}} b", ["text:a", "text:b", EOF]],
    ["emits comments when asked", "a{{/* c */}}b", ["text:a", "comment:/* c */", "text:b", EOF], { emitComment: true }],
    ["uses custom delimiters", "[[.X]]{{.Y}}", ["leftDelim:[[", "field:.X", "rightDelim:]]", "text:{{.Y}}", EOF], { leftDelim: "[[", rightDelim: "]]" }],
    ["trims with custom delimiters", "a <%- .X -%> b", ["text:a", "leftDelim:<%", "field:.X", "rightDelim:%>", "text:b", EOF], { leftDelim: "<%", rightDelim: "%>" }],
    ["accepts newlines inside actions", "{{\n.X\n}}", [L, "_", "field:.X", "_", R, EOF]],
    ["lexes unicode identifiers and fields", "{{.é ü}}", [L, "field:.é", "_", "identifier:ü", R, EOF]],
    ["lexes other printable ASCII as chars", "{{#}}", [L, "char:#", R, EOF]],
  ];
  for (const [title, input, expected, options] of cases) {
    it(title, () => {
      expect(items(input, options)).toEqual(expected);
    });
  }

  const errors: Array<[title: string, input: string, message: string]> = [
    ["reports an unclosed action", "{{.X", "unclosed action"],
    ["reports an unclosed left paren", "{{(.X}}", "unclosed left paren"],
    ["reports an unexpected right paren", "{{.X)}}", "unexpected right paren U+0029 ')'"],
    ["reports a colon without equals", "{{$x : 1}}", "expected :="],
    ["reports an unterminated string", '{{"abc}}', "unterminated quoted string"],
    ["reports a newline in a string", '{{"a\nb"}}', "unterminated quoted string"],
    ["reports an unterminated raw string", "{{`abc}}", "unterminated raw quoted string"],
    ["reports an unterminated char constant", "{{'a}}", "unterminated character constant"],
    ["reports an unclosed comment", "{{/* abc }}", "unclosed comment"],
    ["reports text between a comment and the delimiter", "{{/* c */ .X}}", "comment ends before closing delimiter"],
    ["reports bad number syntax", "{{3k}}", 'bad number syntax: "3k"'],
    ["reports a bad character after a field", "{{.X#}}", "bad character U+0023 '#'"],
    ["reports a bad character after an identifier", "{{a+}}", "bad character U+002B '+'"],
    ["reports an unrecognized non-ASCII character", "{{\u00a7}}", "unrecognized character in action: U+00A7 '§'"],
    ["reports an unrecognized control character", "{{\u0001}}", "unrecognized character in action: U+0001"],
  ];
  for (const [title, input, message] of errors) {
    it(title, () => {
      const last = lexAll(input).at(-1);
      expect(last?.type).toBe("error");
      expect(last?.val).toBe(message);
    });
  }

  it("records byte offsets and lines of items", () => {
    const got = lexAll("é\n{{.X\n.Y}}").map((i) => [i.type, i.pos, i.line]);
    expect(got).toEqual([
      ["text", 0, 1],
      ["leftDelim", 3, 2],
      ["field", 5, 2],
      ["space", 7, 2],
      ["field", 8, 3],
      ["rightDelim", 10, 3],
      ["eof", 12, 3],
    ]);
  });

  it("counts lines inside trimmed space and comments", () => {
    const got = lexAll("a\n{{- /* x\ny */ -}}\n\n{{.X}}").map((i) => [i.type, i.line]);
    expect(got).toEqual([
      ["text", 1],
      ["leftDelim", 5],
      ["field", 5],
      ["rightDelim", 5],
      ["eof", 5],
    ]);
  });

  it("keeps returning the final item after the end", () => {
    const l = new Lexer("{{.X");
    const seen = [l.nextItem(), l.nextItem(), l.nextItem(), l.nextItem()].map((i) => i.type);
    expect(seen).toEqual(["leftDelim", "field", "error", "error"]);
  });
});

describe("goQuote", () => {
  const cases: Array<[string, string]> = [
    ["abc", '"abc"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ["\n\t\r\x07\b\f\v", '"\\n\\t\\r\\a\\b\\f\\v"'],
    ["\x01\x7f", '"\\x01\\x7f"'],
    ["é😀", '"é😀"'],
    ["\u00ad", '"\\u00ad"'],
  ];
  for (const [input, quoted] of cases) {
    it(`quotes ${JSON.stringify(input)} like strconv.Quote`, () => {
      expect(goQuote(input)).toBe(quoted);
    });
  }

  it("formats runes like %#U", () => {
    expect(formatRune(0x41)).toBe("U+0041 'A'");
    expect(formatRune(0x1f600)).toBe("U+1F600 '😀'");
    expect(formatRune(0)).toBe("U+0000");
  });
});
