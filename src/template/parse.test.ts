import { describe, expect, it } from "vitest";
import { TemplateParseError } from "./errors.js";
import { nodeToString, treeToString } from "./node-string.js";
import type { ActionNode, ArgNode, IfNode, ListNode, NumberNode, RangeNode, TemplateNode, WithNode } from "./node.js";
import { errorContext, isEmptyTree, MAX_PARSE_DEPTH, parse, parseNumber, unquoteGo, type ParseOptions } from "./parse.js";

/** Parses and prints the top-level tree `t`. */
function canonical(src: string, options?: ParseOptions): string {
  const tree = parse("t", src, options).get("t");
  if (tree === undefined) throw new Error("no top-level tree");
  return treeToString(tree);
}

/** Every tree of the set as "name=source", sorted by name. */
function allTrees(src: string, options?: ParseOptions): string[] {
  return [...parse("t", src, options).entries()].map(([name, tree]) => `${name}=${treeToString(tree)}`).sort();
}

function parseError(src: string, options?: ParseOptions): string {
  try {
    parse("t", src, options);
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateParseError);
    return (err as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(src)} to fail`);
}

/** The pipeline's first argument of the single action in `src`. */
function firstArg(src: string): ArgNode {
  const node = parse("t", src).get("t")?.root.nodes[0] as ActionNode;
  const arg = node.pipe.cmds[0]?.args[0];
  if (arg === undefined) throw new Error("no argument");
  return arg;
}

describe("parse and print", () => {
  // [source, canonical form]; checked against Go 1.23's parse package (String methods).
  const cases: Array<[string, string]> = [
    ["", ""],
    ["hello\nworld", "hello\nworld"],
    ["{{.X}}", "{{.X}}"],
    ["{{ .X }}", "{{.X}}"],
    ["{{.X.Y.Z}}", "{{.X.Y.Z}}"],
    ["{{.}}", "{{.}}"],
    ["{{$}}", "{{$}}"],
    ["{{$.X}}", "{{$.X}}"],
    ["{{$x := 1}}{{$x}}", "{{$x := 1}}{{$x}}"],
    ["{{$x := 1}}{{$x = 2}}", "{{$x := 1}}{{$x = 2}}"],
    ["{{$x := .}}{{$x.Y.Z}}", "{{$x := .}}{{$x.Y.Z}}"],
    ['{{printf "%d" 1}}', '{{printf "%d" 1}}'],
    ['{{.X | printf "%d"}}', '{{.X | printf "%d"}}'],
    ['{{$x := .A | printf "%d"}}', '{{$x := .A | printf "%d"}}'],
    ["{{(.X).Y}}", "{{(.X).Y}}"],
    ['{{(printf "a").Len}}', '{{(printf "a").Len}}'],
    ["{{((1))}}", "{{((1))}}"],
    ["{{(.X | printf) 1}}", "{{(.X | printf) 1}}"],
    ["{{.X 1 2}}", "{{.X 1 2}}"],
    ["{{.X .Y | .Z .W}}", "{{.X .Y | .Z .W}}"],
    ["{{index . 1 2 | len}}", "{{index . 1 2 | len}}"],
    ["{{nil}}", "{{nil}}"],
    ["{{true}} {{false}}", "{{true}} {{false}}"],
    ["{{1}} {{-1}} {{+1}} {{0x1F}} {{0o17}} {{017}} {{0b101}} {{1_000}}", "{{1}} {{-1}} {{+1}} {{0x1F}} {{0o17}} {{017}} {{0b101}} {{1_000}}"],
    ["{{1.5}} {{1e3}} {{.5}} {{1i}} {{1+2i}} {{0x1p-2}} {{'a'}} {{'\\n'}}", "{{1.5}} {{1e3}} {{.5}} {{1i}} {{1+2i}} {{0x1p-2}} {{'a'}} {{'\\n'}}"],
    ["{{18446744073709551615}} {{-9223372036854775808}}", "{{18446744073709551615}} {{-9223372036854775808}}"],
    ['{{"\\x41\\u00e9"}} {{`raw\\n`}}', '{{"\\x41\\u00e9"}} {{`raw\\n`}}'],
    ["{{if .X}}a{{end}}", "{{if .X}}a{{end}}"],
    ["{{if .X}}a{{else}}b{{end}}", "{{if .X}}a{{else}}b{{end}}"],
    ["{{if .X}}a{{else if .Y}}b{{else}}c{{end}}", "{{if .X}}a{{else}}{{if .Y}}b{{else}}c{{end}}{{end}}"],
    ["{{with .X}}a{{else}}b{{end}}", "{{with .X}}a{{else}}b{{end}}"],
    ["{{with .X}}a{{else with .Y}}b{{end}}", "{{with .X}}a{{else}}{{with .Y}}b{{end}}{{end}}"],
    ["{{range .}}a{{end}}", "{{range .}}a{{end}}"],
    ["{{range .}}a{{else}}b{{end}}", "{{range .}}a{{else}}b{{end}}"],
    ["{{range $i, $v := .}}{{$i}}{{$v}}{{end}}", "{{range $i, $v := .}}{{$i}}{{$v}}{{end}}"],
    ["{{range $i,$v:=.}}{{end}}", "{{range $i, $v := .}}{{end}}"],
    ["{{range $v := .}}{{end}}", "{{range $v := .}}{{end}}"],
    ["{{range 5}}{{.}}{{end}}", "{{range 5}}{{.}}{{end}}"],
    ["{{range .}}{{break}}{{continue}}{{end}}", "{{range .}}{{break}}{{continue}}{{end}}"],
    ["{{range .}}{{if .}}{{break}}{{end}}{{end}}", "{{range .}}{{if .}}{{break}}{{end}}{{end}}"],
    ["{{if $x := 1}}{{$x}}{{end}}", "{{if $x := 1}}{{$x}}{{end}}"],
    ['{{template "x"}}', '{{template "x"}}'],
    ['{{template "x" .Y}}', '{{template "x" .Y}}'],
    ["{{template `x` .}}", '{{template "x" .}}'],
    ['x{{template "a" (.X | printf)}}', 'x{{template "a" (.X | printf)}}'],
    ['{{block "b" .}}B{{end}}', '{{template "b" .}}'],
    ["{{printf `%d` .}}", "{{printf `%d` .}}"],
    ["{{- .X -}}", "{{.X}}"],
    [" a {{- .X -}} b ", " a{{.X}}b "],
    ["{{.X -}}\n\n b", "{{.X}}b"],
    ["{{-3}}", "{{-3}}"],
    ["{{- 3}}", "{{3}}"],
    ["{{3 -}}", "{{3}}"],
    ["{{/* c */}}", ""],
    ["a {{- /* c */ -}} b", "ab"],
    ["{{\n.X\n}}", "{{.X}}"],
    ["é{{.é}}", "é{{.é}}"],
    ['{{ "a" | printf "%s" }}', '{{"a" | printf "%s"}}'],
    // A text ending in "{" right before an action cannot be printed as is.
    ["a{ {{- .X}}", 'a{{"{"}}{{.X}}'],
    ["{{if .}}a{ {{- end}}", '{{if .}}a{{"{"}}{{end}}'],
    ["a{", "a{"],
  ];
  for (const [src, want] of cases) {
    it(`prints ${JSON.stringify(src)} as ${JSON.stringify(want)}`, () => {
      const got = canonical(src);
      expect(got).toBe(want);
      expect(canonical(got)).toBe(want);
    });
  }
});

describe("template definitions", () => {
  const cases: Array<[title: string, src: string, trees: string[]]> = [
    ["adds a define as its own tree", '{{define "a"}}A{{end}}x', ["a=A", "t=x"]],
    ["accepts a raw string name", "{{define `a`}}A{{end}}", ["a=A", "t="]],
    ["lets a non-empty define replace an empty one", '{{define "a"}} {{end}}{{define "a"}}B{{end}}', ["a=B", "t="]],
    ["keeps a non-empty define over an empty one", '{{define "a"}}B{{end}}{{define "a"}} {{/* c */}} {{end}}', ["a=B", "t="]],
    ["keeps a define named like the top level when the top level is empty", '{{define "t"}}A{{end}}  ', ["t=A"]],
    ["defines a block and invokes it", '{{block "b" .}}B{{.X}}{{end}}!', ['t={{template "b" .}}!', "b=B{{.X}}"].sort()],
    ["parses defines after text and actions", 'a{{.}}{{define "d"}}{{if .}}x{{end}}{{end}}b', ["d={{if .}}x{{end}}", "t=a{{.}}b"]],
    ["gives a define its own variable scope", '{{$x := 1}}{{define "d"}}{{$}}{{end}}{{$x}}', ["d={{$}}", "t={{$x := 1}}{{$x}}"]],
  ];
  for (const [title, src, trees] of cases) {
    it(title, () => {
      expect(allTrees(src)).toEqual(trees);
    });
  }

  it("records the parse name and source text on every tree", () => {
    const src = '{{define "a"}}A{{end}}x';
    const a = parse("page", src).get("a");
    expect(a?.name).toBe("a");
    expect(a?.parseName).toBe("page");
    expect(a?.text).toBe(src);
  });
});

describe("parse errors", () => {
  // Messages checked against Go 1.23 (which prints only the line; the column is ours).
  const cases: Array<[src: string, message: string]> = [
    ["{{$x}}", 'template: t:1:3: undefined variable "$x"'],
    ["{{$x.Y}}", 'template: t:1:3: undefined variable "$x"'],
    ["{{$x := 1}}{{if .}}{{$y := 2}}{{end}}{{$y}}", 'template: t:1:40: undefined variable "$y"'],
    ["{{if $x := 1}}{{$x}}{{end}}{{$x}}", 'template: t:1:30: undefined variable "$x"'],
    ["{{range $x := .}}{{end}}{{$x}}", 'template: t:1:27: undefined variable "$x"'],
    ['{{define "a"}}{{$y := 1}}{{end}}{{$y}}', 'template: t:1:35: undefined variable "$y"'],
    ["{{18446744073709551616}}", 'template: t:1:3: integer overflow: "18446744073709551616"'],
    ["{{-9223372036854775809}}", 'template: t:1:3: integer overflow: "-9223372036854775809"'],
    ["{{08}}", 'template: t:1:3: integer overflow: "08"'],
    ["{{1__0}}", 'template: t:1:3: illegal number syntax: "1__0"'],
    ["{{1_}}", 'template: t:1:3: illegal number syntax: "1_"'],
    ["{{0x}}", 'template: t:1:3: illegal number syntax: "0x"'],
    ["{{1e400}}", 'template: t:1:3: illegal number syntax: "1e400"'],
    ["{{0x1.8}}", 'template: t:1:3: illegal number syntax: "0x1.8"'],
    ["{{1e}}", 'template: t:1:3: illegal number syntax: "1e"'],
    ["{{3k}}", 'template: t:1:3: bad number syntax: "3k"'],
    ["{{1+2}}", 'template: t:1:3: bad number syntax: "1+2"'],
    ["{{'ab'}}", "template: t:1:3: malformed character constant: 'ab'"],
    ["{{''}}", "template: t:1:3: invalid syntax"],
    ['{{"\\q"}}', "template: t:1:3: invalid syntax"],
    ['{{"\\400"}}', "template: t:1:3: invalid syntax"],
    ['{{"\\uD800"}}', "template: t:1:3: invalid syntax"],
    ["{{break}}", "template: t:1:3: {{break}} outside {{range}}"],
    ["{{continue}}", "template: t:1:3: {{continue}} outside {{range}}"],
    ["{{range .}}{{else}}{{break}}{{end}}", "template: t:1:22: {{break}} outside {{range}}"],
    ['{{range .}}{{block "b" .}}{{break}}{{end}}{{end}}', "template: t:1:29: {{break}} outside {{range}}"],
    ['{{define "a"}}A{{end}}{{define "a"}}B{{end}}', 'template: t:1:32: template: multiple definition of template "a"'],
    ['{{define "t"}}A{{end}}x', 'template: t:1:24: template: multiple definition of template "t"'],
    ['{{block "b"}}B{{end}}', "template: t:1:12: missing value for block clause"],
    ["{{template .X}}", 'template: t:1:12: unexpected ".X" in template clause'],
    ["{{template}}", 'template: t:1:11: unexpected "}}" in template clause'],
    ["{{end}}", "template: t:1:3: unexpected {{end}}"],
    ["{{else}}", "template: t:1:3: unexpected {{else}}"],
    ["{{else if .X}}", "template: t:1:3: unexpected {{else}}"],
    ["{{if .X}}", "template: t:1:10: unexpected EOF"],
    ["{{if}}{{end}}", "template: t:1:5: missing value for if"],
    ["{{range}}{{end}}", "template: t:1:8: missing value for range"],
    ["{{}}", "template: t:1:3: missing value for command"],
    ["{{$x := }}", "template: t:1:9: missing value for command"],
    ["{{.X", "template: t:1:5: unclosed action"],
    ["{{.X\n", "template: t:2:1: unclosed action started at t:1"],
    ["a\n{{.X\n\n", "template: t:4:1: unclosed action started at t:2"],
    ["{{.X}", "template: t:1:3: bad character U+007D '}'"],
    ["{{1}", 'template: t:1:4: unexpected "}" in operand'],
    ["{{.X,}}", 'template: t:1:5: unexpected "," in operand'],
    ["{{ ( }}", "template: t:1:6: unclosed left paren"],
    ["{{ ) }}", 'template: t:1:4: unexpected ")" in command'],
    ["{{.X | 1}}", "template: t:1:8: non executable command in pipeline stage 2"],
    ['{{.X | printf | "a"}}', "template: t:1:17: non executable command in pipeline stage 3"],
    ["{{foo}}", 'template: t:1:3: function "foo" not defined'],
    ["{{ .X é}}", 'template: t:1:7: function "é" not defined'],
    ['{{"a".X}}', 'template: t:1:6: unexpected . after term "\\"a\\""'],
    ["{{nil.X}}", 'template: t:1:6: unexpected . after term "nil"'],
    ["{{..X}}", 'template: t:1:4: unexpected . after term "."'],
    ["{{.X.}}", "template: t:1:5: unexpected <.> in operand"],
    ["{{/* c */ }}", "template: t:1:3: comment ends before closing delimiter"],
    ["{{/* c", "template: t:1:3: unclosed comment"],
    ["{{ /* a */}}", 'template: t:1:4: unexpected "/" in command'],
    ['{{"a}}', "template: t:1:3: unterminated quoted string"],
    ["{{`a}}", "template: t:1:3: unterminated raw quoted string"],
    ["{{'a}}", "template: t:1:3: unterminated character constant"],
    ["{{:= 1}}", 'template: t:1:3: unexpected ":=" in command'],
    ["{{$x, $y := 1}}", "template: t:1:5: too many declarations in command"],
    ["{{with $x, $y := 1}}{{end}}", "template: t:1:10: too many declarations in with"],
    ["{{range $i, $v, $w := .}}{{end}}", "template: t:1:15: too many declarations in range"],
    ["{{range $i, 1}}{{end}}", "template: t:1:13: range can only initialize variables"],
    ["{{range .}}{{else if .X}}{{end}}{{end}}", "template: t:1:19: unexpected <if> in input"],
    ["{{if .X}}{{else with .Y}}{{end}}{{end}}", "template: t:1:17: unexpected <with> in input"],
    ["{{if .X}}{{else}}{{else}}{{end}}", "template: t:1:20: expected end; found {{else}}"],
    ['{{define "a"}}{{else}}{{end}}', "template: t:1:17: unexpected {{else}} in define clause"],
    ['{{block "a" .}}{{else}}{{end}}', "template: t:1:18: unexpected {{else}} in block clause"],
    ['{{define "a"}}', "template: t:1:15: unexpected EOF"],
    ["{{define a}}{{end}}", 'template: t:1:10: unexpected "a" in define clause'],
    ['{{define "a" .}}{{end}}', "template: t:1:14: unexpected <.> in define clause"],
    ['{{if .X}}{{define "a"}}{{end}}{{end}}', "template: t:1:12: unexpected <define> in command"],
    ["{{\u0001}}", "template: t:1:3: unrecognized character in action: U+0001"],
    ["{{.X}}{{0123456789012}}", 'template: t:1:9: integer overflow: "0123456789012"'],
    ["é\n  é{{foo}}", 'template: t:2:7: function "foo" not defined'],
    ['{{printf "%s" "aaaaaaaaaaaaaaaa" .X ,}}', 'template: t:1:37: unexpected "," in operand'],
    ['{{if .X}}{{"abcdefghijklmnop"}}{{end}', 'template: t:1:34: bad character U+007D \'}\''],
    ['{{.X "abcdefghijklmnop"x}}', 'template: t:1:24: unexpected "x" in operand'],
    ['{{range .}}{{end "abcdefghijklmnop"}}', 'template: t:1:18: unexpected "\\"abcdefghi"... in end'],
    [".5i{{'x'continue1é}}", 'template: t:1:9: unexpected "continue1é"... in operand'],
    ["{{- \ndefine ", "template: t:2:8: unclosed action"],
    ["{{1+0x1Fi}}", 'template: t:1:3: strconv.ParseFloat: parsing "+0x1F": invalid syntax'],
    ["{{0x1F+1i}}", 'template: t:1:3: strconv.ParseFloat: parsing "0x1F": invalid syntax'],
  ];
  for (const [src, message] of cases) {
    it(`rejects ${JSON.stringify(src)}`, () => {
      expect(parseError(src)).toBe(message);
    });
  }

  it("names the template in the message", () => {
    expect(() => parse("page.html", "{{end}}")).toThrow("template: page.html:1:3: unexpected {{end}}");
  });
});

