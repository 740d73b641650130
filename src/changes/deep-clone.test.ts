import { describe, expect, it } from "vitest";
import { deepClone } from "./deep-clone.js";

class Point {
  constructor(
    public x = 1,
    public y = 2,
  ) {}
  sum(): number {
    return this.x + this.y;
  }
}

describe("deepClone", () => {
  it.each([
    ["a plain object", { a: 1, b: { c: [1, 2] } }],
    ["an array with holes filled", [1, "two", { three: 3 }]],
    ["a Map", new Map([["k", { v: 1 }]])],
    ["a Set", new Set([1, 2, 3])],
    ["a Date", new Date(1234)],
    ["a typed array", new Uint8Array([1, 2, 3])],
  ])("copies %s into an equal but distinct value", (_, value) => {
    const copy = deepClone(value);
    expect(copy).toEqual(value);
    expect(copy).not.toBe(value);
  });

  it("keeps the prototype so methods still work", () => {
    const copy = deepClone(new Point(3, 4));
    expect(copy).toBeInstanceOf(Point);
    expect(copy.sum()).toBe(7);
  });

  it("preserves cycles and shared references", () => {
    const shared = { n: 1 };
    const root: { a: object; b: object; self?: unknown } = { a: shared, b: shared };
    root.self = root;
    const copy = deepClone(root);
    expect(copy.a).toBe(copy.b);
    expect(copy.self).toBe(copy);
    expect(copy.a).not.toBe(shared);
  });

  it("does not share nested state with the original", () => {
    const original = { list: [{ done: false }] };
    const copy = deepClone(original);
    copy.list[0]!.done = true;
    expect(original.list[0]!.done).toBe(false);
  });
});
