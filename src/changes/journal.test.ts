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

describe("WriteJournal with shifting array calls", () => {
  type Row = { id: number; done: boolean };
  const rows = (n: number): { rows: Row[] } => ({ rows: Array.from({ length: n }, (_, i) => ({ id: i, done: false })) });
  const run = (n: number, act: (s: { rows: Row[] }) => void): { s: { rows: Row[] }; before: { rows: Row[] }; j: WriteJournal } => {
    const s = rows(n);
    const before = structuredClone(s);
    const j = new WriteJournal();
    act(j.wrap(s, []));
    j.close();
    return { s, before, j };
  };

  type Rows = { rows: Row[] };
  const shifting: [string, (s: Rows) => void, number[][]][] = [
    ["a removal in the middle", (s: Rows) => void s.rows.splice(3, 1), [[3, 1, 0]]],
    ["an insert in the middle", (s: { rows: Row[] }) => void s.rows.splice(2, 0, { id: 99, done: false }), [[2, 0, 1]]],
    ["a shift", (s: { rows: Row[] }) => void s.rows.shift(), [[0, 1, 0]]],
    ["an unshift of two", (s: { rows: Row[] }) => void s.rows.unshift({ id: 98, done: false }, { id: 99, done: false }), [[0, 0, 2]]],
    ["a move", (s: { rows: Row[] }) => {
      const [r] = s.rows.splice(1, 1);
      s.rows.splice(6, 0, r!);
    }, [[1, 1, 0], [6, 0, 1]]],
    ["a removal, then a push", (s: { rows: Row[] }) => {
      s.rows.splice(0, 2);
      s.rows.push({ id: 99, done: false });
    }, [[0, 2, 0], [8, 0, 1]]],
  ];
  it.each(shifting)("reports %s as one list edit, no shifted index, and rolls it back", (_name, act, splices) => {
    const { s, before, j } = run(10, act);
    expect(j.hintPaths()).toEqual([{ list: ["rows"], splices }]);
    j.rollback();
    expect(s).toEqual(before);
  });

  it("names an element written after a shift by the index it has now", () => {
    const { j } = run(10, (s) => {
      const r = s.rows[5]!;
      s.rows.splice(0, 2);
      r.done = true;
      s.rows[0]!.done = true;
    });
    expect(j.hintPaths()).toEqual([{ list: ["rows"], splices: [[0, 2, 0]] }, ["rows", "3", "done"], ["rows", "0", "done"]]);
  });

  it("hands removed elements back as views whose writes are recorded and undone", () => {
    const { s, before, j } = run(10, (s) => {
      const [r] = s.rows.splice(4, 1);
      r!.done = true;
      s.rows.unshift(r!);
    });
    expect(s.rows[0]).toEqual({ id: 4, done: true });
    expect(j.hintPaths()).toEqual([{ list: ["rows"], splices: [[4, 1, 0], [0, 0, 1]] }, ["rows", "0", "done"]]);
    expect(j.referenceWritten).toBe(false);
    j.rollback();
    expect(s).toEqual(before);
  });

  it("keeps index paths for calls that shift nothing", () => {
    const { j } = run(3, (s) => void s.rows.splice(1, 1, { id: 7, done: true }));
    expect(j.hintPaths()).toEqual([["rows", "1"], ["rows", "length"]]);
    expect(j.referenceWritten).toBe(true);
  });

  it("lists written indices for an array spliced very many times", () => {
    const { s, before, j } = run(100, (s) => {
      for (let i = 0; i < 70; i++) s.rows.splice(10, 1);
    });
    const hint = j.hintPaths();
    expect(hint).toContainEqual(["rows", "10"]);
    expect(hint).toContainEqual(["rows", "99"]);
    expect(hint).toContainEqual(["rows", "length"]);
    expect(hint.every((e) => Array.isArray(e))).toBe(true);
    j.rollback();
    expect(s).toEqual(before);
  });

  it("costs the same at 100 and at 100,000 elements (no trap per shifted index)", () => {
    for (const n of [100, 100_000]) {
      const { j } = run(n, (s) => void s.rows.splice(n >> 1, 1));
      expect(j.size).toBe(1);
    }
  });
});