describe("parse options", () => {
  it("accepts functions reported by isFunc", () => {
    expect(canonical("{{foo 1 | bar}}", { isFunc: (n) => n === "foo" || n === "bar" })).toBe("{{foo 1 | bar}}");
  });

  it("rejects builtins that isFunc does not know", () => {
    expect(parseError("{{printf 1}}", { isFunc: () => false })).toBe('template: t:1:3: function "printf" not defined');
  });

  it("skips the function check when asked", () => {
    expect(canonical("{{anything .X}}", { skipFuncCheck: true })).toBe("{{anything .X}}");
  });

  it("treats break as a function call when a function has that name", () => {
    expect(canonical("{{break 1}}", { isFunc: (n) => n === "break" })).toBe("{{break 1}}");
  });

  it("keeps comments when asked", () => {
    const root = parse("t", "a {{- /* c */ -}} b{{/* d */}}", { keepComments: true }).get("t")?.root as ListNode;
    expect(root.nodes.map((n) => n.type)).toEqual(["text", "comment", "text", "comment"]);
    expect(nodeToString(root)).toBe("a{{/* c */}}b{{/* d */}}");
  });

  it("parses with custom delimiters and prints with them", () => {
    const options = { leftDelim: "[[", rightDelim: "]]" };
    const tree = parse("t", "{{x}} [[- if .X -]] y [[end]]", options).get("t");
    expect(tree && treeToString(tree, options)).toBe("{{x}}[[if .X]]y [[end]]");
    expect(tree && treeToString(tree)).toBe("{{x}}{{if .X}}y {{end}}");
  });

  it("parses comments with custom delimiters", () => {
    expect(canonical("a<</* x */>>b", { leftDelim: "<<", rightDelim: ">>" })).toBe("ab");
  });
});

