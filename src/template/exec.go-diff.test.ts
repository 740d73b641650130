import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runGo, skipWithoutGo, type GoCase, type GoResult } from "../../test/go/oracle.js";
import { LiveTemplateError } from "../errors.js";
import { TemplateParseError } from "./errors.js";
import { HtmlTemplate, TextTemplate } from "./template.js";

// Differential test: each template runs with JSON data through Go's text/template (test/go/
// oracle.go) and through ours. Outputs must be identical; for execution errors the messages must
// be identical (position and context included). Parse errors belong to the parser's own tests;
// here both sides must merely reject the template.

const DATA = {
  str: "hello",
  uni: "héllo wörld ✓ 😀",
  num: 17,
  neg: -3,
  flt: 2.5,
  big: 1e21,
  t: true,
  f: false,
  nil: null,
  empty: "",
  zero: 0,
  list: [1, 2, 3],
  strs: ["b", "a", "c"],
  mixed: [1, "a", true, null, 2.5, [1], { k: "v" }],
  none: [],
  obj: { b: 2, a: 1, c: 3, "Z": 0, "ä": 4, "10": 5, "9": 6 },
  emptyObj: {},
  nested: { inner: { deep: "down", list: [{ n: 1 }, { n: 2 }] } },
  people: [
    { name: "Ann", age: 30, tags: ["x"] },
    { name: "Bob", age: 25, tags: [] },
    { name: "Cy", age: 41, tags: ["y", "z"] },
  ],
  special: `<a href="x">'&'</a>`,
  js: "it's \"q\" <\\> & = \u0001 \u2028 ü",
  url: "a b&c=d/é?#",
  tree: { v: 1, kids: [{ v: 2, kids: [{ v: 4, kids: [] }] }, { v: 3, kids: [] }] },
  nullList: [null, 1],
};

