import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeText, isWireInteger, slotObject } from "./wire-values.js";

// The rule as first written: a regular expression, and not "-0".
const byRegExp = (s: string): boolean => /^-?(?:0|[1-9]\d{0,14})$/.test(s) && s !== "-0";

describe("isWireInteger", () => {
  it.each([
    ["0", true],
    ["7", true],
    ["-12", true],
    ["123456789012345", true],
    ["-123456789012345", true],
    ["1234567890123456", false],
    ["-0", false],
    ["00", false],
    ["012", false],
    ["-", false],
    ["", false],
    ["1.5", false],
    ["1e3", false],
    ["+1", false],
    [" 1", false],
    ["1\n", false],
    ["١٢", false],
  ])("reads %j as an integer: %s", (s, want) => {
    expect(isWireInteger(s)).toBe(want);
    expect(byRegExp(s)).toBe(want);
  });

  it("agrees with the regular expression on random digit strings", () => {
    const text = fc.stringMatching(/^-?[0-9]{0,17}[.e\n ]?$/);
    fc.assert(fc.property(fc.oneof(text, fc.string()), (s) => isWireInteger(s) === byRegExp(s)), { numRuns: 20_000 });
  });

  it("sends integers as numbers and other text as it is", () => {
    expect([encodeText("42"), encodeText("-0"), encodeText("x"), encodeText("{{y}}")]).toEqual([42, "-0", "x", { s: ["{{y}}"] }]);
  });
});

describe("slotObject", () => {
  it("makes a fresh object with the keys 0 .. n-1 each time", () => {
    const a = slotObject(3);
    a[0] = "x";
    expect(Object.keys(slotObject(3))).toEqual(["0", "1", "2"]);
    expect(slotObject(3)[0]).toBeNull();
    expect(Object.keys(slotObject(0))).toEqual([]);
  });
});