describe("tree shapes", () => {
  it("represents else-if as an else list holding one if node", () => {
    const node = parse("t", "{{if .A}}a{{else if .B}}b{{end}}").get("t")?.root.nodes[0] as IfNode;
    expect(node.type).toBe("if");
    expect(node.elseList?.nodes.map((n) => n.type)).toEqual(["if"]);
    const inner = node.elseList?.nodes[0] as IfNode;
    expect(nodeToString(inner.pipe)).toBe(".B");
    expect(inner.elseList).toBeNull();
  });

  it("represents else-with as an else list holding one with node", () => {
    const node = parse("t", "{{with .A}}a{{else with .B}}b{{else}}c{{end}}").get("t")?.root.nodes[0] as WithNode;
    const inner = node.elseList?.nodes[0] as WithNode;
    expect(inner.type).toBe("with");
    expect(nodeToString(inner.elseList as ListNode)).toBe("c");
  });

  it("represents range variables as declarations of the pipe", () => {
    const node = parse("t", "{{range $i, $v := .Items}}{{end}}").get("t")?.root.nodes[0] as RangeNode;
    expect(node.pipe.decl.map((v) => v.ident)).toEqual([["$i"], ["$v"]]);
    expect(node.pipe.isAssign).toBe(false);
  });

  it("represents a block as a template node plus a tree", () => {
    const trees = parse("t", '{{block "b" .X}}B{{end}}');
    const node = trees.get("t")?.root.nodes[0] as TemplateNode;
    expect(node).toMatchObject({ type: "template", name: "b" });
    expect(nodeToString(node.pipe as ArgNode)).toBe(".X");
    expect(trees.get("b") && treeToString(trees.get("b")!)).toBe("B");
  });

  it("keeps chains on parenthesised pipelines and merges fields on variables", () => {
    expect(firstArg("{{(.X).Y.Z}}")).toMatchObject({ type: "chain", field: ["Y", "Z"], node: { type: "pipe" } });
    expect(firstArg("{{$.A.B}}")).toMatchObject({ type: "variable", ident: ["$", "A", "B"] });
    expect(firstArg("{{.A.B}}")).toMatchObject({ type: "field", ident: ["A", "B"] });
  });

  it("unquotes strings and keeps the spelling", () => {
    expect(firstArg('{{"a\\tb\\x41\\u00e9\\U0001F600\\101\\\\"}}')).toMatchObject({
      type: "string",
      quoted: '"a\\tb\\x41\\u00e9\\U0001F600\\101\\\\"',
      text: "a\tbAé😀A\\",
    });
    expect(firstArg("{{`a\r\nb`}}")).toMatchObject({ type: "string", text: "a\nb" });
    expect(firstArg('{{"\\xe2\\x82\\xac"}}')).toMatchObject({ text: "€" });
  });

  it("records positions as byte offsets and lines", () => {
    const root = parse("t", "é\n{{if .X}}\n{{.Y}}{{end}}").get("t")?.root as ListNode;
    const ifNode = root.nodes[1] as IfNode;
    expect([ifNode.pos, ifNode.line]).toEqual([8, 2]);
    const action = ifNode.list.nodes[1] as ActionNode;
    expect([action.pos, action.line]).toEqual([15, 3]);
  });

  it("gives an error context like Go's execution errors", () => {
    const tree = parse("t", "ab\ncd{{.X.Y}}").get("t")!;
    const action = tree.root.nodes[1] as ActionNode;
    expect(errorContext(tree, action)).toEqual({ location: "t:2:4", context: "{{.X.Y}}" });
  });
});