/** Templates run with DATA (text mode). */
const TEMPLATES: string[] = [
  // fields and printing
  "{{.str}} {{.num}} {{.neg}} {{.flt}} {{.big}} {{.t}} {{.f}}",
  "{{.nil}}|{{.missing}}|{{.missing.deeper}}|{{.empty}}|{{.zero}}",
  "{{.list}} {{.strs}} {{.mixed}} {{.none}}",
  "{{.obj}} {{.emptyObj}} {{.nested}}",
  "{{.nested.inner.deep}} {{.nested.inner.list}}",
  "{{.}}",
  "{{.uni}}",
  `{{"s"}} {{1}} {{-1}} {{1.5}} {{1e3}} {{0x1F}} {{0o17}} {{0b101}} {{'a'}} {{'\\n'}} {{1_000}} {{true}}`,
  "{{`raw\\n`}}",
  "a {{- .num -}} b {{- /* c */ -}} c",
  "{{(.nested).inner.deep}} {{(index .people 1).name}}",
  // variables
  "{{$x := .num}}{{$x}} {{$x = 5}}{{$x}}",
  "{{with .nested}}{{$.str}}{{end}}",
  "{{$n := .nested}}{{$n.inner.deep}}",
  "{{if true}}{{$x := 1}}{{$x}}{{end}}{{$x := 2}}{{$x}}",
  "{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}",
  "{{$s := 0}}{{range .list}}{{$s = .}}{{end}}{{$s}}",
  "{{if $x := .zero}}a{{else}}{{$x}}{{end}}",
  "{{$x := .nil}}{{$x}} {{$x.a}}",
  // if/with
  "{{if .t}}a{{end}}{{if .f}}b{{else}}c{{end}}{{if .zero}}d{{else if .num}}e{{end}}",
  "{{if .none}}x{{else}}y{{end}}{{if .emptyObj}}x{{else}}y{{end}}{{if .nil}}x{{else}}y{{end}}{{if .missing}}x{{else}}y{{end}}",
  "{{if .obj}}x{{end}}{{if .list}}y{{end}}{{if .flt}}z{{end}}",
  "{{with .nested.inner}}{{.deep}}{{end}}{{with .empty}}x{{else}}y{{end}}",
  "{{with $v := .str}}{{$v}}{{.}}{{end}}",
  "{{if and .t .num}}a{{end}}{{if or .f .zero}}b{{else}}c{{end}}",
  // range
  "{{range .list}}<{{.}}>{{end}}",
  "{{range $i, $e := .strs}}{{$i}}{{$e}} {{end}}",
  "{{range $e := .strs}}{{$e}}{{end}}",
  "{{range .none}}x{{else}}none{{end}}{{range .missing}}x{{else}}m{{end}}{{range .nil}}x{{else}}n{{end}}",
  "{{range $k, $v := .obj}}{{$k}}={{$v}} {{end}}",
  "{{range .obj}}{{.}}{{end}}",
  "{{range .emptyObj}}x{{else}}empty{{end}}",
  "{{range .people}}{{.name}}({{.age}}){{range .tags}}#{{.}}{{else}}-{{end}} {{end}}",
  "{{range .list}}{{if eq . 2}}{{break}}{{end}}{{.}}{{end}}",
  "{{range .list}}{{if eq . 2}}{{continue}}{{end}}{{.}}{{end}}",
  "{{range .list}}{{.}}{{if eq . 2}}{{break}}{{end}}-{{end}}",
  `{{range .list}}{{range $.strs}}{{if eq . "a"}}{{break}}{{end}}{{.}}{{end}};{{end}}`,
  "{{range .list}}{{$.num}}{{end}}",
  "{{range $x := .none}}x{{else}}{{len $x}}{{end}}",
  "{{range .nullList}}[{{.}}]{{end}}",
  "{{range .nested.inner.list}}{{.n}}{{end}}",
  // define/template/block
  `{{define "x"}}[{{.}}]{{end}}{{template "x" .num}}{{template "x"}}`,
  `{{define "x"}}{{$}}{{end}}{{template "x" 5}}`,
  `{{define "x"}}{{.}}{{end}}{{template "x" $v := 3}}{{$v}}`,
  `a{{block "b" .str}}<{{.}}>{{end}}z`,
  `{{define "n"}}{{.v}}{{range .kids}}({{template "n" .}}){{end}}{{end}}{{template "n" .tree}}`,
  // builtins
  "{{len .str}} {{len .uni}} {{len .list}} {{len .obj}} {{len .none}}",
  "{{index .list 0}} {{index .strs 2}} {{index .obj \"a\"}} {{index .nested \"inner\" \"deep\"}} {{index .str 1}} {{index .uni 1}}",
  "{{index .obj \"missing\"}} {{index .people 0 \"tags\" 0}}",
  "{{slice .list 1}} {{slice .list 1 2}} {{slice .list 0 1 2}} {{slice .str 1 3}} {{slice .str}}",
  "{{not .t}} {{not .zero}} {{not .list}}",
  "{{and 1 0 2}} {{and 1 2}} {{or 0 \"\" .str}} {{or 0 .empty}} {{and .missing 1}}|{{or .missing}}",
  "{{print 1 2 \"a\" \"b\" 3}} {{println .str .num}} {{printf \"%05.1f|%x|%q|%v|%T\" .flt .num .str .list .obj}}",
  "{{printf \"%d %s\" 1}} {{printf \"%!\"}} {{printf \"%v\" .missing}} {{print .nil}}",
  "{{html .special}} {{js .js}} {{urlquery .url}}",
  "{{html 1 2 \"<\"}} {{js .nil}} {{urlquery .list}}",
  "{{.special | html}} {{.str | printf \"%s-%s\" \"x\"}}",
  "{{eq 1 1}} {{eq 1 2}} {{eq 1 2 3 1}} {{eq .str \"hello\"}} {{eq .nil .missing}} {{eq .missing 1}}",
  "{{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ge .num 17}} {{lt .neg 0}}",
  "{{eq .t true}} {{ne .f true}} {{lt \"ä\" \"z\"}}",
  "{{len (print .list)}} {{index (slice .strs 1) 0}}",
  "{{upper .str}} {{.str | upper}} {{add 1 2}} {{list 1 \"a\"}} {{len (list 1 2 3)}}",
];

