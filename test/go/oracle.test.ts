import { describe, expect, it } from "vitest";
import { HTML, URL } from "../../src/template/content.js";
import { parseGoVersion, runGo, skipWithoutGo } from "./oracle.js";

describe("reading go version", () => {
  it.each([
    ["go version go1.23.5 linux/amd64", [1, 23]],
    ["go version go1.19.8 linux/amd64", [1, 19]],
    ["go version go1.25rc1 darwin/arm64", [1, 25]],
    ["go version devel +abc123 linux/amd64", null],
  ] as const)("reads %j as %j", (out, want) => {
    expect(parseGoVersion(out)).toEqual(want);
  });
});

describe.skipIf(skipWithoutGo)("the Go oracle", () => {
  it("runs a batch of printf, text and html cases in order", () => {
    const results = runGo([
      { mode: "printf", format: "%d|%5.2f|%v", args: [3, 3.14159, [1, { b: 2, a: "x" }]] },
      { mode: "text", template: "{{.a}} {{index .b 1}}", data: { a: "<x>", b: [1, 2] } },
      { mode: "html", template: "<p title={{.}}>{{.}}</p>", data: "a&b" },
    ]);
    expect(results).toEqual([
      { out: "3| 3.14|[1 map[a:x b:2]]" },
      { out: "<x> 2" },
      { out: "<p title=a&amp;b>a&amp;b</p>" },
    ]);
  });

  it("turns integral JSON numbers into ints and others into float64", () => {
    const [r] = runGo([{ mode: "printf", format: "%T %T %T %T", args: [1, 1.5, 2 ** 62, 1e20] }]);
    expect(r).toEqual({ out: "int float64 int float64" });
  });

  it("carries NaN, infinities, bigint and trusted content to Go", () => {
    const results = runGo([
      { mode: "printf", format: "%v %v %v %T", args: [NaN, -Infinity, 123n, 123n] },
      { mode: "html", template: "{{.h}}<a href={{.u}}>", data: { h: new HTML("<b>ok</b>"), u: new URL("javascript:x()") } },
    ]);
    expect(results).toEqual([{ out: "NaN -Inf 123 int" }, { out: "<b>ok</b><a href=javascript:x%28%29>" }]);
  });

  it("reports a parse error without output and an exec error with the output so far", () => {
    const [parse, exec] = runGo([
      { mode: "text", name: "page", template: "{{if}}" },
      { mode: "text", template: "a{{.x.y}}b", data: { x: 1 } },
    ]);
    expect(parse).toEqual({ err: "template: page:1: missing value for if" });
    expect(exec?.out).toBe("a");
    expect(exec?.err).toMatch(/^template: t:1:5: executing "t" at <\.x\.y>: can't evaluate field y in type/);
  });

  it("offers the extra functions when asked", () => {
    const [ok, missing, failing] = runGo([
      { mode: "text", template: "{{upper .}} {{add 1 2}} {{list 1 .}}", data: "x", funcs: true },
      { mode: "text", template: "{{upper .}}", data: "x" },
      { mode: "text", template: "{{fail}}", funcs: true },
    ]);
    expect(ok).toEqual({ out: "X 3 [1 x]" });
    expect(missing?.err).toBe('template: t:1: function "upper" not defined');
    expect(failing?.err).toBe('template: t:1:2: executing "t" at <fail>: error calling fail: fail called');
  });
});