describe("numbers", () => {
  type Want = Partial<Pick<NumberNode, "isInt" | "isUint" | "isFloat" | "isComplex" | "int64" | "float64">>;
  const cases: Array<[text: string, kind: "number" | "char" | "complex", want: Want]> = [
    ["0", "number", { isInt: true, isUint: true, isFloat: true, isComplex: false, int64: 0n, float64: 0 }],
    ["-0", "number", { isInt: true, isUint: true, isFloat: true, int64: 0n }],
    ["-7", "number", { isInt: true, isUint: false, isFloat: true, int64: -7n, float64: -7 }],
    ["0x1F", "number", { isInt: true, isUint: true, int64: 31n }],
    ["0o17", "number", { isInt: true, int64: 15n }],
    ["017", "number", { isInt: true, int64: 15n }],
    ["0b101", "number", { isInt: true, int64: 5n }],
    ["1_000", "number", { isInt: true, int64: 1000n }],
    ["9223372036854775807", "number", { isInt: true, isUint: true, int64: 9223372036854775807n }],
    ["18446744073709551615", "number", { isInt: false, isUint: true, isFloat: true, int64: 18446744073709551615n }],
    ["1.5", "number", { isInt: false, isUint: false, isFloat: true, float64: 1.5 }],
    ["1e3", "number", { isInt: true, isUint: true, isFloat: true, int64: 1000n, float64: 1000 }],
    ["-2.0", "number", { isInt: true, isUint: false, isFloat: true, int64: -2n }],
    ["0x1p-2", "number", { isInt: false, isFloat: true, float64: 0.25 }],
    ["0x1.8p1", "number", { isInt: true, isFloat: true, float64: 3, int64: 3n }],
    ["2i", "number", { isComplex: true, isFloat: false, isInt: false }],
    ["0i", "number", { isComplex: true, isFloat: true, isInt: true, float64: 0 }],
    ["1+2i", "complex", { isComplex: true, isFloat: false }],
    ["3+0i", "complex", { isComplex: true, isFloat: true, isInt: true, int64: 3n, float64: 3 }],
    ["'a'", "char", { isInt: true, isUint: true, isFloat: true, int64: 97n, float64: 97 }],
    ["'\\n'", "char", { int64: 10n }],
    ["'\\x41'", "char", { int64: 65n }],
    ["'\\377'", "char", { int64: 255n }],
    ["'é'", "char", { int64: 233n }],
    ["'😀'", "char", { int64: 0x1f600n }],
  ];
  for (const [text, kind, want] of cases) {
    it(`converts ${text} like Go's newNumber`, () => {
      expect(parseNumber(text, kind)).toMatchObject({ ...want, text });
    });
  }

  it("keeps number nodes in the tree with the original text", () => {
    expect(firstArg("{{0x_1F}}")).toMatchObject({ type: "number", text: "0x_1F", int64: 31n });
  });
});

