import { describe, expect, it } from "vitest";
import { TemplateEscapeError } from "../errors.js";
import { treeToString } from "../node-string.js";
import { parse } from "../parse.js";
import { escapeTrees } from "./index.js";

// Rewrites: the escaped template printed back as source. Error messages are Go 1.23's, taken
// from its html/template for the same templates (contexts.go-diff.test.ts compares live).

function escaped(src: string, name = "t"): Record<string, string> {
  const trees = parse(name, src, { skipFuncCheck: true });
  escapeTrees(trees, name);
  const out: Record<string, string> = {};
  for (const [n, t] of trees) out[n] = treeToString(t);
  return out;
}

function escapeError(src: string): string {
  try {
    escaped(src);
  } catch (e) {
    if (e instanceof TemplateEscapeError) return e.message;
    throw e;
  }
  return "OK";
}

const H = "_html_template_";

const rewrites: Array<[string, string, string]> = [
  ["escapes text with the HTML escaper", "<b>{{.}}</b>", `<b>{{. | ${H}htmlescaper}}</b>`],
  ["escapes quoted attributes", `<p title="{{.}}">`, `<p title="{{. | ${H}attrescaper}}">`],
  ["escapes unquoted attributes without spaces", "<p title={{.}}>", `<p title={{. | ${H}nospaceescaper}}>`],
  ["filters and normalizes a URL start", `<a href="{{.}}">`, `<a href="{{. | ${H}urlfilter | ${H}urlnormalizer | ${H}attrescaper}}">`],
  ["normalizes a URL path", `<a href="/x/{{.}}">`, `<a href="/x/{{. | ${H}urlnormalizer | ${H}attrescaper}}">`],
  ["escapes a query value", `<a href="?q={{.}}">`, `<a href="?q={{. | ${H}urlescaper | ${H}attrescaper}}">`],
  ["escapes JS values in event handlers", `<a onclick="f({{.}})">`, `<a onclick="f({{. | ${H}jsvalescaper | ${H}attrescaper}})">`],
  ["escapes JS strings without a second attribute escape", `<a onclick="f('{{.}}')">`, `<a onclick="f('{{. | ${H}jsstrescaper}}')">`],
  ["escapes JS regexps", "<script>/{{.}}/</script>", `<script>/{{. | ${H}jsregexpescaper}}/</script>`],
  ["filters CSS values", "<style>p{color:{{.}}}</style>", `<style>p{color:{{. | ${H}cssvaluefilter}}}</style>`],
  ["filters and escapes CSS strings (they may hold URLs)", `<style>p{font:"{{.}}"}</style>`, `<style>p{font:"{{. | ${H}urlfilter | ${H}cssescaper}}"}</style>`],
  ["filters attribute names", "<p {{.}}=x>", `<p {{. | ${H}htmlnamefilter}}=x>`],
  ["escapes RCDATA", "<title>{{.}}</title>", `<title>{{. | ${H}rcdataescaper}}</title>`],
  ["escapes srcset values", `<img srcset="{{.}}">`, `<img srcset="{{. | ${H}srcsetescaper | ${H}attrescaper}}">`],
  ["drops HTML comments and their actions", "a<!-- {{.}} -->b", `a{{. | ${H}commentescaper}}b`],
  ["replaces JS comments by a space or a newline", "<script>a/* x */b/* \n */c// d\ne</script>", "<script>a b\nc\ne</script>"],
  ["replaces CSS comments by a space", "<style>a/* x */b</style>", "<style>a b</style>"],
  ["escapes a stray < in text", "a < b <!DOCTYPE html>", "a &lt; b <!DOCTYPE html>"],
  ["leaves assignments alone", "{{$x := .}}<p title={{$x}}>", `{{$x := .}}<p title={{$x | ${H}nospaceescaper}}>`],
  ["reuses a trailing html escaper", "<b>{{. | html}}</b>", "<b>{{. | html}}</b>"],
  ["turns html with arguments into a pipeline", "<b>{{html . 1}}</b>", "<b>{{_eval_args_ . 1 | html}}</b>"],
  ["keeps urlquery for query values", `<a href="?q={{. | urlquery}}">`, `<a href="?q={{. | urlquery | ${H}attrescaper}}">`],
  ["escapes each branch in its own context", `{{if .}}<a href="{{.}}">{{else}}{{.}}{{end}}`, `{{if .}}<a href="{{. | ${H}urlfilter | ${H}urlnormalizer | ${H}attrescaper}}">{{else}}{{. | ${H}htmlescaper}}{{end}}`],
  ["does not escape a template call's argument", `<p title="{{template "x" .}}">{{define "x"}}{{.}}{{end}}`, `<p title="{{template "x$htmltemplate_stateAttr_delimDoubleQuote" .}}">`],
];

