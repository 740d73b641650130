import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lis } from "./diff.js";
import { runLis } from "./run-lis.js";

/** Cuts 0..n-1 into runs, shuffles them, returns their starts and lengths in the new order. */
const runs = fc
  .array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 12 })
  .chain((lens) => fc.shuffledSubarray(lens.map((_len, i) => i), { minLength: lens.length, maxLength: lens.length }).map((order) => ({ lens, order })));

describe("longest increasing subsequence over runs", () => {
  it("keeps exactly the items the element-by-element algorithm keeps, ties included", () => {
    fc.assert(
      fc.property(runs, ({ lens, order }) => {
        const starts: number[] = [];
        let at = 0;
        for (const l of lens) {
          starts.push(at);
          at += l;
        }
        const old = order.map((i) => starts[i]!);
        const len = order.map((i) => lens[i]!);
        const seq = old.flatMap((o, u) => Array.from({ length: len[u]! }, (_, t) => o + t));
        const want = lis(seq);
        const keep = runLis(old, len);
        const got = keep.flatMap((k, u) => Array.from({ length: len[u]! }, (_, t) => t < k));
        expect(got).toEqual(want);
      }),
      { numRuns: 2000 },
    );
  });

  it("keeps everything when the runs are in order", () => {
    expect(runLis([0, 5, 9], [5, 4, 100])).toEqual([5, 4, 100]);
  });
});
