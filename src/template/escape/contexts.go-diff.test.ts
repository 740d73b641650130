import { describe, expect, it } from "vitest";
import { runGo, skipWithoutGo } from "../../../test/go/oracle.js";
import type { GoCase } from "../../../test/go/oracle.js";
import { CSS, HTML, HTMLAttr, JS, JSStr, Srcset, URL } from "../content.js";
import { BUILTINS } from "../funcs.js";
import type { ArgNode, ListNode, Tree } from "../node.js";
import { parse } from "../parse.js";
import { escapeTrees, escaperFuncs } from "./index.js";

// Differential test of the escaping decisions and the escapers: every context template below
// wraps `{{.}}` (or a pipeline ending in html/urlquery) and is rendered with every value, by Go's
// html/template (test/go/oracle.go) and by ours; outputs and error messages must be identical.
// The templates use only text, `{{.}}`-pipelines and {{template}}, so a few lines below execute
// the rewritten trees without depending on the full executor.

function evalArg(a: ArgNode, dot: unknown): unknown {
  switch (a.type) {
    case "dot":
      return dot;
    case "string":
      return a.text;
    case "number":
      return a.isInt ? Number(a.int64) : a.float64;
    case "bool":
      return a.value;
    case "nil":
      return null;
    default:
      throw new Error(`unsupported argument ${a.type}`);
  }
}

function call(name: string, args: unknown[]): unknown {
  const esc = escaperFuncs[name];
  if (esc !== undefined) return esc(...args);
  const builtin = BUILTINS.get(name);
  if (builtin !== undefined) return builtin.fn(args);
  throw new Error(`unknown function ${name}`);
}

function renderList(trees: Map<string, Tree>, list: ListNode, dot: unknown): string {
  let out = "";
  for (const n of list.nodes) {
    if (n.type === "text") out += n.text;
    else if (n.type === "action") {
      let v: unknown;
      n.pipe.cmds.forEach((cmd, i) => {
        const [head, ...rest] = cmd.args;
        if (head === undefined) throw new Error("empty command");
        const args = rest.map((a) => evalArg(a, dot));
        if (i > 0) args.push(v);
        v = head.type === "identifier" ? call(head.ident, args) : evalArg(head, dot);
      });
      out += String(v);
    } else if (n.type === "template") {
      const t = trees.get(n.name);
      if (t === undefined) throw new Error(`no template ${n.name}`);
      out += renderList(trees, t.root, n.pipe === null ? null : dot);
    } else throw new Error(`unsupported node ${n.type}`);
  }
  return out;
}

function renderOurs(src: string, data: unknown): { out?: string; err?: string } {
  try {
    const trees = parse("t", src, { skipFuncCheck: true });
    escapeTrees(trees, "t");
    const t = trees.get("t");
    if (t === undefined) throw new Error("no t");
    return { out: renderList(trees, t.root, data) };
  } catch (e) {
    return { out: "", err: e instanceof Error ? e.message : String(e) };
  }
}

