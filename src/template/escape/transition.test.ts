import { describe, expect, it } from "vitest";
import { ctx, ctxString, mangle, type Context } from "./context.js";
import { goQuote } from "./go-quote.js";
import { unescapeHtml } from "./html-unescape.js";
import { nextJSCtx } from "./js.js";
import { contextAfterText } from "./transition.js";

/** Runs the context machine over the whole text from the HTML text context. */
function after(text: string): Context {
  let c = ctx();
  let i = 0;
  while (i < text.length) {
    const [c1, n] = contextAfterText(c, text.slice(i));
    c = c1;
    i += n;
  }
  return c;
}

/** The context, printed without its default parts (as in derived template names). */
function short(c: Context): string {
  return mangle(c, "").replace(/^\$htmltemplate_/, "") || "stateText";
}

const cases: Array<[string, string]> = [
  ["", "stateText"],
  ["I <3 Ponies!", "stateText"],
  ["<a", "stateTag"],
  ["<a>", "stateText"],
  ["<a href", "stateAttrName_attrURL"],
  ["<a on", "stateAttrName_attrScript"],
  ["<a href ", "stateAfterName_attrURL"],
  ["<a style  =  ", "stateBeforeValue_attrStyle"],
  ["<a href=x", "stateURL_delimSpaceOrTagEnd_urlPartPreQuery_attrURL"],
  ["<a href=x ", "stateTag"],
  ["<a href=\"", "stateURL_delimDoubleQuote_attrURL"],
  ["<a href='x?", "stateURL_delimSingleQuote_urlPartQueryOrFrag_attrURL"],
  ["<a href=\"  ", "stateURL_delimDoubleQuote_attrURL"],
  ["<a href=\"x\"", "stateTag"],
  ["<a title=\"", "stateAttr_delimDoubleQuote"],
  ["<img srcset=\"", "stateSrcset_delimDoubleQuote_attrSrcset"],
  ["<a onclick=\"", "stateJS_delimDoubleQuote_attrScript"],
  ["<a onclick=\"x", "stateJS_delimDoubleQuote_jsCtxDivOp_attrScript"],
  ["<a onclick=\"x=", "stateJS_delimDoubleQuote_attrScript"],
  ["<a onclick=\"'", "stateJSSqStr_delimDoubleQuote_attrScript"],
  ["<a onclick=\"&quot;", "stateJSDqStr_delimDoubleQuote_attrScript"],
  ["<a onclick=\"`", "stateJSTmplLit_delimDoubleQuote_attrScript"],
  ["<a onclick=\"`${", "stateJS_delimDoubleQuote_attrScript"],
  ["<a onclick=\"`${ {", "stateJS_delimDoubleQuote_attrScript"],
  ["<a onclick=\"`${ { } }", "stateJSTmplLit_delimDoubleQuote_attrScript"],
  ["<a onclick=\"`${ `", "stateJSTmplLit_delimDoubleQuote_attrScript"],
  ["<a onclick=\"`${ `${ } `", "stateJS_delimDoubleQuote_attrScript"],
  ["<a onclick=\"`${ } `", "stateJS_delimDoubleQuote_attrScript"],
  ["<script>x <!-- y", "stateJSHTMLOpenCmt_jsCtxDivOp_elementScript"],
  ["<script>--> y", "stateJSHTMLCloseCmt_elementScript"],
  ["<script>--> y\n", "stateJS_elementScript"],
  ["<script>#! /bin/node", "stateJSLineCmt_elementScript"],
  ["<script>x = 1 - ", "stateJS_jsCtxDivOp_elementScript"],
  ["<script>x =\u00a0", "stateJS_elementScript"],
  ["<script>/</SCRIPT>/", "stateJS_jsCtxDivOp_elementScript"],
  ["<script>\"</script>\"</script>", "stateText"],
  ["<script>// </script>", "stateJSLineCmt_elementScript"],
  ["<a onclick=\"/", "stateJSRegexp_delimDoubleQuote_attrScript"],
  ["<a onclick=\"/[/]", "stateJSRegexp_delimDoubleQuote_attrScript"],
  ["<a onclick=\"/x/", "stateJS_delimDoubleQuote_jsCtxDivOp_attrScript"],
  ["<a onclick=\"x/", "stateJS_delimDoubleQuote_attrScript"],
  ["<a onclick=\"/*", "stateJSBlockCmt_delimDoubleQuote_attrScript"],
  ["<a onclick=\"//", "stateJSLineCmt_delimDoubleQuote_attrScript"],
  ["<a onclick=\"//\n", "stateJS_delimDoubleQuote_attrScript"],
  ["<script>", "stateJS_elementScript"],
  ["<script>x", "stateJS_jsCtxDivOp_elementScript"],
  ["<script>return", "stateJS_elementScript"],
  ["<script>x</script>", "stateText"],
  ["<script>'</script>", "stateJSSqStr_elementScript"],
  ["<script>'</script>'</script>", "stateText"],
  ["<SCRIPT>x</Script >", "stateText"],
  ["<script type=\"text/template\">", "stateText"],
  ["<script type=\"module\">", "stateJS_elementScript"],
  ["<style>", "stateCSS_elementStyle"],
  ["<style>p{color:\"", "stateCSSDqStr_elementStyle"],
  ["<style>p{background:url(", "stateCSSURL_elementStyle"],
  ["<style>p{background:url( '", "stateCSSSqURL_elementStyle"],
  ["<style>p{background:url(\"/x?", "stateCSSDqURL_urlPartQueryOrFrag_elementStyle"],
  ["<style>/*", "stateCSSBlockCmt_elementStyle"],
  ["<style>//", "stateCSSLineCmt_elementStyle"],
  ["<p style=\"", "stateCSS_delimDoubleQuote_attrStyle"],
  ["<textarea>", "stateRCDATA_elementTextarea"],
  ["<textarea><b>", "stateRCDATA_elementTextarea"],
  ["<title>x</title>", "stateText"],
  ["<!--", "stateHTMLCmt"],
  ["<!-- <a href=\"", "stateHTMLCmt"],
  ["<!-- x -->", "stateText"],
  ["<a data-src=\"", "stateURL_delimDoubleQuote_attrURL"],
  ["<a xmlns:x=\"", "stateURL_delimDoubleQuote_attrURL"],
  ["<a x:onclick=\"", "stateJS_delimDoubleQuote_attrScript"],
];

