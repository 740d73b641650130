import { describe, expect, it } from "vitest";
import { keyMatches } from "./events.js";
import { parseValue } from "./payload.js";

describe("parseValue", () => {
  it.each([
    ["3", 3],
    ["-1.5", -1.5],
    [" 42 ", 42],
    ["007", "007"],
    ["1e3", "1e3"],
    ["12345678901234567890", "12345678901234567890"],
    ["true", true],
    ["false", false],
    ["True", "True"],
    ["", ""],
    ["3 apples", "3 apples"],
  ])("types %j as %j", (input, want) => {
    expect(parseValue(input)).toEqual(want);
  });
});

describe("keyMatches", () => {
  const ev = (key: string, mods: Partial<Record<"ctrlKey" | "metaKey" | "altKey" | "shiftKey", boolean>> = {}) =>
    ({ key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods }) as KeyboardEvent;
  it.each([
    { filter: "Enter", event: ev("Enter"), want: true },
    { filter: "Enter", event: ev("Enter", { ctrlKey: true }), want: false },
    { filter: "?", event: ev("?", { shiftKey: true }), want: true },
    { filter: "Escape", event: ev("Enter"), want: false },
    { filter: "Mod+Enter", event: ev("Enter", { ctrlKey: true }), want: true },
    { filter: "Mod+Enter", event: ev("Enter", { metaKey: true }), want: true },
    { filter: "Mod+Enter", event: ev("Enter"), want: false },
    { filter: "Shift+ArrowDown", event: ev("ArrowDown", { shiftKey: true }), want: true },
    { filter: "Hyper+k", event: ev("k"), want: false },
    { filter: "+", event: ev("+"), want: true },
  ])("matches $filter against a key event: $want", ({ filter, event, want }) => {
    expect(keyMatches(event, filter)).toBe(want);
  });
});
