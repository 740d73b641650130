import { beforeAll, describe, expect, it } from "vitest";
import { runGo, skipWithoutGo, type GoCase, type GoResult } from "../../test/go/oracle.js";
import { LiveTemplateError } from "../errors.js";
import { Template } from "../live/template.js";
import { treeToHtml } from "./html.js";
import type { TreeNode } from "../protocol/tree.js";

// Differential test of the live path: each template runs with JSON data through Go's html/template
// and through ours as a live tree (executeUpdates, then printed), as a page (executeToHTML, the
// wrapper's content) and as a hinted re-render. Outputs must equal Go's; execution errors must
// carry Go's message (position, context and type names included).
//
// The templates print only in HTML text and quoted attribute contexts, whose escaping is the same
// in every Go release since 1.19 (the escaper is being brought to Go 1.23 separately). A range
// over an integer is left out: Go 1.24 added it and the engine follows 1.24 there, so Go 1.23's
// message differs (live-errors.test.ts checks those cases against our plain render).

const DATA = {
  str: "hello",
  num: 17,
  flt: 2.5,
  t: true,
  f: false,
  nil: null,
  list: [1, 2, 3],
  strs: ["b", "a", "c"],
  none: [],
  obj: { b: 2, a: 1, c: 3 },
  nested: { inner: { deep: "down", list: [{ n: 1 }, { n: 2 }] } },
  people: [
    { name: "Ann", age: 30, tags: ["x"] },
    { name: "Bob", age: 25, tags: [] },
    { name: "Cy", age: 41, tags: ["y", "z"] },
  ],
  special: `<a href="x">'&'</a>`,
  L: [1],
};

const RENDERING: string[] = [
  "<p>{{.str}} {{.num}} {{.flt}} {{.t}}</p>",
  "<p>{{.special}}</p><a title=\"{{.special}}\">x</a>",
  '<ul>{{range .people}}<li data-key="{{.name}}">{{.name}}: {{.age}}</li>{{end}}</ul>',
  '{{range $i, $e := .strs}}<b class="c{{$i}}">{{$e}}</b>{{end}}',
  "{{range $k, $v := .obj}}<i>{{$k}}={{$v}}</i>{{end}}",
  "{{range .obj}}{{.}}{{end}}",
  "{{range .none}}x{{else}}<em>empty</em>{{end}}",
  "{{range .nil}}x{{else}}<em>nil</em>{{end}}",
  "{{if .t}}<i>{{.num}}</i>{{else}}no{{end}}{{if .f}}yes{{else if .num}}<u>{{.str}}</u>{{end}}",
  "{{with .nested.inner}}<p>{{.deep}}</p>{{range .list}}<b>{{.n}}</b>{{end}}{{end}}",
  '{{define "cell"}}<td>{{.}}</td>{{end}}<tr>{{range .list}}{{template "cell" .}}{{end}}</tr>',
  "{{range .list}}{{if eq . 3}}{{break}}{{end}}<b>{{.}}</b>{{end}}",
  "{{range .list}}{{if eq . 2}}{{continue}}{{end}}<b>{{.}}</b>{{end}}",
  "{{$n := len .people}}<p>{{$n}}</p>{{range .people}}<i>{{.name}}/{{$n}}</i>{{end}}",
  "{{range .people}}<p>{{.name}}{{range .tags}}<b>{{.}}</b>{{else}}-{{end}}</p>{{end}}",
  "<p>{{.nil}}|{{.missing}}</p>",
];

const FAILING: string[] = [
  "{{range .L}}{{.Y}}{{end}}",
  "<ul>{{range .L}}<li>{{.Y}}</li>{{end}}</ul>",
  "{{range .flt}}x{{end}}",
  "{{range .str}}x{{end}}",
  "{{range .t}}x{{else}}y{{end}}",
  "{{range .people}}{{with .tags}}{{.x}}{{end}}{{end}}",
  "{{with .num}}{{.x}}{{end}}",
  "<b>{{.num.x}}</b>",
  "{{range .nested.inner.list}}{{range .}}{{.x}}{{end}}{{end}}",
  "{{range .list}}{{index . 1}}{{end}}",
  '{{define "r"}}{{.q}}{{end}}{{range .list}}{{template "r" .}}{{end}}',
  '{{define "r"}}{{.q}}{{end}}<p>{{template "r" .num}}</p>',
  "{{range .people}}<i>{{.name}}</i>{{.age.x}}{{end}}",
];

interface Live {
  tree?: string;
  page?: string;
  hinted?: string;
  errors: string[];
}

/** Runs the live paths; every error message is collected in order. */
function runLive(src: string, data: unknown): Live {
  const errors: string[] = [];
  const attempt = <T>(run: () => T): T | undefined => {
    try {
      return run();
    } catch (err) {
      if (!(err instanceof LiveTemplateError)) throw err;
      errors.push(err.message);
      return undefined;
    }
  };
  const t = new Template("t").parse(src);
  const first = attempt(() => t.executeUpdates(data));
  const page = attempt(() => t.executeToHTML(data, { wrapperId: "lvt-w" }));
  // A re-render with every path reported: through the hinted hydrator, from a tree of the same data.
  const u = t.clone();
  attempt(() => u.executeUpdates(data));
  const again = attempt(() => u.executeUpdates(data, { changed: [[]] }));
  const out: Live = { errors };
  if (first !== undefined) out.tree = treeToHtml(first as TreeNode);
  if (page !== undefined) out.page = page.replace(/^<div data-lvt-id="lvt-w" data-lvt-loading="true">/, "").replace(/<\/div>$/, "");
  if (again !== undefined) out.hinted = JSON.stringify(again);
  return out;
}

describe.skipIf(skipWithoutGo)("the live path compared with Go's html/template", () => {
  const all = [...RENDERING, ...FAILING];
  const cases: GoCase[] = all.map((template) => ({ mode: "html", template, data: DATA }));
  let results: GoResult[] = [];

  beforeAll(() => {
    results = runGo(cases);
  });

  it.each(RENDERING.map((t, i) => [t, i] as const))("renders %s as Go does", (src, i) => {
    const go = results[i];
    if (go === undefined) throw new Error("missing Go result");
    expect(go.err, "the template should succeed in Go").toBeUndefined();
    const live = runLive(src, DATA);
    expect(live.errors).toEqual([]);
    expect(live.tree).toBe(go.out);
    expect(live.page).toBe(go.out);
    expect(live.hinted).toBe("{}");
  });

  it.each(FAILING.map((t, i) => [t, RENDERING.length + i] as const))("fails on %s as Go does", (src, i) => {
    const go = results[i];
    if (go === undefined) throw new Error("missing Go result");
    expect(go.err, "the template should fail in Go").toBeDefined();
    expect(go.out, "Go should fail at execution, not at parse time").toBeDefined();
    const live = runLive(src, DATA);
    // First render, page, the clone's first render and its hinted re-render: four failures.
    expect(live.errors).toEqual([go.err, go.err, go.err, go.err]);
  });
});