/** Templates that fail at execution in Go (and must fail the same way here). */
const FAILING: string[] = [
  "{{.str.x}}",
  "{{.num.x}}",
  "{{.list.x}}",
  "{{.nil.x}}",
  "a\n  {{.nested.inner.deep.z}}",
  "{{.str 1}}",
  "{{.obj.a 1}}",
  "{{index .list 5}}",
  "{{index .list 3}}",
  "{{index .list -1}}",
  "{{index .list \"a\"}}",
  "{{index .list .nil}}",
  "{{index .obj 1}}",
  "{{index .num 1}}",
  "{{index .nil 1}}",
  "{{index .str 5}}",
  "{{slice .list 2 1}}",
  "{{slice .list 1 2 3 4}}",
  "{{slice .str 0 1 2}}",
  "{{slice .num 1}}",
  "{{slice .list 0 9}}",
  "{{len .num}}",
  "{{len .nil}}",
  "{{len}}",
  "{{not 1 2}}",
  "{{eq .str 1}}",
  "{{eq .list .list}}",
  "{{eq .obj .list}}",
  "{{eq 1}}",
  "{{lt .t .f}}",
  "{{lt 1 \"a\"}}",
  "{{lt .nil 1}}",
  "{{gt .list 1}}",
  "{{ne 1}}",
  "{{call .str}}",
  "{{call .missing}}",
  "{{printf 1}}",
  "{{printf .num}}",
  "{{printf .nil}}",
  "{{range .str}}{{end}}",
  "{{range .t}}{{end}}",
  "{{range 2.5}}{{end}}",
  "{{range .nullList}}{{.x}}{{end}}",
  `{{define "x"}}{{.nil.b}}{{end}}{{template "x" .}}`,
  "{{nil}}",
  "{{1 2}}",
  "{{template \"nope\"}}",
  "{{fail}}",
  "{{fail | upper}}",
  "{{with $x := .str}}{{$x.y}}{{end}}",
];

interface Ours {
  out?: string;
  err?: string;
  parseError?: boolean;
}

function runOurs(c: GoCase): Ours {
  const Ctor = c.mode === "html" ? HtmlTemplate : TextTemplate;
  let t;
  try {
    t = new Ctor(c.name ?? "t");
    if (c.funcs === true) {
      t.funcs({
        upper: (s: string) => s.toUpperCase(),
        add: (a: number, b: number) => a + b,
        fail: () => {
          throw new Error("fail called");
        },
        list: (...xs: unknown[]) => xs,
      });
    }
    t.parse(c.template ?? "");
  } catch (err) {
    if (err instanceof TemplateParseError) return { err: err.message, parseError: true };
    throw err;
  }
  try {
    return { out: t.execute(c.data) };
  } catch (err) {
    if (err instanceof LiveTemplateError) return { err: err.message };
    throw err;
  }
}

function compare(c: GoCase, go: GoResult): void {
  const ours = runOurs(c);
  if (go.err !== undefined && go.out === undefined) {
    // Go rejected the template at parse time.
    expect(ours.parseError, `Go parse error: ${go.err}`).toBe(true);
    return;
  }
  if (go.err !== undefined) {
    expect(ours.err).toBe(go.err);
    return;
  }
  expect(ours.err).toBeUndefined();
  expect(ours.out).toBe(go.out);
}

describe.skipIf(skipWithoutGo)("text/template compared with Go", () => {
  const cases: GoCase[] = [...TEMPLATES, ...FAILING].map((template) => ({
    mode: "text",
    template,
    data: DATA,
    funcs: true,
  }));
  let results: GoResult[] = [];

  it("runs the cases through Go", () => {
    results = runGo(cases);
    expect(results).toHaveLength(cases.length);
  });

  it.each(TEMPLATES.map((t, i) => [t, i] as const))("renders %s as Go does", (_t, i) => {
    const c = cases[i];
    const go = results[i];
    if (c === undefined || go === undefined) throw new Error("missing case");
    expect(go.err, "the template should succeed in Go").toBeUndefined();
    compare(c, go);
  });

  it.each(FAILING.map((t, i) => [t, TEMPLATES.length + i] as const))("fails on %s as Go does", (_t, i) => {
    const c = cases[i];
    const go = results[i];
    if (c === undefined || go === undefined) throw new Error("missing case");
    expect(go.err, "the template should fail in Go").toBeDefined();
    compare(c, go);
  });
});

describe.skipIf(skipWithoutGo)("missingkey and nil data compared with Go", () => {
  const cases: GoCase[] = [
    { mode: "text", template: "{{.a}}|{{.a.b}}", data: {} },
    { mode: "text", template: "{{.a}}|{{.a.b}}", data: null },
    { mode: "text", template: "{{.}}", data: null },
    { mode: "text", template: "{{range .}}{{.}}{{end}}", data: null },
    { mode: "text", template: "{{.a.b}}", data: { a: null } },
  ];
  it("matches Go in default mode", () => {
    const results = runGo(cases);
    cases.forEach((c, i) => compare(c, results[i] as GoResult));
  });
});

