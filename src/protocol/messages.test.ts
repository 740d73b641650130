import { describe, expect, it } from "vitest";
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