describe("context transitions", () => {
  it.each(cases)("text %j ends in %s", (text, want) => {
    expect(short(after(text))).toBe(want);
  });

  it.each([
    ['<a "b">', `"\\"" in attribute name: " \\"b\\">"`],
    ["<a =b>", `expected space, attr name, or end of tag, but got "=b>"`],
    ["<a b=c'd>", `"'" in unquoted attr: "c'd"`],
    ['<a onclick="x=/[', `unfinished JS regexp charset: "["`],
  ])("rejects %j", (text, want) => {
    const c = after(text);
    expect(c.state).toBe("stateError");
    expect(c.err?.description).toBe(want);
  });

  it("prints contexts as Go does", () => {
    expect(ctxString(after("<a href='x"))).toBe(
      "{stateURL delimSingleQuote urlPartPreQuery jsCtxRegexp attrURL elementNone <nil>}",
    );
  });
});

describe("JS regexp or division", () => {
  it.each([
    ["x", "jsCtxDivOp"],
    ["x = ", "jsCtxRegexp"],
    ["x++", "jsCtxDivOp"],
    ["x+", "jsCtxRegexp"],
    ["x--", "jsCtxDivOp"],
    ["x---", "jsCtxRegexp"],
    ["1.", "jsCtxDivOp"],
    ["x.", "jsCtxRegexp"],
    ["return", "jsCtxRegexp"],
    ["typeof", "jsCtxRegexp"],
    ["returned", "jsCtxDivOp"],
    [")", "jsCtxDivOp"],
    ["]", "jsCtxDivOp"],
    ["}", "jsCtxRegexp"],
    ["x \u2028 ", "jsCtxDivOp"],
    ["é", "jsCtxDivOp"],
  ] as const)("after %j a slash is %s", (text, want) => {
    expect(nextJSCtx(text, "jsCtxUnknown")).toBe(want);
  });

  it("keeps the preceding context after blank text", () => {
    expect(nextJSCtx(" \t\n", "jsCtxUnknown")).toBe("jsCtxUnknown");
  });
});

describe("character references in attribute values", () => {
  it.each([
    ["&quot;&#39;&#x27;&lt;", `"''<`],
    ["&amp &lt3", "& <3"],
    ["&zzz; &", "&zzz; &"],
    // Legacy names match without their semicolon, as a prefix: "&not" is a reference.
    ["&notin &notanentity;", "\u00a4in \u00a4anentity;"],
    ["&#128;&#0;&#x110000;", "\u20ac\ufffd\ufffd"],
    ["&lpar;&rpar;&sol;", "()/"],
    // Go reads "&#x;" as a reference to code point 0 (U+FFFD) but "&#;" as text.
    ["&#;&#x;", "&#;\ufffd"],
  ])("decodes %j", (text, want) => {
    expect(unescapeHtml(text)).toBe(want);
  });

  it("decodes references to other characters as one non-ASCII character", () => {
    expect(unescapeHtml("a&eacute;b")).toMatch(/^a[^\x00-\x7f]b$/);
  });
});

describe("Go quoting in messages", () => {
  it.each([
    ["plain", `"plain"`],
    ['q"b\\', `"q\\"b\\\\"`],
    ["\n\t\u0001\u007f", `"\\n\\t\\x01\\x7f"`],
    ["é😀\u200b", `"é😀\\u200b"`],
  ])("quotes %j", (s, want) => {
    expect(goQuote(s)).toBe(want);
  });

  it("truncates to a number of characters", () => {
    expect(goQuote("😀abc", 2)).toBe(`"😀a"`);
  });
});
