import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HTML } from "./content.js";
import { TemplateParseError, TemplateUndefinedError } from "./errors.js";
import { TemplateSet } from "./exec.js";
import { HtmlTemplate, TextTemplate } from "./template.js";

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("no error");
}

describe("TextTemplate", () => {
  it("returns this from configuring methods", () => {
    const t = new TextTemplate("t");
    expect(t.parse("x")).toBe(t);
    expect(t.delims("<<", ">>")).toBe(t);
    expect(t.funcs({})).toBe(t);
    expect(t.option("missingkey=zero")).toBe(t);
  });

  it("reports its name", () => {
    expect(new TextTemplate("page").name()).toBe("page");
  });

  it("executes an associated template by name", () => {
    const t = new TextTemplate("root").parse(`{{define "a"}}A{{.}}{{end}}{{define "b"}}B{{end}}root`);
    expect(t.executeTemplate("a", 1)).toBe("A1");
    expect(t.executeTemplate("b", null)).toBe("B");
    expect(t.execute(null)).toBe("root");
  });

  it("fails to execute an unknown name with Go's message", () => {
    const t = new TextTemplate("root").parse("x");
    const err = errorOf(() => t.executeTemplate("nope", null));
    expect(err).toBeInstanceOf(TemplateUndefinedError);
    expect(err.message).toBe('template: no template "nope" associated with template "root"');
  });

  it("fails to execute by name a template created by new but never parsed, as Go", () => {
    const t = new TextTemplate("root").parse("x");
    t.new("empty");
    expect(() => t.executeTemplate("empty", null)).toThrow('template: no template "empty" associated with template "root"');
  });

  it("fails to execute a template that was never parsed", () => {
    const err = errorOf(() => new TextTemplate("x").execute(null));
    expect(err).toBeInstanceOf(TemplateUndefinedError);
    expect(err.message).toBe('template: x: "x" is an incomplete or empty template');
  });

  it("executes an empty parse as empty text", () => {
    expect(new TextTemplate("x").parse("").execute(null)).toBe("");
  });

  it("looks up defined templates and returns the same object each time", () => {
    const t = new TextTemplate("root").parse(`{{define "a"}}A{{end}}`);
    const a = t.lookup("a");
    expect(a).toBeInstanceOf(TextTemplate);
    expect(a?.name()).toBe("a");
    expect(t.lookup("a")).toBe(a);
    expect(a?.execute(null)).toBe("A");
    expect(t.lookup("nope")).toBeUndefined();
    expect(a?.lookup("root")).toBe(t);
  });

  it("lists its templates in name order", () => {
    const t = new TextTemplate("root").parse(`{{define "b"}}{{end}}{{define "a"}}x{{end}}r`);
    expect(t.templates().map((x) => x.name())).toEqual(["a", "b", "root"]);
    expect(t.definedTemplates()).toBe('; defined templates are: "a", "b", "root"');
    expect(new TextTemplate("e").definedTemplates()).toBe("");
  });

  it("adds associated templates with new, sharing functions", () => {
    const t = new TextTemplate("root").funcs({ up: (s: string) => s.toUpperCase() });
    const child = t.new("child").parse("{{up .}}");
    expect(child).toBeInstanceOf(TextTemplate);
    t.parse(`[{{template "child" "x"}}]`);
    expect(t.execute(null)).toBe("[X]");
    expect(child.execute("y")).toBe("Y");
  });

  it("lets a later definition replace an earlier one, but not an empty one", () => {
    const t = new TextTemplate("root").parse(`{{define "a"}}one{{end}}{{template "a"}}`);
    expect(t.execute(null)).toBe("one");
    t.parse(`{{define "a"}}two{{end}}{{template "a"}}`);
    expect(t.execute(null)).toBe("two");
    t.parse(`{{define "a"}}  {{/* nothing */}} {{end}}{{template "a"}}`);
    expect(t.execute(null)).toBe("two");
  });

  it("keeps the body when a later parse has only definitions", () => {
    const t = new TextTemplate("root").parse(`body {{template "a"}}`);
    t.parse(`{{define "a"}}A{{end}}`);
    expect(t.execute(null)).toBe("body A");
  });

  it("parses with custom delimiters, inherited by new templates", () => {
    const t = new TextTemplate("t").delims("<<", ">>").parse("<<.>> {{.}}");
    expect(t.execute(1)).toBe("1 {{.}}");
    expect(t.new("u").parse("<<.>>!").execute(2)).toBe("2!");
  });

  it("rejects functions unknown at parse time", () => {
    expect(() => new TextTemplate("t").parse("{{nope}}")).toThrow(TemplateParseError);
    expect(new TextTemplate("t").funcs({ nope: () => "ok" }).parse("{{nope}}").execute(null)).toBe("ok");
  });

  it.each([
    ["a bad function name", () => new TextTemplate("t").funcs({ "a-b": () => 1 }), 'function name "a-b" is not a valid identifier'],
    ["a non-function", () => new TextTemplate("t").funcs({ x: 1 as never }), "value for x not a function"],
    ["an unknown option", () => new TextTemplate("t").option("nope"), "unrecognized option: nope"],
    ["a bad depth", () => new TextTemplate("t", { maxDepth: 0 }), "maxDepth must be a positive integer"],
  ])("rejects %s", (_title, fn, message) => {
    const err = errorOf(fn);
    expect(err).toBeInstanceOf(TemplateParseError);
    expect(err.message).toContain(message);
  });

  it("clones into an independent set of the same class", () => {
    const t = new TextTemplate("root").parse(`{{define "a"}}A{{end}}[{{template "a"}}]`);
    const c = t.clone();
    expect(c).toBeInstanceOf(TextTemplate);
    expect(c).not.toBe(t);
    c.parse(`{{define "a"}}C{{end}}[{{template "a"}}]`);
    expect(c.execute(null)).toBe("[C]");
    expect(t.execute(null)).toBe("[A]");
    c.funcs({ extra: () => "e" });
    expect(() => t.new("x").parse("{{extra}}")).toThrow(TemplateParseError);
  });

  it("constructs subclass instances for new, lookup and clone", () => {
    class Live extends TextTemplate {
      readonly perInstance = new Map<string, number>();
    }
    const t = new Live("root").parse(`{{define "a"}}A{{end}}x`);
    expect(t.clone()).toBeInstanceOf(Live);
    expect(t.clone().perInstance).not.toBe(t.perInstance);
    expect(t.new("n")).toBeInstanceOf(Live);
    expect(t.lookup("a")).toBeInstanceOf(Live);
  });

  it("parses files named by their base names", () => {
    const dir = mkdtempSync(join(tmpdir(), "lt-tpl-"));
    writeFileSync(join(dir, "page.html"), `<h1>{{template "part.html" .}}</h1>`);
    writeFileSync(join(dir, "part.html"), `{{.}}!`);
    const t = new TextTemplate("page.html").parseFiles(join(dir, "page.html"), join(dir, "part.html"));
    expect(t.execute("hi")).toBe("<h1>hi!</h1>");
    expect(t.lookup("part.html")?.execute("x")).toBe("x!");
  });

  it("reports a missing file and an empty file list as parse errors", () => {
    expect(() => new TextTemplate("t").parseFiles("/nonexistent/x.tmpl")).toThrow(TemplateParseError);
    expect(errorOf(() => new TextTemplate("t").parseFiles()).message).toBe(
      "template: no files named in call to ParseFiles",
    );
  });

  it("does not escape output", () => {
    expect(new TextTemplate("t").parse("{{.}}").execute("<b>")).toBe("<b>");
  });

  it("prepares the set and tree that execution uses", () => {
    const t = new TextTemplate("t").parse("x{{.}}");
    const { set, tree } = t.prepare();
    expect(set).toBeInstanceOf(TemplateSet);
    expect(tree.name).toBe("t");
    expect(set.trees.get("t")).toBe(tree);
  });
});

