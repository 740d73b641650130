import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { TreeState, applyOps, merge } from "./tree.js";

// The published client's renderer is the oracle for merge and range semantics (PROTOCOL.md §7).
const require = createRequire(import.meta.url);
const { TreeRenderer } = require("@livetemplate/client/dist/state/tree-renderer.js") as {
  TreeRenderer: new (logger: unknown) => { applyUpdate(u: unknown): { html: string } };
};
const quiet = { debug() {}, error() {}, warn() {}, info() {}, isDebugEnabled: () => false };

const list = (items: Array<[string, string]>) => ({
  s: ['<li data-key="', '">', "</li>"],
  d: items.map(([k, t]) => ({ 0: k, 1: t })),
  m: { idKey: "0" },
});
const page = (items: Array<[string, string]>) => ({ s: ["<h1>", "</h1><ul>", "</ul>"], 0: "Title", 1: list(items) });

const cases: Array<{ name: string; steps: unknown[]; html: string }> = [
  { name: "renders a full tree with a keyed range", steps: [page([["1", "a"], ["2", "b"]])], html: '<h1>Title</h1><ul><li data-key="1">a</li><li data-key="2">b</li></ul>' },
  { name: "merges a changed slot and keeps the others", steps: [page([["1", "a"]]), { 0: "New" }], html: '<h1>New</h1><ul><li data-key="1">a</li></ul>' },
  { name: "removes, updates and appends range items", steps: [page([["1", "a"], ["2", "b"]]), { 1: [["r", "1"], ["u", "2", { 1: "B" }], ["a", [{ 0: "3", 1: "c" }]]] }], html: '<h1>Title</h1><ul><li data-key="2">B</li><li data-key="3">c</li></ul>' },
  { name: "prepends and inserts after a key", steps: [page([["1", "a"], ["3", "c"]]), { 1: [["p", [{ 0: "0", 1: "z" }]], ["i", "1", { 0: "2", 1: "b" }]] }], html: '<h1>Title</h1><ul><li data-key="0">z</li><li data-key="1">a</li><li data-key="2">b</li><li data-key="3">c</li></ul>' },
  { name: "reorders items by key", steps: [page([["1", "a"], ["2", "b"], ["3", "c"]]), { 1: [["o", ["3", "1", "2"]]] }], html: '<h1>Title</h1><ul><li data-key="3">c</li><li data-key="1">a</li><li data-key="2">b</li></ul>' },
  { name: "appends into an empty range with statics sent late", steps: [{ s: ["<ul>", "</ul>"], 0: { s: [], d: [] } }, { 0: [["a", [{ 0: "x", 1: "1" }], ['<i id="', '">', "</i>"], { idKey: "0" }]] }], html: '<ul><i id="x">1</i></ul>' },
  { name: "uses generated keys when the range has no key attribute", steps: [{ s: ["", ""], 0: { s: ["<p>", "</p>"], d: [{ 0: "a", _k: "k1" }, { 0: "b", _k: "k2" }], m: { idKey: "_k" } } }, { 0: [["r", "k1"]] }], html: "<p>b</p>" },
  { name: "replaces a conditional branch whose structure changed", steps: [{ s: ["<div>", "</div>"], 0: { s: ["<b>", "</b>"], 0: "x" } }, { 0: { s: ["<i>", ":", "</i>"], 0: "y", 1: "z" } }], html: "<div><i>y:z</i></div>" },
  { name: "renders an empty branch as nothing", steps: [{ s: ["<div>", "</div>"], 0: { s: ["<b>", "</b>"], 0: "x" } }, { 0: "" }], html: "<div></div>" },
  { name: "renders numbers and booleans as text", steps: [{ s: ["", "/", ""], 0: 3, 1: true }], html: "3/true" },
  { name: "merges a partial nested node inside a range item", steps: [{ s: ["", ""], 0: { s: ["<p>", "", "</p>"], d: [{ 0: "1", 1: { s: ["<b>", "</b>"], 0: "x" } }], m: { idKey: "0" } } }, { 0: [["u", "1", { 1: { 0: "y" } }]] }], html: "<p>1<b>y</b></p>" },
];

