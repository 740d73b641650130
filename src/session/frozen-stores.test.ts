import { describe, expect, it } from "vitest";
import { FrozenStores } from "./frozen-stores.js";

class Todos {
  Title = "list";
  Items = [
    { ID: 1, Text: "a", Done: false },
    { ID: 2, Text: "b", Done: true },
  ];
  Seen = new Set(["x"]);
  Tags = new Map([["k", { n: 1 }]]);
  When = new Date(86_400_000);
  Missing: string | undefined = undefined;
  Big = 12n;
  Odd = Number.NaN;
  count(): number {
    return this.Items.length;
  }
}

describe("FrozenStores", () => {
  it("brings the stores back equal, with their classes, as new objects, the same ones on every thaw", () => {
    const stores = { "": new Todos() };
    const frozen = FrozenStores.of(stores);
    expect(frozen).toBeDefined();
    expect(frozen!.size).toBeGreaterThan(0);
    const back = frozen!.thaw();
    expect(back).toEqual(stores);
    const store = back[""] as Todos;
    expect(store).toBeInstanceOf(Todos);
    expect(store.count()).toBe(2);
    expect(store).not.toBe(stores[""]);
    expect(store.Items[0]).not.toBe(stores[""].Items[0]);
    expect(Object.keys(store)).toEqual(Object.keys(stores[""]));
    expect(frozen!.thaw()).toBe(back);
    expect(frozen!.size).toBe(0);
  });

  it("keeps several named stores apart, in order", () => {
    const stores = { b: { n: 1 }, a: new Todos() };
    const back = FrozenStores.of(stores)!.thaw();
    expect(Object.keys(back)).toEqual(["b", "a"]);
    expect(back["a"]).toBeInstanceOf(Todos);
    expect(back).toEqual(stores);
  });

  const shared = { n: 1 };
  class Holder {
    #secret = 1;
    get secret(): number {
      return this.#secret;
    }
  }
  const withGetter = { get g() { return 1; } };
  const withSymbol = { [Symbol("s")]: 1 };
  const hidden = Object.defineProperty({}, "h", { value: 1, enumerable: false });
  const holey: unknown[] = [1];
  holey[2] = 3;
  const extra = Object.assign([1], { note: "x" });
  const table: [string, Record<string, unknown>][] = [
    ["an object at two places (it would come back as two)", { a: shared, b: shared }],
    ["a store referring to itself", (() => { const s: Record<string, unknown> = {}; s["self"] = s; return s; })()],
    ["an instance of a class inside the state", { h: new Holder() }],
    ["a getter", { o: withGetter }],
    ["a symbol key", { o: withSymbol }],
    ["a non-enumerable property", { o: hidden }],
    ["a frozen object", { o: Object.freeze({ n: 1 }) }],
    ["an object with toJSON", { o: { toJSON: () => 1 } }],
    ["a function", { f: () => 1 }],
    ["negative zero", { z: -0 }],
    ["an array with a hole", { a: holey }],
    ["an array with an extra property", { a: extra }],
    ["a Map subclass", { m: new (class extends Map {})() }],
    ["a null-prototype object", { o: Object.create(null) as object }],
    ["a RegExp", { r: /x/ }],
    ["a typed array", { t: new Uint8Array(2) }],
  ];
  for (const [what, store] of table) {
    it(`refuses a store holding ${what}`, () => {
      expect(FrozenStores.of({ "": store })).toBeUndefined();
    });
  }

  it("refuses a store with its own toJSON, and one object used as two stores", () => {
    expect(FrozenStores.of({ "": { n: 1, toJSON: () => ({}) } })).toBeUndefined();
    const one = { n: 1 };
    expect(FrozenStores.of({ a: one, b: one })).toBeUndefined();
  });
});