/** Context templates; `@` marks where `{{.}}` goes. */
const CONTEXTS: string[] = [
  "@",
  "<b>@</b>",
  "<title>@</title>",
  "<textarea>@</textarea>",
  "<p title=\"@\">",
  "<p title='@'>",
  "<p title=@>",
  "<p title=x@y>",
  "<p @>",
  "<p @=x>",
  "<p data-@=\"x\">",
  "<p x @>",
  "<input value=\"@\">",
  "<a href=\"@\">",
  "<a href='@'>",
  "<a href=@>",
  "<a href=\"/x/@\">",
  "<a href=\"/x?q=@\">",
  "<a href=\"/x#@\">",
  "<a href=\"@?q=1\">",
  "<img src=\"@\">",
  "<img data-src=\"@\">",
  "<form action=\"@\">",
  "<img srcset=\"@\">",
  "<img srcset=\"a.png 1x, @\">",
  "<img srcset=@>",
  "<a onclick=\"@\">",
  "<a onclick='f(@)'>",
  "<a onclick=\"f('@')\">",
  "<a onclick='f(\"@\")'>",
  "<a onclick=\"x = /@/\">",
  "<a onclick=@>",
  "<a onclick=\"f(&quot;@&quot;)\">",
  "<script>@</script>",
  "<script>var x = @;</script>",
  "<script>var x = '@';</script>",
  "<script>var x = \"@\";</script>",
  "<script>var x = /@/;</script>",
  "<script>var x = 1 / @;</script>",
  "<script>x = a++ / @</script>",
  "<script>return /@/</script>",
  "<script>/* @ */</script>",
  "<script>// @\n</script>",
  "<script>var x = `@`;</script>",
  "<script type=\"text/template\">@</script>",
  "<script type=\"application/json\">@</script>",
  "<script type=\"module\">var x = @;</script>",
  "<style>@</style>",
  "<style>p { color: @ }</style>",
  "<style>p { font-family: \"@\" }</style>",
  "<style>p { font-family: '@' }</style>",
  "<style>p { background: url(@) }</style>",
  "<style>p { background: url(\"@\") }</style>",
  "<style>p { background: url('/x?@') }</style>",
  "<style>/* @ */</style>",
  "<p style=\"color: @\">",
  "<p style=\"background: url(@)\">",
  "<p style='font-family: \"@\"'>",
  "<!-- @ -->",
  "<!-- a --> @",
  "<a href=\"mailto:@\">",
  "<svg xmlns:xlink=\"@\">",
  "<a xlink:href=\"@\">",
  "<iframe srcdoc=\"@\">",
  "<a @ href=\"x\">",
  "<p title=\"@\" onclick=\"@\">",
  "<a href=\"@\" title=\"@\">@</a>",
  "<p>&lt;@&gt;</p>",
  "<textarea><b>@</b></textarea>",
  "<title><!-- @ --></title>",
  "<p title=\"a<b@\">",
  "<a href=\"javascript:@\">",
  "<div style=@>",
  "<a href=\"/x?a=1&amp;b=@\">",
  "<a onclick=\"var s = 'x\\'@'\">",
  "<a href=\"x\" @>",
  "<SCRIPT>var x = @</SCRIPT >@",
  "<script>x = '</script>'@",
  "<a onclick=\"'&#39;@\">",
  "<a onclick=\"&#x27;@\">",
  "<a onclick=\"x=&#47;@&#47;\">",
  "<a onclick=\"&lpar;@&rpar;\">",
  "<a onclick=\"&quot@\">",
  "<a onclick=\"x&amp@\">",
  "<img src=\"data:@\">",
  "<p style=\"x:url(@)\">",
  "<p style=color:@>",
  "<style>p{background:url(\\22 @)}</style>",
  "<style>p{background:URL( @ )}</style>",
  "<style>@import \"@\"</style>",
  "<style>p{x:\"\\\"@\"}</style>",
  "<style>p{a:b}//@\n</style>",
  "<a href=\"@#x\">",
  "<a href=\"  @\">",
  "<a href = \"@\">",
  "<a href\n=\n@>",
  "<script>typeof /@/</script>",
  "<script>x++ / @</script>",
  "<script>a = b ? /@/ : 1</script>",
  "<script>x = 1./@</script>",
  "<script>x = y--/@</script>",
  "<script>x = y.z / @</script>",
  "<script>var s = \"a\\\"@\"</script>",
  "<script>/* a\n */ @</script>",
  "<script>// x\u2028@</script>",
  "<script>x = a\n/@/</script>",
  "<textarea><script>@</textarea>",
  "<title>a</title >@",
  "<input checked @>",
  "<p class=x@y>",
  "<a b=\"x\" @=\"y\">",
  "<a xmlns=\"@\">",
  "<a xmlns:foo=\"@\">",
  "<a data-href=\"@\">",
  "<a myurl=\"@\">",
  "<a ONCLICK=\"@\">",
  "<a style=\"@\">",
  "<object data=\"@\">",
  "<img srcset=\"@ 1x\">",
  "<img srcset=\"x @\">",
  "<p x=\"@\" y=@ z='@'>",
  "<a href=\"?a=@&b=@\">",
  "<a href=\"http://x/@\">",
  "<a href=\"@/x\">",
  "<script type=\"TEXT/JAVASCRIPT\">@</script>",
  "<script type=\"text/javascript; charset=utf-8\">@</script>",
  "<script type=text/plain>@</script>",
  "<script type=\"\">@</script>",
  "<p style=\"x:@;y:'@'\">",
  "<a title=\"\" href=@>",
  "<a onclick=\"f()\" @>",
  "<svg><a xlink:href=\"@\"></a></svg>",
  "<p>&amp;@&lt;</p>",
  "<!DOCTYPE html>@<",
  "a <3 @",
  "<p></p @>",
  "<x:y a=\"@\">",
  "<a-b c=@>",
];

