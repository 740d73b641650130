import { describe, expect, it } from "vitest";
import { Members } from "./members.js";

describe("Members", () => {
  it("behaves as a set while growing from none to three and shrinking back", () => {
    const m = new Members<string>();
    expect([m.size, m.has("a"), [...m]]).toEqual([0, false, []]);
    m.add("a");
    m.add("a");
    expect([m.size, m.has("a"), [...m]]).toEqual([1, true, ["a"]]);
    m.add("b");
    m.add("c");
    expect([m.size, [...m]]).toEqual([3, ["a", "b", "c"]]);
    expect(m.delete("b")).toBe(true);
    expect(m.delete("b")).toBe(false);
    expect(m.delete("a")).toBe(true);
    expect([m.size, m.has("c"), m.has("a"), [...m]]).toEqual([1, true, false, ["c"]]);
    expect(m.delete("x")).toBe(false);
    expect(m.delete("c")).toBe(true);
    expect([m.size, [...m]]).toEqual([0, []]);
  });

  it("lets an iteration delete members, the current one or others, as a Set does", () => {
    const m = new Members<string>();
    for (const x of ["a", "b", "c"]) m.add(x);
    const seen: string[] = [];
    for (const x of m) {
      seen.push(x);
      m.delete(x);
      if (x === "a") m.delete("b");
    }
    expect(seen).toEqual(["a", "c"]);
    expect(m.size).toBe(0);
    m.add("d");
    const one: string[] = [];
    for (const x of m) {
      one.push(x);
      m.delete(x);
    }
    expect(one).toEqual(["d"]);
  });
});
