import { describe, expect, it } from "vitest";
import { snapshotStores, WriteJournal } from "./journal.js";

class Todos {
  items: { title: string; done: boolean }[] = [{ title: "a", done: false }];
  tags = new Map<string, number>([["x", 1]]);
  when = new Date(0);
  meta: Record<string, unknown> = { count: 1 };
}

type Case = { name: string; act: (s: Todos) => void; paths: string[][] };

const cases: Case[] = [
  { name: "a field assignment", act: (s) => (s.meta.count = 2), paths: [["meta", "count"]] },
  { name: "an array push", act: (s) => s.items.push({ title: "b", done: false }), paths: [["items", "1"], ["items", "length"]] },
  { name: "a nested item write", act: (s) => (s.items[0]!.done = true), paths: [["items", "0", "done"]] },
  { name: "a delete", act: (s) => delete s.meta.count, paths: [["meta", "count"]] },
  { name: "a filter reassignment", act: (s) => (s.items = s.items.filter(() => false)), paths: [["items"]] },
  { name: "a Map write", act: (s) => s.tags.set("y", 2), paths: [["tags"]] },
  { name: "a Date change", act: (s) => s.when.setTime(5), paths: [["when"]] },
  { name: "a splice", act: (s) => s.items.splice(0, 1), paths: [["items", "0"], ["items", "length"]] },
];

describe("WriteJournal", () => {
  it.each(cases)("records the path of $name", ({ act, paths }) => {
    const s = new Todos();
    const j = new WriteJournal();
    act(j.wrap(s, []));
    j.close();
    expect(j.paths()).toEqual(expect.arrayContaining(paths));
  });

  it.each(cases)("rolls back $name to the exact previous state", ({ act }) => {
    const s = new Todos();
    const before = structuredClone(s);
    const j = new WriteJournal();
    act(j.wrap(s, []));
    j.close();
    j.rollback();
    expect(structuredClone(s)).toEqual(before);
    expect(s).toBeInstanceOf(Todos);
  });

  it("prefixes paths with the store's base path", () => {
    const j = new WriteJournal();
    j.wrap(new Todos(), ["todos"]).meta.count = 3;
    expect(j.paths()).toEqual([["todos", "meta", "count"]]);
  });

  it("never stores proxies into the state", () => {
    const s = new Todos();
    const j = new WriteJournal();
    const v = j.wrap(s, []);
    v.items = [...v.items, { title: "c", done: true }];
    v.meta.alias = v.items[0];
    j.close();
    expect(j.unwrap(s.items[0])).toBe(s.items[0]);
    // A proxy would record after close; a raw object does not.
    const j2 = new WriteJournal();
    (s.meta.alias as { done: boolean }).done = true;
    expect(j2.paths()).toEqual([]);
    expect(s.meta.alias).toBe(s.items[0]);
  });

  it("keeps proxy identity stable inside one action", () => {
    const j = new WriteJournal();
    const v = j.wrap(new Todos(), []);
    expect(v.items).toBe(v.items);
    expect(v.items[0]).toBe(v.items[0]);
  });

  it("runs setters with the proxy so their writes are journaled", () => {
    class WithSetter {
      raw = 1;
      set value(n: number) {
        this.raw = n * 2;
      }
    }
    const s = new WithSetter();
    const j = new WriteJournal();
    j.wrap(s, []).value = 5;
    expect(s.raw).toBe(10);
    j.rollback();
    expect(s.raw).toBe(1);
  });

  it("records nothing after close", () => {
    const s = new Todos();
    const j = new WriteJournal();
    const v = j.wrap(s, []);
    j.close();
    v.meta.count = 9;
    expect(j.paths()).toEqual([]);
    expect(j.size).toBe(0);
  });
});

describe("snapshotStores", () => {
  it("restores every store in place", () => {
    const s = new Todos();
    const restore = snapshotStores({ "": s });
    s.items.push({ title: "z", done: true });
    s.meta = {};
    restore();
    expect(s.items).toHaveLength(1);
    expect(s.meta).toEqual({ count: 1 });
    expect(s).toBeInstanceOf(Todos);
  });
});

describe("WriteJournal.hintPaths", () => {
  class Store {
    todos = [{ done: false, meta: { get label() { return "x"; } } }];
    get open(): number {
      return this.todos.filter((t) => !t.done).length;
    }
    count(): number {
      return this.todos.length;
    }
  }

  it("adds the getters and methods of every object on the way to a write", () => {
    const j = new WriteJournal();
    j.wrap(new Store(), ["s"]).todos[0]!.done = true;
    expect(j.hintPaths()).toEqual([["s", "todos", "0", "done"], ["s", "open"], ["s", "count"]]);
  });

  it("includes own accessors of plain objects", () => {
    const j = new WriteJournal();
    const v = j.wrap(new Store(), []);
    (v.todos[0]!.meta as Record<string, unknown>)["extra"] = 1;
    expect(j.hintPaths()).toContainEqual(["todos", "0", "meta", "label"]);
  });
});