const VALUES: Array<[string, unknown]> = [
  ["plain", "hello"],
  ["empty", ""],
  ["markup", "<b>\"O'Reilly\" & co</b>"],
  ["spaces", " a b\tc\nd\re\ff\vg"],
  ["equals", "a=b`c"],
  ["plus", "a+b"],
  ["nul", "a\u0000b"],
  ["js url", "javascript:alert(1)"],
  ["JS url upper", "JavaScript:alert(1)"],
  ["data url", "data:text/html,<b>"],
  ["http url", "http://example.com/a b?c=d&e=f#g"],
  ["mailto", "mailto:a@b.c"],
  ["relative", "/path/to?x=1&y=%zz%41"],
  ["unicode", "héllo wörld 日本 😀"],
  ["regexp chars", "a.b*c+d?e(f)g[h]i{j}k|l^m$n\\o/p-q"],
  ["line terminators", "a\u2028b\u2029c"],
  ["css", "red; background: url(x)"],
  ["css ok", "10px solid #fff"],
  ["css expression", "expression(alert(1))"],
  ["css escape", "\\65xpression"],
  ["css comment", "a -- b"],
  ["srcset", "a.png 1x, b.png 2x"],
  ["srcset bad", "a.png 1x, javascript:x 2x"],
  ["srcset metadata", "a.png (1x)"],
  ["script close", "</script><script>alert(1)</script>"],
  ["comment close", "--><b>x</b>"],
  ["attr name", "onclick"],
  ["attr name ok", "Title"],
  ["attr name bad chars", "x y"],
  ["backquote", "`${x}`"],
  ["noncharacters", "a\ufdd0b\uffffc"],
  ["int", 42],
  ["negative", -7],
  ["float", 3.25],
  ["tiny float", 1.5e-7],
  ["big float", 1e21],
  ["true", true],
  ["false", false],
  ["nil", null],
  ["array", [1, "two", null, true]],
  ["object", { b: 2, a: "x</script>", c: [1.5] }],
  ["nested", { list: [{ k: "v" }], n: null }],
  ["NaN", NaN],
  ["trusted HTML", new HTML("<b>bold</b> &amp; <i title=\"x\">it</i>")],
  ["trusted HTMLAttr", new HTMLAttr("title=\"x\"")],
  ["trusted JS", new JS("alert('x')")],
  ["trusted JSStr", new JSStr("a\\u0022b'c")],
  ["trusted CSS", new CSS("color: red")],
  ["trusted URL", new URL("javascript:void(0)")],
  ["trusted URL with comma", new URL("/a,b c")],
  ["trusted Srcset", new Srcset("javascript:x 1x")],
];

/** Pipelines put in the marked places (the predefined escapers are merged, not doubled). */
const PIPELINES = ["{{.}}", "{{. | html}}", "{{html .}}", "{{. | urlquery}}", "{{print . | urlquery}}"];

interface Row {
  title: string;
  template: string;
  data: unknown;
}

