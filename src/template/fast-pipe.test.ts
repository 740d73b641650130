import { describe, expect, it } from "vitest";
import { FuncMap, listSteps, planPipeline } from "./fast-pipe.js";
import type { ActionNode } from "./node.js";
import { parse } from "./parse.js";
import { HtmlTemplate, TextTemplate } from "./template.js";

function actionOf(src: string, funcs: FuncMap): ActionNode {
  const trees = parse("t", src, { isFunc: (name) => funcs.has(name) || name === "len" || name === "printf" });
  const node = trees.get("t")!.root.nodes[0]!;
  if (node.type !== "action") throw new Error("not an action");
  return node;
}

function outcome(run: () => string): string {
  try {
    return run();
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

const up = (s: unknown) => String(s).toUpperCase();
const funcs = new FuncMap([["up", up]]);

describe("planPipeline", () => {
  it.each([
    ["plans a field followed by functions", "{{.A | up | up}}", true],
    ["plans a lone field", "{{.A}}", true],
    ["does not plan a field chain", "{{.A.B}}", false],
    ["does not plan a declaration", "{{$x := .A}}", false],
    ["does not plan a function with arguments", "{{.A | printf \"%s\"}}", false],
    ["does not plan a builtin", "{{.A | len}}", false],
    ["does not plan a variable", "{{$.A}}", false],
    ["does not plan dot", "{{. | up}}", false],
  ])("%s", (_title, src, planned) => {
    expect(planPipeline(actionOf(src, funcs).pipe, funcs) !== null).toBe(planned);
  });

  it("makes one step per node of a list, with the text of text nodes", () => {
    const list = parse("t", "a{{.A | up}}b{{if .B}}c{{end}}", { isFunc: (n) => n === "up" }).get("t")!.root;
    const steps = listSteps(list, funcs);
    expect(steps.map((s) => [s.text, s.plan !== null, s.node.type])).toEqual([
      ["a", false, "text"],
      [null, true, "action"],
      ["b", false, "text"],
      [null, false, "if"],
    ]);
  });

  it("changes the version of a function map on every write", () => {
    const m = new FuncMap();
    const seen = [m.version];
    m.set("f", up);
    seen.push(m.version);
    m.set("f", up);
    seen.push(m.version);
    m.delete("f");
    seen.push(m.version);
    m.clear();
    seen.push(m.version);
    expect(new Set(seen).size).toBe(5);
  });
});

// Planned pipelines must give what the general evaluation gives: value, calls and errors (the
// expected texts are those of the evaluation before plans existed).
describe("planned pipelines", () => {
  it("uses a function replaced after the first execution", () => {
    const t = new TextTemplate("t").funcs({ f: (s: unknown) => `one:${String(s)}` }).parse("{{range .L}}{{.A | f}}{{end}}");
    const data = { L: [{ A: 1 }, { A: 2 }] };
    expect(t.execute(data)).toBe("one:1one:2");
    t.funcs({ f: (s: unknown) => `two:${String(s)}` });
    expect(t.execute(data)).toBe("two:1two:2");
  });

  it.each([
    ["passes a missing field as nil", "{{range .L}}{{.Z | f}}{{end}}", [{}], "[null]"],
    ["passes a null field as nil", "{{range .L}}{{.A | f}}{{end}}", [{ A: null }], "[null]"],
    ["prints a nil result as <no value>", "{{range .L}}{{.A | none}}{{end}}", [{ A: 1 }], "<no value>"],
    ["calls a method of a plain object", "{{range .L}}{{.M | f}}{{end}}", [{ M: () => "m" }], '["m"]'],
    ["reads a field of a class instance", "{{range .L}}{{.A | f}}{{end}}", [new (class { A = 3 })()], "[3]"],
    ["reads a getter once", "{{range .L}}{{.G}}{{end}}", "getter", "1"],
    ["names the function that threw", "{{range .L}}{{.A | boom}}{{end}}", [{ A: 1 }], "error: template: t:1:19: executing \"t\" at <boom>: error calling boom: no"],
    ["rejects a Promise", "{{range .L}}{{.A | later}}{{end}}", [{ A: 1 }], "error: template: t:1:19: executing \"t\" at <later>: error calling later: it returned a Promise; template functions must be synchronous"],
    ["names the field of a number", "{{range .L}}{{.A | f}}{{end}}", [7], "error: template: t:1:14: executing \"t\" at <.A>: can't evaluate field A in type interface {}"],
    ["refuses __proto__", "{{range .L}}{{.__proto__ | f}}{{end}}", [{}], "[null]"],
    [
      "names an array whose prototype is Object's as a slice",
      "{{range .L}}{{.length | f}}{{end}}",
      [Object.setPrototypeOf([1], Object.prototype)],
      "error: template: t:1:14: executing \"t\" at <.length>: can't evaluate field length in type interface {}",
    ],
  ])("%s", (_title, src, list, want) => {
    let reads = 0;
    const L =
      list === "getter"
        ? [
            {
              get G() {
                reads++;
                return reads;
              },
            },
          ]
        : list;
    const t = new TextTemplate("t")
      .funcs({
        f: (v: unknown) => JSON.stringify([v]),
        none: () => null,
        boom: () => {
          throw new Error("no");
        },
        later: () => Promise.resolve(1),
      })
      .parse(src);
    expect(outcome(() => t.execute({ L }))).toBe(want);
  });

  it("reads a getter that returns nothing as often as the general evaluation (twice per action)", () => {
    let reads = 0;
    const L = [
      {
        get G() {
          reads++;
          return undefined;
        },
      },
    ];
    const t = new TextTemplate("t").funcs({ f: (v: unknown) => JSON.stringify([v]) }).parse("{{range .L}}{{.G | f}}{{.G}}{{end}}");
    expect([t.execute({ L }), reads]).toEqual(["[null]<no value>", 4]);
  });

  it("escapes as html/template in every context of a row", () => {
    const t = new HtmlTemplate("t").parse(
      `{{range .L}}<a href="/x?q={{.Q}}" title="{{.T}}" data-n={{.N}} onclick="f({{.T}})">{{.T}}</a>{{end}}`,
    );
    expect(t.execute({ L: [{ Q: "a b&c", T: `<"it's">`, N: "" }] })).toBe(
      `<a href="/x?q=a%20b%26c" title="&lt;&#34;it&#39;s&#34;&gt;" data-n=ZgotmplZ onclick="f(&#34;\\u003c\\&#34;it&#39;s\\&#34;\\u003e&#34;)">&lt;&#34;it&#39;s&#34;&gt;</a>`,
    );
  });
});
