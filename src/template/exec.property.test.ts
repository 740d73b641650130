import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LiveTemplateError } from "../errors.js";
import { HTML } from "./content.js";
import { HtmlTemplate, TextTemplate } from "./template.js";

// Random templates built from fragments of the language, run over random data: each run must
// either render a string or throw a LiveTemplateError subclass, never anything else.

class Thing {
  constructor(public readonly n: number) {}
  double(): number {
    return this.n * 2;
  }
  add(x: unknown): unknown {
    if (typeof x !== "number") throw new TypeError("not a number");
    return this.n + x;
  }
}

const FIELDS = ["a", "b", "list", "obj", "n", "s", "nil", "thing", "map", "missing", "fn"];

const operand: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(".", "$", "nil", "true", "0", "1", "-2", "2.5", `"s"`, `"<&>"`, "'x'", "1e3"),
  fc.constantFrom(...FIELDS).map((f) => `.${f}`),
  fc.tuple(fc.constantFrom(...FIELDS), fc.constantFrom(...FIELDS)).map(([a, b]) => `.${a}.${b}`),
  fc.constantFrom("$x", "$i", "$e", "$.a", "$x.n"),
  fc.constantFrom(".thing.double", ".thing.add 1", ".fn 1"),
);

const FUNCS = ["len", "index", "slice", "not", "and", "or", "eq", "ne", "lt", "le", "gt", "ge", "print", "printf", "println", "html", "js", "urlquery", "call", "up", "boom"];

const command: fc.Arbitrary<string> = fc.oneof(
  operand,
  fc.tuple(fc.constantFrom(...FUNCS), fc.array(operand, { maxLength: 3 })).map(([f, args]) => [f, ...args].join(" ")),
  operand.map((o) => `(${o})`),
);

const pipeline: fc.Arbitrary<string> = fc.oneof(
  command,
  fc.tuple(command, fc.constantFrom(...FUNCS)).map(([c, f]) => `${c} | ${f}`),
);

const declaring: fc.Arbitrary<string> = fc.oneof(
  pipeline,
  fc.tuple(fc.constantFrom("$x :=", "$x =", "$y :="), pipeline).map(([d, c]) => `${d} ${c}`),
);

const { body } = fc.letrec<{ body: string; node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom("text ", "<p>", "</p>", `<a href="`, `">`, "\n", `{{template "d" .}}`),
    declaring.map((p) => `{{${p}}}`),
    fc.tuple(fc.constantFrom("if", "with"), declaring, tie("body"), fc.option(tie("body"))).map(
      ([kw, p, b, e]) => `{{${kw} ${p}}}${b}${e === null ? "" : `{{else}}${e}`}{{end}}`,
    ),
    fc
      .tuple(
        fc.constantFrom("", "$e := ", "$i, $e := "),
        pipeline,
        fc.option(fc.tuple(pipeline, fc.constantFrom("break", "continue"))),
        tie("body"),
        fc.option(tie("body")),
      )
      .map(
        ([decl, p, guard, b, e]) =>
          `{{range ${decl}${p}}}${guard === null ? "" : `{{if ${guard[0]}}}{{${guard[1]}}}{{end}}`}${b}` +
          `${e === null ? "" : `{{else}}${e}`}{{end}}`,
      ),
  ),
  body: fc.array(tie("node"), { maxLength: 4 }).map((parts) => parts.join("")),
}));

const template: fc.Arbitrary<string> = fc
  .tuple(body, fc.option(body))
  .map(([main, def]) => {
    // Declaring the variables the fragments use keeps most templates valid.
    const vars = "{{$x := .}}{{$i := 0}}{{$e := 0}}";
    return def === null ? vars + main : `{{define "d"}}${vars}${def}{{end}}${vars}${main}`;
  });

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, undefined, true, false, 0, 1, -1, 2.5, NaN, Infinity, "", "s", "<&>", 2 ** 60),
  fc.string({ maxLength: 5 }),
  fc.integer({ min: -5, max: 5 }),
);

const data: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...FIELDS), tie("value"), { maxKeys: 5 }),
    fc.constant(new Thing(3)),
    fc.constant(new Map<unknown, unknown>([["a", 1], [2, "b"]])),
    fc.constant(new Set([1, 2])),
    fc.constant(new HTML("<b>")),
    fc.constant((x: unknown) => x),
  ),
})).value;

const funcs = {
  up: (s: unknown) => String(s).toUpperCase(),
  boom: () => {
    throw new Error("boom");
  },
};

function check(Ctor: typeof TextTemplate | typeof HtmlTemplate, text: string, value: unknown): void {
  try {
    const t = new Ctor("t").funcs(funcs).parse(text);
    const out = t.execute(value);
    expect(typeof out).toBe("string");
  } catch (err) {
    if (!(err instanceof LiveTemplateError)) {
      throw new Error(`non-template error for ${JSON.stringify(text)}: ${String(err)}`, { cause: err });
    }
  }
}

describe("random templates", () => {
  it("render or fail with a template error (text/template)", () => {
    fc.assert(
      fc.property(template, data, (text, value) => check(TextTemplate, text, value)),
      { numRuns: 1500 },
    );
  });

  it("render or fail with a template error (html/template)", () => {
    fc.assert(
      fc.property(template, data, (text, value) => check(HtmlTemplate, text, value)),
      { numRuns: 800 },
    );
  });

  it("render the same text twice from one parse", () => {
    fc.assert(
      fc.property(template, data, (text, value) => {
        let t: TextTemplate;
        try {
          t = new TextTemplate("t").funcs(funcs).parse(text);
        } catch {
          return;
        }
        let first: string;
        try {
          first = t.execute(value);
        } catch {
          return;
        }
        expect(t.execute(value)).toBe(first);
      }),
      { numRuns: 500 },
    );
  });
});
