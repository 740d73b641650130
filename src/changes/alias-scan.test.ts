import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { aliasedObjects } from "./alias-scan.js";

describe("aliasedObjects", () => {
  it("finds an object reachable at two paths, and everything below it", () => {
    const tags = ["x"];
    const item = { id: 1, tags };
    const other = { id: 2 };
    const state = { items: [item, other], selected: item };
    const aliased = aliasedObjects([state]);
    expect(aliased.has(item)).toBe(true);
    expect(aliased.has(tags)).toBe(true);
    expect(aliased.has(other)).toBe(false);
    expect(aliased.has(state.items)).toBe(false);
  });

  it("reports nothing for a tree", () => {
    expect(aliasedObjects([{ a: { b: [1, { c: 2 }] }, d: new Map([["k", { e: 1 }]]) }]).size).toBe(0);
  });

  it("sees sharing across stores and through Maps and Sets", () => {
    const shared = { n: 1 };
    expect(aliasedObjects([{ a: shared }, { b: new Set([shared]) }]).has(shared)).toBe(true);
    const m = { n: 2 };
    expect(aliasedObjects([{ a: new Map([["k", m]]), b: m }]).has(m)).toBe(true);
  });

  it("survives cycles and does not walk live resources", () => {
    const cyc: { self?: unknown } = {};
    cyc.self = cyc;
    expect(aliasedObjects([{ cyc }]).has(cyc)).toBe(true);
    const emitter = new EventEmitter();
    const inside = { n: 1 };
    (emitter as unknown as { payload: object }).payload = inside;
    expect(aliasedObjects([{ e: emitter, x: inside }]).has(inside)).toBe(false);
  });
});