describe("escapeTrees rewrites", () => {
  it.each(rewrites)("%s", (_title, src, want) => {
    expect(escaped(src)["t"]).toBe(want);
  });

  it("adds a derived template for each context a template is called in", () => {
    const out = escaped(`{{define "x"}}<b>{{.}}</b>{{end}}<p title="{{template "x" .}}">{{template "x" .}}<a href='{{template "x" .}}'>`);
    expect(out["t"]).toBe(
      `<p title="{{template "x$htmltemplate_stateAttr_delimDoubleQuote" .}}">{{template "x" .}}<a href='{{template "x$htmltemplate_stateURL_delimSingleQuote_attrURL" .}}'>`,
    );
    expect(out["x"]).toBe(`<b>{{. | ${H}htmlescaper}}</b>`);
    expect(out["x$htmltemplate_stateAttr_delimDoubleQuote"]).toBe(`<b>{{. | ${H}attrescaper}}</b>`);
    expect(out["x$htmltemplate_stateURL_delimSingleQuote_attrURL"]).toBe(
      // The text before the action already started the URL, so there is no scheme to filter.
      `<b>{{. | ${H}urlnormalizer | ${H}attrescaper}}</b>`,
    );
  });

  it("escapes a recursive template by finding its output context", () => {
    const out = escaped(`{{define "list"}}<ul>{{range .}}<li title="{{.Name}}">{{template "list" .Kids}}</li>{{end}}</ul>{{end}}{{template "list" .}}`);
    expect(out["list"]).toBe(
      `<ul>{{range .}}<li title="{{.Name | ${H}attrescaper}}">{{template "list" .Kids}}</li>{{end}}</ul>`,
    );
  });

  it("does not rewrite twice when escaped again", () => {
    const trees = parse("t", "<b>{{.}}</b>", {});
    escapeTrees(trees, "t");
    escapeTrees(trees, "t");
    expect(treeToString(trees.get("t") ?? { name: "", parseName: "", text: "", root: { type: "list", pos: 0, line: 0, nodes: [] } })).toBe(
      `<b>{{. | ${H}htmlescaper}}</b>`,
    );
  });

  it("shares already escaped templates between entry points of one set", () => {
    const trees = parse("a", `{{define "b"}}<i>{{template "c" .}}</i>{{end}}{{define "c"}}{{.}}{{end}}<p>{{template "c" .}}</p>`, {});
    escapeTrees(trees, "a");
    escapeTrees(trees, "b");
    expect(treeToString(trees.get("c") ?? trees.get("a")!)).toBe(`{{. | ${H}htmlescaper}}`);
  });

  it("leaves the trees untouched when escaping fails", () => {
    const trees = parse("t", "<b>{{.}}</b><a href='{{.}}", {});
    expect(() => escapeTrees(trees, "t")).toThrow(TemplateEscapeError);
    expect(treeToString(trees.get("t")!)).toBe("<b>{{.}}</b><a href='{{.}}");
  });
});

