import { describe, expect, test } from "vitest";
import { ChangeSet } from "./change-set.js";

describe("ChangeSet", () => {
  const set = new ChangeSet([["todos", 3, "done"], ["count"], ["user", "name"], ["user"]]);

  test.each([
    [["todos"], true, "a write below a read overlaps it"],
    [["todos", "3"], true, "numeric and string segments are the same"],
    [["todos", "3", "done", "x"], true, "a write above a read covers it"],
    [["todos", "4"], false, "a sibling index does not overlap"],
    [["count"], true, "an exact write overlaps"],
    [["user", "email"], true, "a write of a parent covers every child"],
    [["other"], false, "an unrelated path does not overlap"],
    [[], true, "the root overlaps any write"],
  ])("overlaps(%j) is %s: %s", (path, want) => {
    expect(set.overlaps(path)).toBe(want);
  });

  test("childrenBelow lists the written children, or null when the path itself was written", () => {
    expect(set.childrenBelow(["todos"])).toEqual(["3"]);
    expect(set.childrenBelow(["user"])).toBeNull();
    expect(set.childrenBelow(["user", "x"])).toBeNull();
    expect(set.childrenBelow(["nothing"])).toEqual([]);
    expect(new ChangeSet([[]]).childrenBelow(["a"])).toBeNull();
  });

  test("deepBelow tells writes inside a list's elements from writes of its indices and length", () => {
    const shifted = new ChangeSet([["L", 2], ["L", 3], ["L", "length"], ["X", "a", "b"]]);
    expect(shifted.deepBelow(["L"])).toBe(false);
    expect(new ChangeSet([["L", 2, "name"], ["L", 2]]).deepBelow(["L"])).toBe(true);
    expect(new ChangeSet([["L", 2], ["L", 2, "name"]]).deepBelow(["L"])).toBe(true);
    expect(new ChangeSet([["L"]]).deepBelow(["L", "0"])).toBe(true);
    expect(shifted.deepBelow(["Y"])).toBe(false);
  });
});
