import { describe, expect, it } from "vitest";
import { LiveTemplateError } from "../errors.js";
import { HTML } from "./content.js";
import { TemplateDepthError, TemplateExecError, TemplateUndefinedError } from "./errors.js";
import { ExecState, TemplateSet, WALK_BREAK, WALK_NEXT, type WalkSignal } from "./exec.js";
import type { Node } from "./node.js";
import { parse } from "./parse.js";
import { TextTemplate } from "./template.js";

type Funcs = Record<string, (...args: never[]) => unknown>;

function run(text: string, data?: unknown, funcs: Funcs = {}, options: string[] = []): string {
  return new TextTemplate("t").funcs(funcs).option(...options).parse(text).execute(data);
}

function runError(text: string, data?: unknown, funcs: Funcs = {}, options: string[] = []): string {
  try {
    run(text, data, funcs, options);
  } catch (err) {
    expect(err).toBeInstanceOf(LiveTemplateError);
    return (err as Error).message;
  }
  throw new Error(`no error for ${text}`);
}

class Person {
  constructor(
    public name: string,
    public age: number,
  ) {}
  greet(other: string): string {
    return `hi ${other}, I am ${this.name}`;
  }
  get upper(): string {
    return this.name.toUpperCase();
  }
  fail(): string {
    throw new Error("no luck");
  }
  friends(): Person[] {
    return [new Person("Bob", 3)];
  }
}

const data = {
  str: "hello",
  num: 17,
  neg: -3,
  flt: 1.5,
  t: true,
  f: false,
  nil: null,
  empty: "",
  zero: 0,
  list: [1, 2, 3],
  strs: ["a", "b", "c"],
  none: [] as number[],
  obj: { b: 2, a: 1, c: 3 },
  emptyObj: {},
  nested: { inner: { deep: "down" } },
  map: new Map<unknown, unknown>([
    ["z", 26],
    ["a", 1],
  ]),
  intMap: new Map<unknown, unknown>([
    [10, "ten"],
    [2, "two"],
    [-1, "minus"],
  ]),
  person: new Person("Ann", 30),
  fn: (a: number, b: number) => a + b,
  niladic: () => "called",
  html: new HTML("<b>x</b>"),
  set: new Set(["x", "y"]),
  nan: NaN,
};

describe("text and actions", () => {
  it.each([
    ["prints plain text unchanged", "hello, world", "hello, world"],
    ["prints a string field", "{{.str}}", "hello"],
    ["prints an integer field", "{{.num}}", "17"],
    ["prints a float field", "{{.flt}}", "1.5"],
    ["prints booleans", "{{.t}} {{.f}}", "true false"],
    ["prints a missing key as <no value>", "{{.missing}}", "<no value>"],
    ["prints a null field as <no value>", "{{.nil}}", "<no value>"],
    ["prints a nested field", "{{.nested.inner.deep}}", "down"],
    ["prints a field of a missing key as <no value>", "{{.missing.deeper}}", "<no value>"],
    ["prints an array as Go does", "{{.list}}", "[1 2 3]"],
    ["prints a plain object as a sorted map", "{{.obj}}", "map[a:1 b:2 c:3]"],
    ["prints dot", "{{.str | printf \"%s!\"}}", "hello!"],
    ["prints literals", `{{"s"}} {{1}} {{1.5}} {{true}} {{'a'}} {{0x10}} {{1e3}}`, "s 1 1.5 true 97 16 1000"],
    ["prints a raw string literal", "{{`a\\nb`}}", "a\\nb"],
    ["trims spaces with dashes", "a  {{- .num -}}  b", "a17b"],
    ["trims newlines around a trimmed comment", "a\n  {{- /* c */ -}}\n  b", "ab"],
    ["prints a class instance as a Go struct", "{{.person}}", "{Ann 30}"],
    ["chains three commands", "{{.person.name | printf \"%s!\" | len}}", "4"],
    ["drops comments", "a{{/* hidden */}}b", "ab"],
    ["prints trusted content as its text", "{{.html}}", "<b>x</b>"],
    ["calls a niladic function property", "{{.niladic}}", "called"],
    ["calls a class method with arguments", `{{.person.greet "Bo"}}`, "hi Bo, I am Ann"],
    ["reads a class getter", "{{.person.upper}}", "ANN"],
    ["reads class fields", "{{.person.name}} {{.person.age}}", "Ann 30"],
    ["follows a method result with a field", "{{(index .person.friends 0).name}}", "Bob"],
    ["reads a Map entry by key", "{{.map.z}}", "26"],
    ["passes the previous command's value as last argument", `{{"x" | printf "%s-%s" "y"}}`, "y-x"],
    ["evaluates a parenthesized pipeline", `{{printf "%d" (len .list)}}`, "3"],
    ["reads a field of a parenthesized pipeline", "{{(.nested).inner.deep}}", "down"],
  ])("%s", (_title, text, want) => {
    expect(run(text, data)).toBe(want);
  });

  it("prints <no value> for nil data", () => {
    expect(run("{{.}} {{.x}}", undefined)).toBe("<no value> <no value>");
    expect(run("{{.}}", null)).toBe("<no value>");
  });

  it("does not see Object.prototype members", () => {
    expect(run("{{.toString}} {{.constructor}} {{.hasOwnProperty}}", {})).toBe("<no value> <no value> <no value>");
    expect(run("{{.constructor}}", { constructor: "own" })).toBe("own");
  });

  it("treats undefined-valued properties as missing keys", () => {
    expect(run("{{.a}} {{len .}} {{if .}}y{{else}}n{{end}}", { a: undefined })).toBe("<no value> 0 n");
  });
});

