import { describe, expect, it } from "vitest";
import { CSS, HTML, HTMLAttr, JS, JSStr, Srcset, URL } from "../content.js";
import { escaperFuncs } from "./index.js";

// Expected outputs are Go 1.23's html/template escapers applied to the same input
// (cross-checked with contexts.go-diff.test.ts, which runs Go itself).

class Named {
  id = 1;
  constructor(readonly name: string) {}
  toString(): string {
    return this.name;
  }
}

function esc(name: string, ...args: unknown[]): unknown {
  const f = escaperFuncs[`_html_template_${name}`];
  if (f === undefined) throw new Error(`no escaper ${name}`);
  return f(...args);
}

const cases: Array<[string, string, unknown[], string]> = [
  ["escapes markup in HTML text", "htmlescaper", [`<a href="x">'&'</a>`], "&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;"],
  ["escapes + and replaces NUL in HTML text", "htmlescaper", ["a+b\u0000"], "a&#43;b\uFFFD"],
  ["passes trusted HTML through in text", "htmlescaper", [new HTML("<b>x</b>")], "<b>x</b>"],
  ["prints non-strings like fmt.Sprint", "htmlescaper", [3, "x", 4, 5], "3x4 5"],
  ["prints nothing for a nil value", "htmlescaper", [null], ""],
  ["drops nil among several arguments", "htmlescaper", [null, 1, null, 2], "1 2"],
  ["strips tags from trusted HTML in attributes", "attrescaper", [new HTML(`<b title="t">a &amp; b</b>`)], "a &amp; b"],
  ["escapes quotes in attributes", "attrescaper", [`"'`], "&#34;&#39;"],
  ["escapes spaces and = in unquoted attributes", "nospaceescaper", ["a b=c`d\te"], "a&#32;b&#61;c&#96;d&#9;e"],
  ["encodes non-characters in unquoted attributes", "nospaceescaper", ["\ufdd0\uffff\u0000"], "&#xfdd0;&#xffff;&#xfffd;"],
  ["replaces an empty unquoted attribute value with ZgotmplZ", "nospaceescaper", [""], "ZgotmplZ"],
  ["replaces empty trusted HTML in an unquoted attribute with ZgotmplZ", "nospaceescaper", [new HTML("")], "ZgotmplZ"],
  ["escapes $, { and } besides the JS string specials in template literals", "jstmpllitescaper", ["${a}`'\"<\\"], "\\u0024\\u007ba\\u007d\\u0060\\u0027\\u0022\\u003c\\\\"],
  ["escapes the backslashes of trusted JS strings in template literals", "jstmpllitescaper", [new JSStr("a\\u0022")], "a\\\\u0022"],
  ["rejects < and > in CSS values", "cssvaluefilter", ["a<b"], "ZgotmplZ"],
  ["writes form feeds and backspaces in JS values as \\f and \\b", "jsvalescaper", ["\f\b"], '"\\f\\b"'],
  ["keeps entities of trusted HTML in RCDATA", "rcdataescaper", [new HTML("<b>&amp;</b>")], "&lt;b&gt;&amp;&lt;/b&gt;"],
  ["lets safe attribute names through in lower case", "htmlnamefilter", ["Title"], "title"],
  ["rejects event handler names", "htmlnamefilter", ["onClick"], "ZgotmplZ"],
  ["rejects URL attribute names", "htmlnamefilter", ["href"], "ZgotmplZ"],
  ["rejects names with odd characters", "htmlnamefilter", ["a-b"], "ZgotmplZ"],
  ["rejects empty names", "htmlnamefilter", [""], "ZgotmplZ"],
  ["passes trusted attributes", "htmlnamefilter", [new HTMLAttr(`dir="ltr"`)], `dir="ltr"`],
  ["drops what lands in a comment", "commentescaper", ["-->"], ""],
  ["filters javascript URLs", "urlfilter", ["javascript:alert(1)"], "#ZgotmplZ"],
  ["filters schemes case-insensitively", "urlfilter", [" JAVASCRIPT:x"], "#ZgotmplZ"],
  ["keeps http, https and mailto URLs", "urlfilter", ["HTTPS://x"], "HTTPS://x"],
  ["keeps relative URLs with colons after a slash", "urlfilter", ["/a:b"], "/a:b"],
  ["passes trusted URLs through the filter", "urlfilter", [new URL("javascript:x")], "javascript:x"],
  ["normalizes URLs keeping reserved characters", "urlnormalizer", ["/a b?c=d&e=%41%zz"], "/a%20b?c=d&e=%41%25zz"],
  ["encodes non-ASCII as UTF-8 bytes", "urlnormalizer", ["é😀"], "%c3%a9%f0%9f%98%80"],
  ["escapes reserved characters in query values", "urlescaper", ["a b&c=d/e?f#%41"], "a%20b%26c%3dd%2fe%3ff%23%2541"],
  ["normalizes trusted URLs in query values", "urlescaper", [new URL("a b&c")], "a%20b&c"],
  ["filters each srcset candidate", "srcsetescaper", ["a.png 1x, javascript:x 2x"], "a.png 1x,#ZgotmplZ"],
  ["rejects srcset metadata that is not alphanumeric", "srcsetescaper", ["a.png (1x)"], "#ZgotmplZ"],
  ["encodes commas of trusted URLs in srcset", "srcsetescaper", [new URL("/a,b c")], "/a%2cb%20c"],
  ["passes trusted srcsets", "srcsetescaper", [new Srcset("x 1x")], "x 1x"],
  ["quotes strings as JS values", "jsvalescaper", [`a"</script>&'`], `"a\\"\\u003c/script\\u003e\\u0026'"`],
  ["pads numbers so they do not merge with identifiers", "jsvalescaper", [42], " 42 "],
  ["prints floats as JSON does", "jsvalescaper", [1.5e-7], " 1.5e-7 "],
  ["prints nil as null", "jsvalescaper", [null], " null "],
  ["prints booleans", "jsvalescaper", [false], " false "],
  ["prints objects as JSON with sorted keys", "jsvalescaper", [{ b: [1, null], a: "<" }], `{"a":"\\u003c","b":[1,null]}`],
  ["explains unsupported values in a comment", "jsvalescaper", [NaN], " /* json: unsupported value: NaN */null "],
  ["escapes line terminators in JS values", "jsvalescaper", ["\u2028"], `"\\u2028"`],
  ["prints dates as Go's time.Time JSON", "jsvalescaper", [new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 120))], `"2024-01-02T03:04:05.12Z"`],
  ["prints byte arrays in base64 as Go's []byte", "jsvalescaper", [new Uint8Array([1, 2, 255])], `"AQL/"`],
  ["prints Sets as arrays and Maps with sorted keys", "jsvalescaper", [[new Set([1]), new Map([["b", 1], ["a", 2]])]], `[[1],{"a":2,"b":1}]`],
  ["quotes the text of a class with its own toString (a Go Stringer)", "jsvalescaper", [new Named("<x>")], `"\\u003cx\\u003e"`],
  ["prints class instances as structs in field order", "jsvalescaper", [[new Named("n")]], `[{"name":"n","id":1}]`],
  ["explains functions in a comment", "jsvalescaper", [() => 1], " /* json: unsupported type: func() */null "],
  ["passes trusted JS", "jsvalescaper", [new JS("f(x)")], "f(x)"],
  ["quotes trusted JS strings", "jsvalescaper", [new JSStr("a\\nb")], `"a\\nb"`],
  ["prints several arguments as one string", "jsvalescaper", [1, 2], `"1 2"`],
  ["escapes JS string contents", "jsstrescaper", [`a'b"c\\d/e<f>&+\`\n\t\u0001`], `a\\u0027b\\u0022c\\\\d\\/e\\u003cf\\u003e\\u0026\\u002b\\u0060\\n\\t\\u0001`],
  ["keeps backslashes of trusted JS strings", "jsstrescaper", [new JSStr("a\\u0022'")], "a\\u0022\\u0027"],
  ["escapes regexp metacharacters", "jsregexpescaper", ["a.b*c(d)[e]{f}|^$?-/\\"], "a\\.b\\*c\\(d\\)\\[e\\]\\{f\\}\\|\\^\\$\\?\\-\\/\\\\"],
  ["makes an empty regexp a harmless group", "jsregexpescaper", [""], "(?:)"],
  ["escapes CSS string contents", "cssescaper", [`a"b'c\\d<e>f:g;h(i)`], "a\\22 b\\27 c\\\\d\\3c e\\3e f\\3ag\\3bh\\28i\\29 "],
  ["separates a CSS escape from a following hex digit", "cssescaper", ["<a"], "\\3c a"],
  ["lets plain CSS values through", "cssvaluefilter", ["10px solid #fff"], "10px solid #fff"],
  ["rejects CSS values with brackets or quotes", "cssvaluefilter", ["red; x"], "ZgotmplZ"],
  ["rejects CSS expressions, even escaped", "cssvaluefilter", ["\\65xpression"], "ZgotmplZ"],
  ["rejects CSS values with --", "cssvaluefilter", ["a--b"], "ZgotmplZ"],
  ["passes trusted CSS", "cssvaluefilter", [new CSS("a{b}")], "a{b}"],
  ["prints a lone large float as fmt does before escaping it", "htmlescaper", [1e21], "1e&#43;21"],
  ["prints negative zero as 0", "htmlescaper", [-0], "0"],
  ["prints a lone boolean in an attribute", "attrescaper", [true], "true"],
  ["prints nothing for an undefined value", "htmlescaper", [undefined], ""],
  ["keeps surrogate pairs but encodes non-characters after them in unquoted attributes", "nospaceescaper", ["😀 \ufdd0x"], "😀&#32;&#xfdd0;x"],
  ["replaces a lone surrogate before a special character in unquoted attributes", "nospaceescaper", ["a\ud800b<"], "a&#xfffd;b&lt;"],
  ["prints a lone integer in a URL", "urlnormalizer", [12], "12"],
  ["escapes line separators and control characters in JS strings", "jsstrescaper", ["a\u2028</\u0001"], "a\\u2028\\u003c\\/\\u0001"],
  ["prints a lone integer in CSS", "cssescaper", [7], "7"],
  // A lone string or safe integer takes a shorter path through the HTML escapers: same output.
  ["prints a lone negative integer in HTML text", "htmlescaper", [-42], "-42"],
  ["prints minus zero as 0", "attrescaper", [-0], "0"],
  ["escapes the + of a large number's exponent", "htmlescaper", [1e21], "1e&#43;21"],
  ["escapes the + of a small float's exponent in an attribute", "attrescaper", [1.5e-7], "1.5e-07"],
  ["prints a float in RCDATA", "rcdataescaper", [2.5], "2.5"],
  ["prints a lone integer in an unquoted attribute", "nospaceescaper", [0], "0"],
  ["turns an empty unquoted attribute value into ZgotmplZ", "nospaceescaper", [""], "ZgotmplZ"],
  ["turns a nil unquoted attribute value into ZgotmplZ", "nospaceescaper", [null], "ZgotmplZ"],
  ["escapes spaces of a lone string in an unquoted attribute", "nospaceescaper", ["a b=c"], "a&#32;b&#61;c"],
  ["prints two strings with no space between", "attrescaper", ["<a", "b>"], "&lt;ab&gt;"],
  ["prints two integers with a space between", "rcdataescaper", [1, 2], "1 2"],
  ["passes trusted HTML through in RCDATA with its entities", "rcdataescaper", [new HTML("a &amp; <b>")], "a &amp; &lt;b&gt;"],
  ["prints an empty string as nothing in HTML text", "htmlescaper", [""], ""],
];

describe("escaper functions", () => {
  it.each(cases)("%s", (_title, name, args, want) => {
    expect(esc(name, ...args)).toBe(want);
  });

  it("prints html's arguments like fmt.Sprint for {{html a b}}", () => {
    expect(escaperFuncs["_eval_args_"]?.(1, 2, "x")).toBe("1 2x");
  });
});