// Random templates (from fragments Go 1.23 understands) over random JSON data, compared with
// Go. A fixed seed keeps the run reproducible; set LT_GO_DIFF_SEED (and LT_GO_DIFF_RUNS) to explore.
const FIELD_NAMES = ["a", "b", "list", "n", "s", "nil", "obj", "missing"];

const goOperand: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(".", "$", "nil", "true", "false", "0", "1", "-2", "2.5", `"s"`, `"<&>"`, `""`),
  fc.constantFrom(...FIELD_NAMES).map((f) => `.${f}`),
  fc.tuple(fc.constantFrom(...FIELD_NAMES), fc.constantFrom(...FIELD_NAMES)).map(([a, b]) => `.${a}.${b}`),
  fc.constantFrom("$x", "$x.a", "$.n"),
);

const GO_FUNCS = ["len", "index", "slice", "not", "and", "or", "eq", "ne", "lt", "le", "gt", "ge", "print", "println", "html", "js", "urlquery"];

const goCommand: fc.Arbitrary<string> = fc.oneof(
  goOperand,
  fc
    .tuple(fc.constantFrom(...GO_FUNCS), fc.array(goOperand, { minLength: 1, maxLength: 3 }))
    .map(([f, args]) => [f, ...args].join(" ")),
  fc.tuple(fc.constantFrom(`"%v"`, `"%d"`, `"%s|%v"`, `"%q"`, `"%x"`), fc.array(goOperand, { maxLength: 2 }))
    .map(([f, args]) => ["printf", f, ...args].join(" ")),
);

const goPipeline: fc.Arbitrary<string> = fc.oneof(
  goCommand,
  fc.tuple(goCommand, fc.constantFrom("print", "len", "not", "html", "urlquery")).map(([c, f]) => `${c} | ${f}`),
  goOperand.map((o) => `(${o})`),
);

const { goBody } = fc.letrec<{ goBody: string; goNode: string }>((tie) => ({
  goNode: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom("t ", "-", "\n"),
    goPipeline.map((p) => `{{${p}}}`),
    goPipeline.map((p) => `{{$x = ${p}}}`),
    fc.tuple(fc.constantFrom("if", "with"), goPipeline, tie("goBody"), fc.option(tie("goBody"))).map(
      ([kw, p, b, e]) => `{{${kw} ${p}}}${b}${e === null ? "" : `{{else}}${e}`}{{end}}`,
    ),
    fc
      .tuple(
        fc.constantFrom("", "$e := ", "$i, $e := "),
        goPipeline,
        fc.option(fc.tuple(goPipeline, fc.constantFrom("break", "continue"))),
        tie("goBody"),
        fc.option(tie("goBody")),
      )
      .map(
        ([decl, p, guard, b, e]) =>
          `{{range ${decl}${p}}}${guard === null ? "" : `{{if ${guard[0]}}}{{${guard[1]}}}{{end}}`}${b}` +
          `${e === null ? "" : `{{else}}${e}`}{{end}}`,
      ),
  ),
  goBody: fc.array(tie("goNode"), { maxLength: 4 }).map((parts) => parts.join("")),
}));

const jsonLeaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, 1, -1, 2.5, -0.25, "", "s", "<&>", "é✓"),
  fc.integer({ min: -9, max: 9 }),
);

const jsonData: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    jsonLeaf,
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...FIELD_NAMES), tie("value"), { maxKeys: 5 }),
  ),
})).value;

/**
 * Deliberate differences, not compared: Go distinguishes int from float64 and refuses to compare
 * them, where numbers are one kind here (docs/template.md); Go 1.23 (the oracle) cannot range
 * over an integer, which Go 1.24 and this engine can; and slice rejecting indexes read from maps
 * (typed interface {}), a Go 1.19 bug, is kept out in case an older oracle runs.
 */