describe("HtmlTemplate", () => {
  it("escapes actions by context", () => {
    const t = new HtmlTemplate("t").parse(`<a href="/q?s={{.}}" title="{{.}}">{{.}}</a>`);
    expect(t.execute(`a&b"<`)).toBe(`<a href="/q?s=a%26b%22%3c" title="a&amp;b&#34;&lt;">a&amp;b&#34;&lt;</a>`);
  });

  it("passes trusted HTML through", () => {
    expect(new HtmlTemplate("t").parse("<p>{{.}}</p>").execute(new HTML("<b>ok</b>"))).toBe("<p><b>ok</b></p>");
  });

  it("prints nothing for a missing value, as html/template does", () => {
    expect(new HtmlTemplate("t").parse("<p>{{.x}}</p>").execute({})).toBe("<p></p>");
  });

  it("refuses to parse after executing", () => {
    const t = new HtmlTemplate("t").parse("x");
    t.execute(null);
    const err = errorOf(() => t.parse("y"));
    expect(err).toBeInstanceOf(TemplateParseError);
    expect(err.message).toBe("html/template: cannot Parse after Execute");
  });

  it("refuses to clone after executing, and clones before", () => {
    const t = new HtmlTemplate("t").parse("<p>{{.}}</p>");
    const c = t.clone();
    expect(c).toBeInstanceOf(HtmlTemplate);
    expect(c.execute("<")).toBe("<p>&lt;</p>");
    expect(t.execute("<")).toBe("<p>&lt;</p>");
    expect(errorOf(() => t.clone()).message).toBe('html/template: cannot Clone "t" after it has executed');
  });

  it("escapes each entry point once and keeps giving the same output", () => {
    const t = new HtmlTemplate("t").parse(`{{define "row"}}<td>{{.}}</td>{{end}}<table>{{template "row" .}}</table>`);
    expect(t.execute("<")).toBe("<table><td>&lt;</td></table>");
    expect(t.executeTemplate("row", "&")).toBe("<td>&amp;</td>");
    expect(t.execute("<")).toBe("<table><td>&lt;</td></table>");
    expect(t.prepare().tree).toBe(t.prepare().tree);
  });

  it("reports an undefined name with html/template's message", () => {
    const t = new HtmlTemplate("t").parse("x");
    expect(errorOf(() => t.executeTemplate("nope", null)).message).toBe('html/template: "nope" is undefined');
    t.new("empty");
    expect(errorOf(() => t.executeTemplate("empty", null)).message).toBe('html/template: "empty" is an incomplete template');
  });

  it("returns the same escaping error on every execution", () => {
    const t = new HtmlTemplate("t").parse("<script>var x = {{.}}");
    const first = errorOf(() => t.execute(null));
    expect(first.name).toBe("TemplateEscapeError");
    expect(errorOf(() => t.execute(null))).toBe(first);
  });
});