describe("TreeState", () => {
  it.each(cases)("$name", ({ steps, html }) => {
    const ours = new TreeState();
    const oracle = new TreeRenderer(quiet);
    let expected = "";
    for (const step of steps) {
      ours.apply(structuredClone(step));
      expected = oracle.applyUpdate(structuredClone(step)).html;
    }
    expect(ours.render()).toBe(expected);
    expect(ours.render()).toBe(html);
  });

  it.each([
    { name: "reports updated and removed keyed rows", update: { 1: [["u", "2", { 1: "B" }], ["r", "1"]] }, rows: [["2", '<li data-key="2">B</li>'], ["1", null]] },
    { name: "reports nothing when other slots change too", update: { 0: "x", 1: [["u", "2", { 1: "B" }]] }, rows: null },
    { name: "reports nothing for appends", update: { 1: [["a", [{ 0: "3", 1: "c" }]]] }, rows: null },
    { name: "reports nothing for an unknown key", update: { 1: [["u", "9", { 1: "B" }]] }, rows: null },
  ])("$name", ({ update, rows }) => {
    const t = new TreeState();
    expect(t.apply(page([["1", "a"], ["2", "b"]]))).toBeNull();
    const got = t.apply(update);
    expect(got && [...got]).toEqual(rows);
  });

  it("reports no rows when items are not keyed by a data attribute", () => {
    const t = new TreeState();
    t.apply({ s: ["", ""], 0: { s: ['<li id="', '">', "</li>"], d: [{ 0: "1", 1: "a" }], m: { idKey: "0" } } });
    expect(t.apply({ 0: [["u", "1", { 1: "b" }]] })).toBeNull();
  });

  it("does not mutate the node it merged from", () => {
    const before = page([["1", "a"]]);
    const snapshot = structuredClone(before);
    merge(before, { 0: "x", 1: [["u", "1", { 1: "b" }]] });
    expect(before).toEqual(snapshot);
  });

  it("ignores operations on keys it does not hold", () => {
    const range = list([["1", "a"]]);
    expect(applyOps(range, [["r", "9"], ["u", "9", { 1: "x" }], ["i", "9", { 0: "2", 1: "b" }]])).toEqual(range);
  });

  it("renders from scratch after a reset", () => {
    const t = new TreeState();
    t.apply(page([["1", "a"]]));
    t.reset();
    expect(t.ready).toBe(false);
    t.apply({ s: ["<p>", "</p>"], 0: "fresh" });
    expect(t.render()).toBe("<p>fresh</p>");
  });

  it("matches the published renderer over random operation sequences", () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let run = 0; run < 50; run++) {
      const ours = new TreeState();
      const oracle = new TreeRenderer(quiet);
      let keys = ["1", "2", "3"];
      let next = 4;
      const first = page(keys.map((k) => [k, "t" + k]));
      ours.apply(structuredClone(first));
      oracle.applyUpdate(structuredClone(first));
      for (let step = 0; step < 20; step++) {
        const ops: unknown[] = [];
        const pick = () => keys[rand(keys.length)] ?? "none";
        const r = rand(6);
        if (r === 0 && keys.length > 0) { const k = pick(); ops.push(["r", k]); keys = keys.filter((x) => x !== k); }
        else if (r === 1 && keys.length > 0) ops.push(["u", pick(), { 1: "u" + step }]);
        else if (r === 2) { const k = String(next++); ops.push(["a", [{ 0: k, 1: "a" + k }]]); keys.push(k); }
        else if (r === 3) { const k = String(next++); ops.push(["p", [{ 0: k, 1: "p" + k }]]); keys.unshift(k); }
        else if (r === 4 && keys.length > 0) { const after = pick(); const k = String(next++); ops.push(["i", after, { 0: k, 1: "i" + k }]); keys.splice(keys.indexOf(after) + 1, 0, k); }
        else { keys = keys.slice().reverse(); ops.push(["o", keys]); }
        const update = rand(3) === 0 ? { 0: "T" + step, 1: ops } : { 1: ops };
        ours.apply(structuredClone(update));
        const expected = oracle.applyUpdate(structuredClone(update)).html;
        expect(ours.render(), `run ${run} step ${step}`).toBe(expected);
      }
    }
  });
});