function knownDifference(go: GoResult, ours: Ours): boolean {
  if (go.err === undefined) return false;
  if (/range can't iterate over -?\d+$|incompatible types for comparison/.test(go.err)) return true;
  if (/error calling slice: cannot index slice\/array with type interface \{\}/.test(go.err)) return true;
  return (
    ours.err === undefined &&
    /incompatible types for comparison|expected integer|cannot index slice\/array with type float64/.test(go.err)
  );
}

describe.skipIf(skipWithoutGo)("random templates compared with Go", () => {
  it("render as Go renders them", () => {
    const seed = Number(process.env["LT_GO_DIFF_SEED"] ?? 20261125);
    const numRuns = Number(process.env["LT_GO_DIFF_RUNS"] ?? 400);
    const samples = fc.sample(fc.tuple(goBody, jsonData), { seed, numRuns });
    const cases: GoCase[] = samples.map(([body, value]) => ({
      mode: "text",
      template: `{{$x := .}}${body}`,
      data: value,
    }));
    const results = runGo(cases);
    let compared = 0;
    cases.forEach((c, i) => {
      const go = results[i] as GoResult;
      const ours = runOurs(c);
      if (knownDifference(go, ours)) return;
      const label = `template ${JSON.stringify(c.template)} data ${JSON.stringify(c.data)}`;
      if (go.err !== undefined && go.out === undefined) {
        expect(ours.parseError, `${label}: Go parse error ${go.err}`).toBe(true);
      } else if (go.err !== undefined) {
        expect(ours.err, label).toBe(go.err);
      } else {
        expect(ours.err, label).toBeUndefined();
        expect(ours.out, label).toBe(go.out);
      }
      compared++;
    });
    expect(compared).toBeGreaterThan(numRuns * 0.75);
  });
});

describe.skipIf(skipWithoutGo)("html/template through HtmlTemplate compared with Go", () => {
  const HTML_TEMPLATES = [
    `<p title="{{.special}}">{{.special}}</p>`,
    `<a href="/q?s={{.url}}&n={{.num}}">{{.str}}</a>`,
    `<script>var x = {{.obj}}, s = "{{.js}}";</script>`,
    `<ul>{{range .people}}<li class="{{if gt .age 26}}old{{else}}young{{end}}">{{.name}}</li>{{end}}</ul>`,
    `{{define "row"}}<td>{{.}}</td>{{end}}<tr>{{range .list}}{{template "row" .}}{{end}}</tr>`,
    `<p>{{.missing}}|{{.nil}}|{{print .nil}}</p>`,
    `<style>p { color: {{.str}} }</style>`,
    `<!-- comment {{.str}} --><b>{{.uni}}</b>`,
  ];
  it("renders as Go renders", () => {
    const cases: GoCase[] = HTML_TEMPLATES.map((template) => ({ mode: "html", template, data: DATA }));
    const results = runGo(cases);
    cases.forEach((c, i) => compare(c, results[i] as GoResult));
  });
});

describe.skipIf(skipWithoutGo)("random html templates compared with Go", () => {
  // Actions in text and in a quoted attribute, over the same random JSON data.
  const { htmlBody } = fc.letrec<{ htmlBody: string; htmlNode: string }>((tie) => ({
    htmlNode: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constantFrom("t ", "<b>", "</b>", `<a title="`, `">`),
      goCommand.map((c) => `{{${c}}}`),
      fc.tuple(fc.constantFrom("if", "with", "range"), goCommand, tie("htmlBody")).map(
        ([kw, c, b]) => `{{${kw} ${c}}}${b}{{end}}`,
      ),
    ),
    htmlBody: fc.array(tie("htmlNode"), { maxLength: 4 }).map((parts) => parts.join("")),
  }));

  it("render as Go renders them", () => {
    const seed = Number(process.env["LT_GO_DIFF_SEED"] ?? 20261125);
    const numRuns = Number(process.env["LT_GO_DIFF_RUNS"] ?? 300);
    const samples = fc.sample(fc.tuple(htmlBody, jsonData), { seed, numRuns });
    const cases: GoCase[] = samples.map(([body, value]) => ({ mode: "html", template: body, data: value }));
    const results = runGo(cases);
    let compared = 0;
    cases.forEach((c, i) => {
      const go = results[i] as GoResult;
      const ours = runOurs(c);
      if (knownDifference(go, ours)) return;
      const label = `template ${JSON.stringify(c.template)} data ${JSON.stringify(c.data)}`;
      if (go.err !== undefined && go.out === undefined) {
        expect(ours.err, `${label}: Go error before execution: ${go.err}`).toBeDefined();
      } else if (go.err !== undefined) {
        expect(ours.err, label).toBe(go.err);
      } else {
        expect(ours.err, label).toBeUndefined();
        expect(ours.out, label).toBe(go.out);
      }
      compared++;
    });
    expect(compared).toBeGreaterThan(numRuns * 0.75);
  });
});