const rows: Row[] = [];
for (const ctx of CONTEXTS) {
  for (const [label, value] of VALUES) {
    rows.push({ title: `${JSON.stringify(ctx)} with ${label}`, template: ctx.replaceAll("@", "{{.}}"), data: value });
  }
  for (const p of PIPELINES.slice(1)) {
    rows.push({ title: `${JSON.stringify(ctx)} with ${p}`, template: ctx.replaceAll("@", p), data: "<a href='x'>&+ ?=#</a>" });
  }
}
// Templates called from other contexts, and errors.
const EXTRA: Array<[string, unknown]> = [
  [`{{define "x"}}<b>{{.}}</b>{{end}}<p title="{{template "x" .}}">{{template "x" .}}</p>`, "a&b"],
  [`{{define "x"}}{{.}}{{end}}<a href="{{template "x" .}}?q={{template "x" .}}">`, "javascript:x y"],
  [`{{define "x"}}{{.}}{{end}}<script>var a = {{template "x" .}}; var b = "{{template "x" .}}";</script>`, "a\"b"],
  [`<a href="{{if .}}/foo?a={{else}}/bar/{{end}}{{.}}">`, "x"],
  [`<a onclick="/foo[\\]/`, "x"],
  [`<a onclick="alert('Hello \\`, "x"],
  [`<a b=1 c={{.}}`, "x"],
  [`<script>foo();`, "x"],
  [`<input type=button value=onclick=>`, "x"],
  [`<a href="{{.}}`, "x"],
  [`<p {{"a" | html}}>`, "x"],
  [`<p title={{html .}}>`, "x"],
  [`{{. | html | print}}`, "x"],
  [`<a href="{{. | urlquery | print}}">`, "x"],
  [`<script>var x = a / {{.}} /</script>`, "x"],
  [`<script>{{if .}}x{{end}} /re/</script>`, "x"],
  [`<a "b">`, "x"],
  [`<a <b>`, "x"],
  [`{{template "nope"}}`, "x"],
  [`<!DOCTYPE html><p>a < b</p>`, "x"],
  [`<a title="x > y" href='z'>ok</a>`, "x"],
  [`<script>var s = "</scr" + "ipt>" </script>{{.}}`, "<x>"],
  [`<textarea></textarea >{{.}}`, "<x>"],
  [`<a href=x onclick=f()>{{.}}`, "<x>"],
  [`{{define "x"}}{{end}}<a title="{{template "x"}}">{{template "x"}}{{.}}`, "<x>"],
  [`{{define "x"}} {{/* only a comment */}} {{end}}<script>var a = 1{{template "x"}};</script>`, "<x>"],
  [`{{define "x"}}<b>{{.}}</b>{{end}}{{define "y"}}{{template "x" .}}{{end}}<p title="{{template "y" .}}">{{template "y" .}}`, "a\"b"],
  [`{{define "x"}}{{.}}{{end}}<a href="/p?q={{template "x" .}}" onclick="f({{template "x" .}})" style="color: {{template "x" .}}">`, "a b"],
  [`{{define "x"}}a{{.}}{{end}}<a href="{{template "x" .}}{{.}}">`, "?q"],
  [`{{define "x"}}<a href="{{end}}{{template "x"}}{{.}}">`, "javascript:x"],
  [`{{define "x"}}"{{end}}<a title={{template "x"}}>`, "x"],
  [`{{define "x"}}{{.}}{{end}}<script>var a = /{{template "x" .}}/</script><title>{{template "x" .}}</title>`, "a/b<c>"],
  [`{{define "x"}}{{.}}{{end}}<!-- {{template "x" .}} --><p {{template "x" .}}>`, "title"],
  [`{{define "x"}}{{.}}{{end}}<script>var a = 1 / {{template "x" .}} / 2;</script>`, 3],
  [`{{define "r"}}{{if .}}<i title="{{.}}">{{template "r" ""}}</i>{{end}}{{end}}<p title="{{template "r" .}}">{{template "r" .}}`, "<x>"],
  [`{{define "r"}}{{if .}}{{template "r" ""}}"{{end}}{{end}}<p title="{{template "r" .}}">`, "x"],
];
for (const [template, data] of EXTRA) rows.push({ title: JSON.stringify(template), template, data });

describe.skipIf(skipWithoutGo)("escaping agrees with Go's html/template", () => {
  const cases: GoCase[] = rows.map((r) => ({ mode: "html", template: r.template, data: r.data }));
  let results: ReturnType<typeof runGo> = [];
  it("runs Go over the whole table", () => {
    results = runGo(cases);
    expect(results).toHaveLength(rows.length);
  });
  it.each(rows.map((r, i) => [r.title, i] as const))("renders %s like Go", (_title, i) => {
    const row = rows[i];
    const want = results[i];
    if (row === undefined || want === undefined) throw new Error("missing row");
    expect(renderOurs(row.template, row.data)).toEqual(want);
  });
});