const errors: Array<[string, string, string]> = [
  ["rejects if branches that end in different contexts", "{{if .C}}<a href=\"{{else}}<b>{{end}}", "html/template:t:1:5: {{if}} branches end in different contexts: {stateURL delimDoubleQuote urlPartNone jsCtxRegexp attrURL elementNone <nil>}, {stateText delimNone urlPartNone jsCtxRegexp attrNone elementNone <nil>}"],
  ["rejects an action after branches that leave the URL part unknown", "<a href=\"{{if .F}}/foo?a={{else}}/bar/{{end}}{{.H}}\">", "html/template:t:1:47: {{.H}} appears in an ambiguous context within a URL"],
  ["rejects a range body that changes context on re-entry", "{{range .Items}}<a{{end}}", "html/template:t:1: on range loop re-entry: \"<\" in attribute name: \"<a\""],
  ["rejects a break in a different context", "{{range .}}{{if .}}<a{{break}}{{end}}{{end}}", "html/template:t:1:23: at range loop break: {{range}} branches end in different contexts: {stateText delimNone urlPartNone jsCtxRegexp attrNone elementNone <nil>}, {stateTag delimNone urlPartNone jsCtxRegexp attrNone elementNone <nil>}"],
  ["rejects a continue in a different context", "{{range .}}{{if .}}<a{{continue}}{{end}}{{end}}", "html/template:t:1:23: at range loop continue: {{range}} branches end in different contexts: {stateText delimNone urlPartNone jsCtxRegexp attrNone elementNone <nil>}, {stateTag delimNone urlPartNone jsCtxRegexp attrNone elementNone <nil>}"],
  ["rejects branches ending in JS code and in a JS string", "<script>var x = {{if .}}1{{else}}\"a{{end}}</script>", "html/template:t:1:21: {{if}} branches end in different contexts: {stateJS delimNone urlPartNone jsCtxDivOp attrNone elementScript <nil>}, {stateJSDqStr delimNone urlPartNone jsCtxRegexp attrNone elementScript <nil>}"],
  ["rejects a recursive template whose output context cannot be computed", "{{define \"x\"}}{{template \"x\"}}<a{{end}}{{template \"x\"}}", "html/template:t:1:14: cannot compute output context for template x"],
  ["rejects a call of a missing template", "<a title=\"{{template \"missing\"}}\">", "html/template:t:1:21: no such template \"missing\""],
  ["rejects a top-level call of a missing template", "{{template \"x\"}}", "html/template:t:1:11: no such template \"x\""],
  ["rejects urlquery before other commands", "<a href=\"{{. | urlquery | html}}\">", "html/template:t:1:11: predefined escaper \"urlquery\" disallowed in template"],
  ["rejects html before other commands", "<a href=\"{{html . | urlquery}}\">", "html/template:t:1:11: predefined escaper \"html\" disallowed in template"],
  ["rejects html in an unquoted attribute", "<a title={{. | html}}>", "html/template:t:1:11: predefined escaper \"html\" disallowed in template"],
  ["rejects a slash after branches that disagree on division", "<script>x = y {{if .}}+{{end}} /re/</script>", "html/template:t: '/' could start a division or regexp: \"/re/\""],
  ["rejects quotes in unquoted attribute values", "<a b=\"1\" c=d'e>", "html/template:t: \"'\" in unquoted attr: \"d'e\""],
  ["rejects a tag with = in place of a name", "<a =b>", "html/template:t: expected space, attr name, or end of tag, but got \"=b>\""],
  ["rejects < in unquoted attribute values", "<a b c=d<e>", "html/template:t: \"<\" in unquoted attr: \"d<e\""],
  ["rejects an unfinished escape in a CSS string", "<style>a{background:url(\"x\\", "html/template:t: unfinished escape sequence in CSS string: \"x\\\\\""],
  ["rejects an unfinished regexp charset", "<a onclick=\"x=/[/", "html/template:t: unfinished JS regexp charset: \"[/\""],
  ["rejects an unfinished escape in a JS string", "<a onclick=\"alert('Hello \\", "html/template:t: unfinished escape sequence in JS string: \"Hello \\\\\""],
  ["rejects a template ending inside RCDATA", "<textarea>{{.}}", "html/template:t: ends in a non-text context: {stateRCDATA delimNone urlPartNone jsCtxRegexp attrNone elementTextarea <nil>}"],
  ["rejects a template ending inside a tag", "<a b=1 c={{.H}}", "html/template:t: ends in a non-text context: {stateAttr delimSpaceOrTagEnd urlPartNone jsCtxRegexp attrNone elementNone <nil>}"],
  ["rejects a template ending inside a script", "<script>foo();", "html/template:t: ends in a non-text context: {stateJS delimNone urlPartNone jsCtxRegexp attrNone elementScript <nil>}"],
  ["rejects an action after an optional query", "<a href=\"/foo{{if .}}?{{end}}{{.}}\">", "html/template:t:1:31: {{.}} appears in an ambiguous context within a URL"],
  ["reports the line of branches on later lines", "<a onclick=\"x\n{{if .}}/*{{end}}\">\n{{.}}", "html/template:t:2:5: {{if}} branches end in different contexts: {stateJSBlockCmt delimDoubleQuote urlPartNone jsCtxDivOp attrScript elementNone <nil>}, {stateJS delimDoubleQuote urlPartNone jsCtxDivOp attrScript elementNone <nil>}"],
  ["rejects quotes in attribute names", "<a \"b\">", "html/template:t: \"\\\"\" in attribute name: \" \\\"b\\\">\""],
  ["rejects = in an unquoted attribute value", "<input type=button value=onclick=>", "html/template:t: \"=\" in unquoted attr: \"onclick=\""],
];

describe("escapeTrees errors", () => {
  it.each(errors)("%s", (_title, src, want) => {
    expect(escapeError(src)).toBe(want);
  });

  it("throws a TemplateEscapeError with the escape error code", () => {
    try {
      escaped("<a href='{{.}}");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateEscapeError);
      expect((e as TemplateEscapeError).code).toBe("LT_ERR_TEMPLATE_ESCAPE");
    }
  });

  it("reports a chain of template calls too deep for the stack as an escape error", () => {
    let src = "";
    for (let i = 0; i < 5000; i++) src += `{{define "t${i}"}}<b>{{template "t${i + 1}" .}}</b>{{end}}`;
    const trees = parse("x", src + `{{define "t5000"}}{{.}}{{end}}{{template "t0" .}}`, {});
    expect(() => escapeTrees(trees, "x")).toThrow(new TemplateEscapeError("html/template:x: max depth exceeded"));
  });

  it("reports a missing entry template", () => {
    const trees = parse("t", "x", {});
    expect(() => escapeTrees(trees, "nope")).toThrow('html/template:nope: no such template "nope"');
  });
});
