import { describe, expect, it } from "vitest";
import { parseHtml, textOf } from "./html-dom.js";
import { select } from "./selector.js";
import { keyMatches } from "./page-events.js";

const doc = parseHtml(
  `<div id="app" class="a b"><p>one<p class="x">two &amp; <b>three</b></p>` +
    `<ul><li data-key="1">a<li data-key="2" class="done">b</ul>` +
    `<input name=q value='x "y"' disabled><br><button lvt-on:click="go">Go</button>` +
    `<select><option value="1">1</option><option value="2" selected>2</option></select>` +
    `<!-- <em>not here</em> --><script>if (a < b) {}</script><textarea name="t">&lt;hi&gt;</textarea></div>`,
);
const texts = (sel: string): string[] => select(doc, sel).map((e) => textOf(e));

describe("the test API's HTML parser and selectors", () => {
  it.each([
    ["p", ["one", "two & three"]],
    ["#app > p.x b", ["three"]],
    ["li", ["a", "b"]],
    ["li.done", ["b"]],
    ["li[data-key='1']", ["a"]],
    ["li[data-key^=\"2\"]", ["b"]],
    ["div.a.b > ul > li:first-child", ["a"]],
    ["li:last-child", ["b"]],
    ["li:not(.done)", ["a"]],
    ["p + p", ["two & three"]],
    ["p ~ ul li", ["a", "b"]],
    ["[lvt-on\\:click]", ["Go"]],
    ["button[lvt-on\\:click=go], li.done", ["b", "Go"]],
    ["option:checked", ["2"]],
    ["input:disabled", [""]],
    ["em", []],
    ["script", ["if (a < b) {}"]],
    ["textarea", ["<hi>"]],
  ])("selects %s", (sel, want) => {
    expect(texts(sel)).toEqual(want);
  });

  it("decodes attribute values and keeps unquoted ones", () => {
    const input = select(doc, "input")[0]!;
    expect(input.attrs.get("value")).toBe('x "y"');
    expect(input.attrs.get("name")).toBe("q");
  });

  it.each(["p:hover", "p >", "[x", "p!"])("rejects the unsupported selector %s instead of matching nothing", (sel) => {
    expect(() => select(doc, sel)).toThrow(SyntaxError);
  });

  it.each([
    ["Enter", "Enter", true],
    ["Enter", "a", false],
    ["Mod+Enter", "Ctrl+Enter", true],
    ["Mod+Enter", "Meta+Enter", true],
    ["Mod+Enter", "Enter", false],
    ["Shift+ArrowDown", "Shift+ArrowDown", true],
    ["+", "+", true],
  ] as const)("matches lvt-key %s against the key %s: %s", (filter, key, want) => {
    expect(keyMatches(filter, key)).toBe(want);
  });
});