describe("variables", () => {
  it.each([
    ["declares and reads a variable", "{{$x := .num}}{{$x}}", "17"],
    ["declares without printing", "{{$x := 1}}", ""],
    ["assigns an existing variable", "{{$x := 1}}{{$x = 2}}{{$x}}", "2"],
    ["binds $ to the data", "{{with .nested}}{{$.str}}{{end}}", "hello"],
    ["reads fields through a variable", "{{$n := .nested}}{{$n.inner.deep}}", "down"],
    ["scopes a variable to its control structure", "{{if true}}{{$x := 1}}{{$x}}{{end}}{{$x := 2}}{{$x}}", "12"],
    ["lets an assignment inside if change the outer variable", "{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "2"],
    ["keeps a variable declared in a range body per iteration", "{{range .list}}{{$y := .}}{{$y}}{{end}}", "123"],
    ["assigns across range iterations", "{{$s := 0}}{{range .list}}{{$s = .}}{{end}}{{$s}}", "3"],
    ["sees the if pipeline's variable in else", "{{if $x := .zero}}a{{else}}{{$x}}{{end}}", "0"],
    ["declares in a parenthesized pipeline", "{{$x := (len .list)}}{{$x}}", "3"],
    ["sees an if variable in its else-if chain", "{{if $x := .zero}}a{{else if $y := .num}}{{$x}}-{{$y}}{{end}}", "0-17"],
    ["keeps a with variable out of the enclosing scope", "{{$v := 1}}{{with $v := .str}}{{$v}}{{end}}{{$v}}", "hello1"],
    ["lets $ stay the data inside nested withs", "{{with .nested}}{{with .inner}}{{$.num}}{{end}}{{end}}", "17"],
    ["assigns a variable from a comparison", "{{$b := eq .num 17}}{{if $b}}yes{{end}}", "yes"],
  ])("%s", (_title, text, want) => {
    expect(run(text, data)).toBe(want);
  });
});

describe("if and with", () => {
  it.each([
    ["takes the branch for true", "{{if .t}}yes{{end}}", "yes"],
    ["branches on a comparison", "{{if gt .num 10}}big{{else}}small{{end}}", "big"],
    ["branches on and/or of fields", "{{if and .t (or .f .num)}}y{{end}}", "y"],
    ["treats NaN as true, as Go's float", "{{if .nan}}y{{else}}n{{end}}", "y"],
    ["skips for false", "{{if .f}}yes{{end}}", ""],
    ["takes else for false", "{{if .f}}yes{{else}}no{{end}}", "no"],
    ["chains else if", "{{if .f}}1{{else if .zero}}2{{else if .num}}3{{else}}4{{end}}", "3"],
    ["treats 0 as false", "{{if .zero}}y{{else}}n{{end}}", "n"],
    ["treats an empty string as false", "{{if .empty}}y{{else}}n{{end}}", "n"],
    ["treats an empty array as false", "{{if .none}}y{{else}}n{{end}}", "n"],
    ["treats an empty object as false", "{{if .emptyObj}}y{{else}}n{{end}}", "n"],
    ["treats null as false", "{{if .nil}}y{{else}}n{{end}}", "n"],
    ["treats a missing key as false", "{{if .missing}}y{{else}}n{{end}}", "n"],
    ["treats a class instance as true", "{{if .person}}y{{else}}n{{end}}", "y"],
    ["treats a non-empty Map as true", "{{if .map}}y{{else}}n{{end}}", "y"],
    ["treats a negative number as true", "{{if .neg}}y{{else}}n{{end}}", "y"],
    ["sets dot in with", "{{with .nested.inner}}{{.deep}}{{end}}", "down"],
    ["takes with's else for empty", "{{with .empty}}x{{else}}empty{{end}}", "empty"],
    ["chains else with", "{{with .none}}a{{else with .strs}}{{index . 0}}{{end}}", "a"],
    ["keeps dot in with's else", "{{with .zero}}x{{else}}{{.num}}{{end}}", "17"],
    ["binds a with variable", "{{with $v := .str}}{{$v}}{{.}}{{end}}", "hellohello"],
  ])("%s", (_title, text, want) => {
    expect(run(text, data)).toBe(want);
  });
});

describe("range", () => {
  it.each([
    ["iterates an array", "{{range .list}}<{{.}}>{{end}}", "<1><2><3>"],
    ["binds one variable to the element", "{{range $e := .strs}}{{$e}}{{end}}", "abc"],
    ["binds index and element", "{{range $i, $e := .strs}}{{$i}}{{$e}} {{end}}", "0a 1b 2c "],
    ["runs else for an empty array", "{{range .none}}x{{else}}none{{end}}", "none"],
    ["runs else for a missing value", "{{range .missing}}x{{else}}none{{end}}", "none"],
    ["runs else for null", "{{range .nil}}x{{else}}none{{end}}", "none"],
    ["iterates a plain object in sorted key order", "{{range $k, $v := .obj}}{{$k}}={{$v}} {{end}}", "a=1 b=2 c=3 "],
    ["iterates object values with one variable", "{{range .obj}}{{.}}{{end}}", "123"],
    ["iterates a Map in sorted key order", "{{range $k, $v := .map}}{{$k}}={{$v}} {{end}}", "a=1 z=26 "],
    ["sorts numeric Map keys numerically", "{{range $k, $v := .intMap}}{{$k}}:{{$v}} {{end}}", "-1:minus 2:two 10:ten "],
    ["runs else for an empty object", "{{range .emptyObj}}x{{else}}empty{{end}}", "empty"],
    ["iterates an integer", "{{range 4}}{{.}}{{end}}", "0123"],
    ["iterates an integer with a variable", "{{range $i := 3}}{{$i}}{{end}}", "012"],
    ["runs else for range 0", "{{range 0}}x{{else}}zero{{end}}", "zero"],
    ["iterates a Set by position", "{{range $i, $e := .set}}{{$i}}{{$e}}{{end}}", "0x1y"],
    ["stops at break", "{{range .list}}{{if eq . 2}}{{break}}{{end}}{{.}}{{end}}", "1"],
    ["skips the rest of an iteration at continue", "{{range .list}}{{if eq . 2}}{{continue}}{{end}}{{.}}{{end}}", "13"],
    ["keeps output written before break", "{{range .list}}{{.}}{{if eq . 2}}{{break}}{{end}}-{{end}}", "1-2"],
    ["breaks only the inner range", "{{range .list}}{{range $.strs}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}};{{end}}", "a;a;a;"],
    ["binds $ inside range to the data", "{{range .list}}{{$.num}}{{end}}", "171717"],
    ["nests ranges with their own variables", "{{range $i, $a := .strs}}{{range $j, $b := $.strs}}{{if eq $i $j}}{{$a}}{{$b}}{{end}}{{end}}{{end}}", "aabbcc"],
    ["sees the range variable in else", "{{range $x := .none}}x{{else}}{{len $x}}{{end}}", "0"],
    ["assigns existing variables in range", "{{$i := 0}}{{$e := 0}}{{range $i, $e = .strs}}{{end}}{{$i}}{{$e}}", "2c"],
  ])("%s", (_title, text, want) => {
    expect(run(text, data)).toBe(want);
  });

  it("prints null elements as <no value> and fails on their fields", () => {
    expect(run("{{range .}}[{{.}}]{{end}}", [null, 1])).toBe("[<no value>][1]");
    expect(runError("{{range .}}{{.x}}{{end}}", [null])).toBe(
      'template: t:1:13: executing "t" at <.x>: nil pointer evaluating interface {}.x',
    );
  });

  it.each([
    ["a string", "{{range .str}}{{end}}", "range can't iterate over hello"],
    ["a float", "{{range 1.5}}{{end}}", "range can't iterate over 1.5"],
    ["a boolean", "{{range .t}}{{end}}", "range can't iterate over true"],
    ["an integer with two variables", "{{range $i, $e := 3}}{{end}}", "can't use 3 to iterate over more than one variable"],
  ])("cannot range over %s", (_title, text, want) => {
    expect(runError(text, data)).toMatch(want);
  });
});

describe("define, template and block", () => {
  it.each([
    ["invokes a defined template with dot", `{{define "x"}}[{{.}}]{{end}}{{template "x" .num}}`, "[17]"],
    ["invokes a template without argument as nil dot", `{{define "x"}}[{{.}}]{{end}}{{template "x"}}`, "[<no value>]"],
    ["gives the invoked template a fresh $", `{{define "x"}}{{$}}{{end}}{{template "x" 5}}`, "5"],
    ["keeps variables declared by the argument pipeline", `{{define "x"}}{{.}}{{end}}{{template "x" $v := 3}}{{$v}}`, "33"],
    ["renders a block in place", `a{{block "b" .str}}<{{.}}>{{end}}z`, "a<hello>z"],
    ["recurses over a tree", `{{define "n"}}{{.v}}{{range .kids}}({{template "n" .}}){{end}}{{end}}{{template "n" .tree}}`, "1(2(4))(3)"],
  ])("%s", (_title, text, want) => {
    const d = { ...data, tree: { v: 1, kids: [{ v: 2, kids: [{ v: 4 }] }, { v: 3 }] } };
    expect(run(text, d)).toBe(want);
  });

  it("fails to invoke an undefined template", () => {
    let err: unknown;
    try {
      run(`{{template "nope"}}`);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TemplateUndefinedError);
    expect((err as Error).message).toBe(
      'template: t:1:11: executing "t" at <{{template "nope"}}>: template "nope" not defined',
    );
  });

  it("names the invoked template and its source in errors", () => {
    expect(runError(`{{define "x"}}{{.a.b}}{{end}}{{template "x" .}}`, { a: null })).toBe(
      'template: t:1:18: executing "x" at <.a.b>: nil pointer evaluating interface {}.b',
    );
  });

  it("turns runaway recursion into a depth error", () => {
    const t = new TextTemplate("t", { maxDepth: 50 }).parse(`{{define "r"}}x{{template "r" .}}{{end}}{{template "r" .}}`);
    let err: unknown;
    try {
      t.execute(1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TemplateDepthError);
    expect((err as Error).message).toBe(
      'template: t:1:26: executing "r" at <{{template "r" .}}>: exceeded maximum template depth (50)',
    );
  });

  it("reaches the default depth limit without overflowing the stack", () => {
    const t = new TextTemplate("t").parse(
      `{{define "r"}}{{if .}}{{with .}}{{range .}}{{template "r" .}}{{end}}{{end}}{{end}}{{end}}{{template "r" .}}`,
    );
    let deep: unknown = [];
    for (let i = 0; i < 300; i++) deep = [deep];
    expect(() => t.execute(deep)).toThrow(/exceeded maximum template depth \(256\)/);
  });

  it("reports an exhausted JavaScript stack as a depth error", () => {
    const t = new TextTemplate("t", { maxDepth: 1_000_000 }).parse(
      `{{define "r"}}{{if .}}{{with .}}{{range .}}{{template "r" .}}{{end}}{{end}}{{end}}{{end}}{{template "r" .}}`,
    );
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => t.execute(deep)).toThrow(TemplateDepthError);
  });
});

describe("functions and methods", () => {
  const funcs: Funcs = {
    upper: (s: string) => s.toUpperCase(),
    add: (a: number, b: number) => a + b,
    boom: () => {
      throw new Error("boom");
    },
    throwsString: () => {
      throw "plain"; // eslint-disable-line no-throw-literal
    },
    kind: (v: unknown) => (v === null ? "null" : typeof v),
    self: function (this: unknown) {
      return this === undefined ? "no this" : "this";
    },
  };

  it.each([
    ["calls a user function", "{{upper .str}}", "HELLO"],
    ["pipes into a user function", "{{.str | upper}}", "HELLO"],
    ["calls with several arguments", "{{add 1 2}}", "3"],
    ["passes missing values as null", "{{kind .missing}} {{kind .nil}}", "null null"],
    ["calls a user function without this", "{{self}}", "no this"],
    ["calls a function through call", "{{call .fn 2 3}}", "5"],
    ["calls a method through call with its receiver", `{{call .person.greet "Cy"}}`, "hi Cy, I am Ann"],
    ["calls a function held in a variable", "{{$f := index . \"fn\"}}{{call $f 1 1}}", "2"],
  ])("%s", (_title, text, want) => {
    expect(run(text, data, funcs)).toBe(want);
  });

  it("lets a user function shadow a builtin", () => {
    expect(run("{{len 1 2}}", {}, { len: (...xs: number[]) => xs.length })).toBe("2");
  });

  it.each([
    ["a throwing user function", "{{boom}}", 'template: t:1:2: executing "t" at <boom>: error calling boom: boom'],
    ["a throwing function with arguments", "{{boom 1}}", 'template: t:1:2: executing "t" at <boom 1>: error calling boom: boom'],
    ["a non-Error throw", "{{throwsString}}", "error calling throwsString: plain"],
    ["a throwing method", "{{.person.fail}}", 'template: t:1:9: executing "t" at <.person.fail>: error calling fail: no luck'],
    ["arguments to a non-method", "{{.str 1}}", "str is not a method but has arguments"],
    ["arguments to a literal", "{{1 2}}", "can't give argument to non-function 1"],
    ["a field of a string read from a map, typed interface {} as in Go", "{{.str.x}}", "can't evaluate field x in type interface {}"],
    ["a field of a string variable", "{{$s := .str}}{{$s.x}}", "can't evaluate field x in type string"],
    ["a field of an integer dot", "{{with .num}}{{.x}}{{end}}", "can't evaluate field x in type int"],
    ["a field of an array variable", "{{$l := .list}}{{$l.x}}", "can't evaluate field x in type []interface {}"],
    ["a field of null", "{{.nil.x}}", "nil pointer evaluating interface {}.x"],
    ["nil as a command", "{{nil}}", "nil is not a command"],
    ["calling nil", "{{call .missing}}", "error calling call: call of nil"],
    ["calling a non-function", "{{call .num}}", "error calling call: non-function .num of type int"],
    ["printing a function value", "{{$f := index . \"fn\"}}{{$f}}", "can't print {{$f}} of type func()"],
  ])("reports %s", (_title, text, want) => {
    expect(runError(text, data, funcs)).toMatch(want);
  });

  it("rejects an async function's promise instead of printing it", () => {
    expect(runError("{{later}}", {}, { later: async () => "x" })).toBe(
      'template: t:1:2: executing "t" at <later>: error calling later: it returned a Promise; template functions must be synchronous',
    );
  });

  it("wraps a throwing getter as an exec error with the cause", () => {
    const bad = {
      get x(): string {
        throw new RangeError("getter failed");
      },
    };
    let err: unknown;
    try {
      run("{{.x}}", bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TemplateExecError);
    expect((err as Error).message).toBe('template: t:1:2: executing "t" at <.x>: getter failed');
    expect((err as Error).cause).toBeInstanceOf(RangeError);
  });
});

describe("missingkey", () => {
  it.each([
    ["default", "{{.a}} {{.a.b}}", "<no value> <no value>"],
    ["invalid", "{{.a}} {{.a.b}}", "<no value> <no value>"],
    ["zero", "{{.a}}", "<no value>"],
  ])("with missingkey=%s prints", (mode, text, want) => {
    expect(run(text, {}, {}, [`missingkey=${mode}`])).toBe(want);
  });

  it.each([
    ["error", "{{.a}}", 'executing "t" at <.a>: map has no entry for key "a"'],
    ["error", "{{.x.y}}", 'map has no entry for key "x"'],
    ["zero", "{{.a.b}}", "nil pointer evaluating interface {}.b"],
  ])("with missingkey=%s fails on %s", (mode, text, want) => {
    expect(runError(text, {}, {}, [`missingkey=${mode}`])).toMatch(want);
  });

  it("with missingkey=error reports nil data", () => {
    expect(runError("{{.a}}", undefined, {}, ["missingkey=error"])).toMatch('nil data; no entry for key "a"');
  });

  it("with missingkey=error still reads present null values", () => {
    expect(run("{{.a}}", { a: null }, {}, ["missingkey=error"])).toBe("<no value>");
  });
});

describe("ExecState for a second walker", () => {
  function setOf(text: string): { set: TemplateSet; root: Node } {
    const set = new TemplateSet();
    for (const [name, tree] of parse("t", text)) set.trees.set(name, tree);
    const tree = set.trees.get("t");
    if (tree === undefined) throw new Error("no tree");
    return { set, root: tree.root };
  }

  it("walks like execute and exposes the output", () => {
    const { set } = setOf("{{range $i, $e := .}}{{$i}}{{$e}}{{end}}");
    const tree = set.trees.get("t");
    if (tree === undefined) throw new Error("no tree");
    const st = new ExecState(set, tree);
    const dot = st.begin(["a", "b"]);
    expect(st.walk(dot, tree.root)).toBe(WALK_NEXT);
    expect(st.out).toBe("0a1b");
  });

  it("evaluates a range with eachRange and a custom body", () => {
    const { set, root } = setOf("{{range $k, $v := .}}{{$k}}{{end}}");
    const tree = set.trees.get("t");
    if (tree === undefined || root.type !== "list") throw new Error("no tree");
    const range = root.nodes[0];
    if (range === undefined || range.type !== "range") throw new Error("not a range");
    const st = new ExecState(set, tree);
    const dot = st.begin({ b: 2, a: 1, c: 3 });
    const seen: unknown[] = [];
    const signal = st.eachRange(
      dot,
      range,
      (elem, key): WalkSignal => {
        seen.push([key, elem, st.varValue("$k"), st.varValue("$v")]);
        return key === "b" ? WALK_BREAK : WALK_NEXT;
      },
      null,
    );
    expect(signal).toBe(WALK_NEXT);
    expect(seen).toEqual([
      ["a", 1, "a", 1],
      ["b", 2, "b", 2],
    ]);
    expect(st.mark()).toBe(1);
  });

  it("lists range items for every source kind", () => {
    const { set } = setOf("x");
    const tree = set.trees.get("t");
    if (tree === undefined) throw new Error("no tree");
    const st = new ExecState(set, tree);
    st.begin(null);
    expect([...st.rangeItems(["a"])]).toEqual([[0, "a"]]);
    expect([...st.rangeItems(2)]).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect([...st.rangeItems({ y: 1, x: 2 })]).toEqual([
      ["x", 2],
      ["y", 1],
    ]);
    expect([...st.rangeItems(new Map([[2, "b"], [1, "a"]]))]).toEqual([
      [1, "a"],
      [2, "b"],
    ]);
    expect([...st.rangeItems(undefined)]).toEqual([]);
    expect(() => st.rangeItems("s")).toThrow(TemplateExecError);
  });

  it("prints values as actions do", () => {
    const { set } = setOf("x");
    const tree = set.trees.get("t");
    if (tree === undefined) throw new Error("no tree");
    const st = new ExecState(set, tree);
    expect(st.printValue(undefined)).toBe("<no value>");
    expect(st.printValue([1, "a"])).toBe("[1 a]");
    expect(st.isTrue({})).toBe(false);
    expect(st.isTrue([0])).toBe(true);
  });
});
