import { describe, expect, it } from "vitest";
import { runGo, skipWithoutGo } from "../../../test/go/oracle.js";
import { LiveTemplateError } from "../../errors.js";
import { HtmlTemplate } from "../template.js";

// The escaping holes Go's html/template closed after Go 1.19, one named case each. Expected
// outputs are Go 1.23's (the last block checks that Go still gives them).

interface Case {
  title: string;
  template: string;
  data: unknown;
  /** The output, or the escaping error when `error` is set. */
  want: string;
  error?: true;
}

const cases: Case[] = [
  // CVE-2023-29400: an empty unquoted value would make the next attribute the value.
  { title: "an empty unquoted attribute value becomes ZgotmplZ, so name=secret stays an attribute", template: "<input value={{.}} name=secret>", data: "", want: "<input value=ZgotmplZ name=secret>" },
  { title: "a nil unquoted attribute value becomes ZgotmplZ", template: "<input value={{.}} name=secret>", data: null, want: "<input value=ZgotmplZ name=secret>" },
  { title: "an empty action inside an unquoted value becomes ZgotmplZ", template: "<p title=x{{.}}y>", data: "", want: "<p title=xZgotmplZy>" },
  { title: "an empty unquoted URL becomes ZgotmplZ", template: "<a href={{.}}>", data: "", want: "<a href=ZgotmplZ>" },
  { title: "an empty unquoted srcset becomes ZgotmplZ", template: "<img srcset={{.}}>", data: "", want: "<img srcset=ZgotmplZ>" },
  { title: "an action in a JS comment of an unquoted handler becomes ZgotmplZ", template: "<a onclick=x//{{.}}>", data: "abc", want: "<a onclick=x//ZgotmplZ>" },
  { title: "a non-empty unquoted value is still escaped, not replaced", template: "<p class={{.}}>", data: "a b", want: "<p class=a&#32;b>" },
  // CVE-2023-24539: `<` and `>` in CSS values.
  { title: "a < in a style attribute value becomes ZgotmplZ", template: '<p style="color: {{.}}">', data: "<", want: '<p style="color: ZgotmplZ">' },
  { title: "a > in a style attribute value becomes ZgotmplZ", template: '<p style="color: {{.}}">', data: "a>b", want: '<p style="color: ZgotmplZ">' },
  { title: "a < in a style element value becomes ZgotmplZ", template: "<style>p { color: {{.}} }</style>", data: "red<", want: "<style>p { color: ZgotmplZ }</style>" },
  { title: "a plain CSS value passes", template: "<style>p { color: {{.}} }</style>", data: "red", want: "<style>p { color: red }</style>" },
  // CVE-2023-39318: HTML-like and hashbang comments in scripts.
  { title: "a <!-- in a script comments out the rest of its line", template: "<script>x = 1 <!-- {{.}}\ny = {{.}}</script>", data: "a", want: '<script>x = 1 \ny = "a"</script>' },
  { title: "a --> in a script comments out the rest of its line", template: "<script>--> {{.}}\ny = {{.}}</script>", data: "a", want: '<script>\ny = "a"</script>' },
  { title: "a #! line in a script is a comment", template: "<script>#! {{.}}\ny = {{.}}</script>", data: "a", want: '<script>\ny = "a"</script>' },
  // CVE-2023-39319: `<script`, `</script` and `<!--` inside JS literals.
  { title: "a </script in a JS string becomes \\x3C/script", template: '<script>x = "</script>{{.}}";</script>', data: "a", want: '<script>x = "\\x3C/script>a";</script>' },
  { title: "a <!-- in a JS string becomes \\x3C!--", template: "<script>x = '<!--{{.}}';</script>", data: "a", want: "<script>x = '\\x3C!--a';</script>" },
  { title: "a <script in a JS regexp becomes \\x3Cscript", template: "<script>x = /<script>/.test({{.}});</script>", data: "a", want: '<script>x = /\\x3Cscript>/.test("a");</script>' },
  { title: "script tags in JS strings are found in any case", template: '<script>x = "</SCRIPT><sCrIpT>";</script>', data: "a", want: '<script>x = "\\x3C/SCRIPT>\\x3CsCrIpT>";</script>' },
  { title: "a template ending after a JS string holding </script> is refused", template: "<script>x = '</script>'{{.}}", data: "a", error: true, want: "html/template:t: ends in a non-text context: {stateJS delimNone urlPartNone jsCtxDivOp attrNone elementScript <nil>}" },
  // CVE-2023-24538 and Go 1.21: actions in JS template literals are escaped.
  { title: "an action in a JS template literal escapes $, {, } and the backquote", template: "<script>x = `{{.}}`;</script>", data: "${alert(1)}`", want: "<script>x = `\\u0024\\u007balert(1)\\u007d\\u0060`;</script>" },
  { title: "an action in a ${} substitution is a JS value", template: "<script>x = `a${ {{.}} }b`;</script>", data: "${alert(1)}`", want: '<script>x = `a${ "${alert(1)}`" }b`;</script>' },
  { title: "template literals nest inside substitutions", template: "<script>x = `${ `${ {{.}} }` }`;</script>", data: "a", want: '<script>x = `${ `${ "a" }` }`;</script>' },
  { title: "braces inside a substitution do not end it", template: "<script>x = `${ {a: {{.}}} }`;</script>", data: "a", want: '<script>x = `${ {a: "a"} }`;</script>' },
  { title: "the literal resumes after the substitution's closing brace", template: "<script>x = `${ {a: 1} }{{.}}`;</script>", data: "}", want: "<script>x = `${ {a: 1} }\\u007d`;</script>" },
  { title: "a template literal in an event handler is escaped for the attribute too", template: '<a onclick="x = `{{.}}`">', data: "'\"<>", want: '<a onclick="x = `\\u0027\\u0022\\u003c\\u003e`">' },
  { title: "the branches of an if share the brace depths of a substitution, as in Go", template: "<script>`${ {{if .}}{{else}}{ {{end}} }`</script>", data: "a", error: true, want: "html/template:t: ends in a non-text context: {stateJSTmplLit delimNone urlPartNone jsCtxRegexp attrNone elementScript <nil>}" },
  { title: "a range body's braces count once per escaping pass, as in Go", template: "<script>`${ {{range .}}{ {{end}} } }`</script>", data: "a", error: true, want: "html/template:t: ends in a non-text context: {stateJSTmplLit delimNone urlPartNone jsCtxRegexp attrNone elementScript <nil>}" },
  // JS white space and the regexp-or-division guess.
  { title: "a no-break space before a slash is JS white space", template: "<script>x =\u00a0/{{.}}/</script>", data: "a.b", want: "<script>x =\u00a0/a\\.b/</script>" },
  { title: "an ideographic space before a slash is JS white space", template: "<script>x =\u3000/{{.}}/</script>", data: "a.b", want: "<script>x =\u3000/a\\.b/</script>" },
  { title: "a slash after a minus sign is read as a division, as Go reads it", template: "<script>x = 1 - /{{.}}/</script>", data: "a.b", want: '<script>x = 1 - /"a.b"/</script>' },
  { title: "a form feed in a JS value is written \\f", template: "<script>x = {{.}}</script>", data: "\f\b", want: '<script>x = "\\f\\b"</script>' },
];

function render(c: Case): string {
  try {
    return new HtmlTemplate("t").parse(c.template).execute(c.data);
  } catch (e) {
    if (e instanceof LiveTemplateError) return `error: ${e.message}`;
    throw e;
  }
}

function expected(c: Case): string {
  return c.error === true ? `error: ${c.want}` : c.want;
}

describe("escaping fixed since Go 1.19", () => {
  it.each(cases.map((c) => [c.title, c] as const))("%s", (_title, c) => {
    expect(render(c)).toBe(expected(c));
  });
});

describe.skipIf(skipWithoutGo)("escaping fixed since Go 1.19, as Go renders it", () => {
  it("gives every expected output above", () => {
    const results = runGo(cases.map((c) => ({ mode: "html" as const, template: c.template, data: c.data })));
    const got = results.map((r) => (r.err !== undefined ? `error: ${r.err}` : (r.out ?? "")));
    expect(got).toEqual(cases.map(expected));
  });
});
