/**
 * The compact range encoding: full trees lose nothing (expanding a compacted tree gives the tree
 * back, for generated trees of many shapes), items that are not plain slot lists stay objects,
 * and diffs pass through untouched.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Template } from "../live/template.js";
import { compactTree, expandTree } from "./compact.js";

describe("compact range items", () => {
  it("sends a slot list as an array and expands it back", () => {
    const tree = {
      "0": 3,
      "1": { s: ["<li>", ":", "</li>"], d: [{ "0": "a", "1": 1 }, { "0": "b", "1": 2 }], m: { idKey: "0" } },
      s: ["<p>", "</p><ul>", "</ul>"],
    };
    const compact = compactTree(tree);
    expect(compact["1"]).toEqual({ s: ["<li>", ":", "</li>"], d: [["a", 1], ["b", 2]], m: { idKey: "0" } });
    expect(JSON.stringify(compact).length).toBeLessThan(JSON.stringify(tree).length);
    expect(expandTree(JSON.parse(JSON.stringify(compact)))).toEqual(tree);
    // The input is not changed.
    expect(tree["1"].d[0]).toEqual({ "0": "a", "1": 1 });
  });

  it("keeps items with generated keys or missing slots as objects, and compacts nested ranges", () => {
    const inner = { s: ["<i>", "</i>"], d: [{ "0": "x" }] };
    const tree = {
      "0": { s: ["<b>", "</b>"], d: [{ "0": "a", _k: "k1" }, { "1": "only one" }, { "0": inner }], m: { idKey: "_k" } },
      s: ["", ""],
    };
    const compact = compactTree(tree) as unknown as { "0": { d: unknown[] } };
    expect(compact["0"].d[0]).toEqual({ "0": "a", _k: "k1" });
    expect(compact["0"].d[1]).toEqual({ "1": "only one" });
    expect(compact["0"].d[2]).toEqual([{ s: ["<i>", "</i>"], d: [["x"]] }]);
    expect(expandTree(compact)).toEqual(tree);
  });

  it("leaves diffs alone: only a tree with root statics is expanded", () => {
    const diff = { "1": { d: [["not", "expanded"]] } };
    expect(expandTree(diff)).toBe(diff);
    expect(expandTree(7)).toBe(7);
  });

  it("round-trips the full trees of rendered lists of any length and shape", () => {
    const tmpl = new Template("t").parse(
      `<ul>{{range .Rows}}<li data-key="{{.ID}}">{{.Name}}{{if .Tags}}<em>{{range .Tags}}<b>{{.}}</b>{{end}}</em>{{end}}</li>{{else}}none{{end}}</ul>{{range .Plain}}<i>{{.}}</i>{{end}}`,
    );
    const row = fc.record({ Name: fc.string({ maxLength: 6 }), Tags: fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }) });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 12 }), fc.array(fc.integer(), { maxLength: 5 }), (rows, plain) => {
        const tree = tmpl.clone().executeUpdates({ Rows: rows.map((r, i) => ({ ID: i, ...r })), Plain: plain });
        const wire = JSON.parse(JSON.stringify(compactTree(tree)));
        expect(expandTree(wire)).toEqual(JSON.parse(JSON.stringify(tree)));
      }),
      { numRuns: 300, seed: 17 },
    );
  });
});
