import { describe, expect, it } from "vitest";
import { ItemList, KeyIndex } from "./item-list.js";
import type { VItem } from "./value.js";

const item = (key: string): VItem => ({ key, h: key, dk: 0, el: key, slots: [key] });
const items = (...keys: string[]): VItem[] => keys.map(item);
const keysOf = (l: ItemList<VItem>): string[] => l.toArray().map((it) => it.key);
const indexOf = (l: ItemList<VItem>): KeyIndex => {
  const m = new Map<string, number>();
  l.toArray().forEach((it, i) => m.set(it.key, i));
  return KeyIndex.of(m);
};

describe("item lists", () => {
  it.each([
    ["replaces edited positions", ["a", "b", "c"], 3, [[1, "B"]], [], ["a", "B", "c"]],
    ["drops items past keep", ["a", "b", "c"], 1, [], [], ["a"]],
    ["appends a tail", ["a", "b"], 2, [], ["c", "d"], ["a", "b", "c", "d"]],
    ["cuts, edits and appends at once", ["a", "b", "c"], 2, [[0, "A"]], ["x"], ["A", "b", "x"]],
  ] as [string, string[], number, [number, string][], string[], string[]][])("%s without touching the list it came from", (_n, from, keep, edits, tail, want) => {
    const base = ItemList.of(items(...from));
    const next = base.derive(keep, edits.map(([i, k]) => [i, item(k)] as const), items(...tail));
    expect(keysOf(next)).toEqual(want);
    expect(next.length).toBe(want.length);
    want.forEach((k, i) => expect(next.at(i)!.key).toBe(k));
    expect(next.at(want.length)).toBeUndefined();
    expect(keysOf(base)).toEqual(from);
  });

  it("keeps every earlier version intact along a chain of derivations", () => {
    let list = ItemList.of(items("a", "b", "c", "d"));
    const versions: [ItemList<VItem>, string[]][] = [[list, keysOf(list)]];
    for (let n = 0; n < 80; n++) {
      const keep = Math.max(1, list.length - (n % 3));
      list = list.derive(keep, [[n % keep, item(`e${n}`)]], n % 2 === 0 ? [item(`t${n}`)] : []);
      versions.push([list, keysOf(list)]);
    }
    for (const [l, want] of versions) {
      expect(keysOf(l)).toEqual(want);
      want.forEach((k, i) => expect(l.at(i)!.key).toBe(k));
    }
  });

  it("flattens an overlay that grew past its bound into a list of its own", () => {
    let list = ItemList.of(items(...Array.from({ length: 100 }, (_, i) => `k${i}`)));
    for (let n = 0; n < 40; n++) list = list.derive(100, [[n, item(`x${n}`)]], []);
    expect(keysOf(list).slice(0, 41)).toEqual([...Array.from({ length: 40 }, (_, i) => `x${i}`), "k40"]);
  });
});