describe("unquoteGo", () => {
  const cases: Array<[string, string | null]> = [
    ['""', ""],
    ['"abc"', "abc"],
    ['"\\a\\b\\f\\n\\r\\t\\v\\\\\\""', "\x07\b\f\n\r\t\v\\\""],
    ["`a\\n`", "a\\n"],
    ['"\\\'"', null],
    ['"a', null],
    ['"\\xZZ"', null],
    ['"\\U00110000"', null],
    ["`a`b`", null],
  ];
  for (const [lit, want] of cases) {
    it(`unquotes ${lit} like strconv.Unquote`, () => {
      expect(unquoteGo(lit)).toBe(want);
    });
  }
});

describe("isEmptyTree", () => {
  const cases: Array<[string, boolean]> = [
    ["", true],
    [" \n\t ", true],
    ["{{/* c */}}  ", true],
    ["x", false],
    ["{{.}}", false],
    ["{{if .}}{{end}}", false],
    ['{{template "x"}}', false],
  ];
  for (const [src, want] of cases) {
    it(`reports ${JSON.stringify(src)} as ${want ? "empty" : "not empty"}`, () => {
      const root = parse("t", src, { keepComments: true }).get("t")?.root as ListNode;
      expect(isEmptyTree(root)).toBe(want);
    });
  }
});

describe("depth limit", () => {
  it("rejects deeply nested parentheses without overflowing the stack", () => {
    const n = 100_000;
    expect(parseError("{{" + "(".repeat(n) + "1" + ")".repeat(n) + "}}")).toMatch(/^template: t:1:\d+: max depth exceeded$/);
  });

  it("rejects deeply nested control structures without overflowing the stack", () => {
    const n = 50_000;
    expect(parseError("{{if 1}}".repeat(n) + "{{end}}".repeat(n))).toMatch(/max depth exceeded$/);
  });

  it("accepts nesting up to the limit", () => {
    // Parentheses and control structures count together.
    const n = MAX_PARSE_DEPTH / 2;
    const src = "{{with 1}}".repeat(n) + "{{" + "(".repeat(n) + "1" + ")".repeat(n) + "}}" + "{{end}}".repeat(n);
    expect(canonical(src)).toBe(src);
    expect(parseError("{{with 1}}" + src + "{{end}}")).toMatch(/max depth exceeded$/);
  });

  it("prints parentheses nested to the limit", () => {
    const n = MAX_PARSE_DEPTH;
    const src = "{{" + "(".repeat(n) + "1" + ")".repeat(n) + "}}";
    expect(canonical(src)).toBe(src);
  });
});
