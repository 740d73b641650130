import { describe, expect, it } from "vitest";
import { namedStores, resolveActionMethod, StoreSet } from "./store-set.js";

class Todos {
  items: string[] = [];
  change(): void {}
  addTodo(): void {}
  save(): void {}
  _secret(): void {}
}

describe("resolveActionMethod", () => {
  it.each([
    ["add_todo", "addTodo"],
    ["add-todo", "addTodo"],
    ["addTodo", "addTodo"],
    ["save", "save"],
    ["change", undefined],
    ["_secret", undefined],
    ["toString", undefined],
    ["constructor", undefined],
    ["items", undefined],
    ["missing", undefined],
  ])("maps action %s to method %s", (action, method) => {
    expect(resolveActionMethod(new Todos(), action)).toBe(method);
  });
});

describe("StoreSet", () => {
  it("routes a single store's unknown action to change", async () => {
    const set = new StoreSet(new Todos());
    const stores = await set.create();
    expect(set.route(stores, "whatever")).toEqual({ store: "", action: "whatever", method: "change" });
    expect(set.data(stores)).toBe(stores[""]);
  });

  it("routes prefixed actions to the named store", async () => {
    const set = new StoreSet(namedStores({ counter: { n: 0, change() {} }, todos: () => new Todos() }));
    const stores = await set.create();
    expect(set.route(stores, "todos.add_todo")).toEqual({ store: "todos", action: "add_todo", method: "addTodo" });
    expect(set.route(stores, "counter.inc")).toEqual({ store: "counter", action: "inc", method: "change" });
    expect(set.route(stores, "save")).toEqual({ store: "todos", action: "save", method: "save" });
    expect(set.route(stores, "nobody")).toBeUndefined();
    expect(set.data(stores)).toBe(stores);
  });

  it("gives every group its own copy of an instance, prototype kept", async () => {
    const original = new Todos();
    const set = new StoreSet(original);
    const a = (await set.create())[""] as Todos;
    const b = (await set.create())[""] as Todos;
    a.items.push("x");
    expect(b.items).toEqual([]);
    expect(original.items).toEqual([]);
    expect(a).toBeInstanceOf(Todos);
  });

  it("constructs classes and calls factories", async () => {
    const fromClass = (await new StoreSet(Todos).create())[""];
    const fromFactory = (await new StoreSet(async () => ({ n: 1 })).create())[""];
    expect(fromClass).toBeInstanceOf(Todos);
    expect(fromFactory).toEqual({ n: 1 });
  });

  it("rejects store names with a dot", () => {
    expect(() => namedStores({ "a.b": {} })).toThrow(/invalid store name/);
  });
});