describe("key indexes", () => {
  it("answers for the derived list and keeps answering for the old one", () => {
    const old = ItemList.of(items("a", "b", "c"));
    const oldIndex = indexOf(old);
    const next = old.derive(2, [], items("d", "c"));
    const index = oldIndex.derive(2, items("d", "c"), next);
    expect(["a", "b", "c", "d", "z"].map((k) => index.get(k))).toEqual([0, 1, 3, 2, undefined]);
    expect(["a", "b", "c", "d"].map((k) => oldIndex.get(k))).toEqual([0, 1, 2, undefined]);
  });

  it("forgets keys cut off by a shorter list", () => {
    const old = ItemList.of(items("a", "b", "c"));
    const next = old.derive(1, [], []);
    const index = indexOf(old).derive(1, [], next);
    expect(index.has("a")).toBe(true);
    expect(index.has("b")).toBe(false);
    expect(index.has("c")).toBe(false);
  });

  it("carries an earlier overlay's keys that are still in the list", () => {
    const l0 = ItemList.of(items("a", "b"));
    const l1 = l0.derive(2, [], items("c", "d"));
    const i1 = indexOf(l0).derive(2, items("c", "d"), l1);
    const l2 = l1.derive(3, [], items("e"));
    const i2 = i1.derive(3, items("e"), l2);
    expect(["a", "b", "c", "d", "e"].map((k) => i2.get(k))).toEqual([0, 1, 2, undefined, 3]);
    expect(["a", "b", "c", "d", "e"].map((k) => i1.get(k))).toEqual([0, 1, 2, 3, undefined]);
  });

  it("is the same index when the keys did not move", () => {
    const l = ItemList.of(items("a", "b"));
    const i = indexOf(l);
    expect(i.derive(2, [], l.derive(2, [[0, item("a")]], []))).toBe(i);
  });

  it("rebuilds itself when most of its base is stale", () => {
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
    const l = ItemList.of(items(...keys));
    const tail = items(...Array.from({ length: 40 }, (_, i) => `n${i}`));
    const next = l.derive(2, [], tail);
    const index = indexOf(l).derive(2, tail, next);
    expect(index.get("k1")).toBe(1);
    expect(index.get("k2")).toBeUndefined();
    expect(index.get("n39")).toBe(41);
  });
});

describe("splices", () => {
  it("a chain of random splices matches Array.prototype.splice, with every version and index intact", () => {
    let seed = 7;
    const rnd = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
    let list = ItemList.of(items(...Array.from({ length: 60 }, (_, i) => `k${i}`)));
    let index = indexOf(list);
    let next = 0;
    const versions: [ItemList<VItem>, KeyIndex, string[]][] = [[list, index, keysOf(list)]];
    for (let n = 0; n < 200; n++) {
      const want = keysOf(list);
      const at = rnd(want.length + 1);
      const removed = rnd(Math.min(3, want.length - at) + 1);
      const ins = items(...Array.from({ length: rnd(3) }, () => `n${next++}`));
      want.splice(at, removed, ...ins.map((it) => it.key));
      const l2 = list.splice(at, removed, ins);
      index = index.splice(at, removed, ins, l2);
      list = l2;
      expect(list.depth).toBeLessThanOrEqual(16);
      versions.push([list, index, want]);
    }
    for (const [l, ix, want] of versions) {
      want.forEach((k, i) => expect(l.at(i)!.key).toBe(k));
      expect(l.at(want.length)).toBeUndefined();
      expect(keysOf(l)).toEqual(want);
      want.forEach((k, i) => expect(ix.get(k)).toBe(i));
      expect(ix.get("k-missing")).toBeUndefined();
      expect(ix.length).toBe(want.length);
    }
  });

  it("forgets a removed key and finds a moved one at its new place", () => {
    const l = ItemList.of(items(...Array.from({ length: 50 }, (_, i) => `k${i}`)));
    const i0 = indexOf(l);
    const l1 = l.splice(10, 1, []);
    const i1 = i0.splice(10, 1, [], l1);
    const l2 = l1.splice(40, 0, [item("k10")]);
    const i2 = i1.splice(40, 0, [item("k10")], l2);
    expect(i1.get("k10")).toBeUndefined();
    expect(i1.get("k11")).toBe(10);
    expect(i2.get("k10")).toBe(40);
    expect(i2.get("k45")).toBe(45);
    expect(i2.get("k41")).toBe(41);
    expect(i2.get("k40")).toBe(39);
    expect(i0.get("k10")).toBe(10);
  });

  it("takes derivations on a spliced list", () => {
    const l = ItemList.of(items(...Array.from({ length: 50 }, (_, i) => `k${i}`)));
    const s = l.splice(0, 1, []);
    const d = s.derive(49, [[3, item("X")]], [item("t")]);
    const want = keysOf(s);
    want[3] = "X";
    want.push("t");
    expect(keysOf(d)).toEqual(want);
    want.forEach((k, i) => expect(d.at(i)!.key).toBe(k));
  });
});
