import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { injectScriptTag } from "./client-script.js";
import { wantsJSON } from "./http-io.js";
import { parseMessage } from "./messages.js";

describe("parseMessage", () => {
  it.each([
    ['{"action":"save","data":{"a":1},"submitter":"go"}', { action: "save", data: { a: 1 }, submitter: "go" }],
    ['{"action":"save"}', { action: "save", data: {}, submitter: undefined }],
    ['{"action":"save","data":null}', { action: "save", data: {}, submitter: undefined }],
    ["nope", "message is not valid JSON"],
    ["[]", "message must be a JSON object"],
    ['{"action":""}', 'message lacks a string "action"'],
    ['{"action":3}', 'message lacks a string "action"'],
    ['{"action":"a","data":[1]}', '"data" must be an object'],
  ])("parses %s", (text, want) => {
    expect(parseMessage(text)).toEqual(want);
  });
});

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
