import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { injectScriptTag } from "./client-script.js";
import { wantsJSON } from "./http-io.js";

describe("wantsJSON", () => {
  const req = (accept?: string) => ({ headers: accept === undefined ? {} : { accept } }) as IncomingMessage;
  it.each([
    [undefined, false],
    ["application/json", true],
    ["*/*, application/json", true],
    ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false],
    ["application/json;q=0.9, text/html", true],
  ])("decides for Accept %s", (accept, want) => {
    expect(wantsJSON(req(accept))).toBe(want);
  });
});

describe("injectScriptTag", () => {
  it.each([
    ["<html><body><p>x</p></body></html>", '<html><body><p>x</p><script src="/p?lvt-client=1" defer></script></body></html>'],
    ["<p>fragment</p>", '<p>fragment</p><script src="/p?lvt-client=1" defer></script>'],
    ["<body><!-- </body> --></BODY>", '<body><!-- </body> --><script src="/p?lvt-client=1" defer></script></BODY>'],
  ])("inserts the tag into %s", (html, want) => {
    expect(injectScriptTag(html, "/p?lvt-client=1")).toBe(want);
  });

  it("escapes the URL for the attribute", () => {
    expect(injectScriptTag("", '/a?x=1&y="2"')).toBe('<script src="/a?x=1&amp;y=&quot;2&quot;" defer></script>');
  });
});
