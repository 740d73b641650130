/**
 * The longest increasing subsequence of a sequence made of runs: run `u` stands for the old
 * positions `old[u]`, `old[u] + 1`, ... `old[u] + len[u] - 1` in that order, and no two runs
 * share a position. A list edited by splices is such a sequence (its kept items in new order,
 * a moved item a run of one), so the differ finds which items stay in place in O(runs²) instead
 * of O(N log N) over every item.
 *
 * The answer is exactly the one the element-by-element patience algorithm of `diff.ts` (`lis`)
 * gives on the expanded sequence, ties included, so both paths emit the same operations: that
 * algorithm places the items of a run in consecutive tails (no other value lies between them),
 * so its tails array can be kept as blocks of runs, and an item's predecessor is the item before
 * it in its run, or for a run's first item the tail before the place the run went to.
 */

/** A block of tails: the items of run `u` at offsets `from` to `to - 1`. */
interface Block {
  readonly u: number;
  from: number;
  readonly to: number;
}

/**
 * For each run, how many of its first items belong to the longest increasing subsequence (the
 * kept part of a run is always a prefix of it).
 */
export function runLis(old: readonly number[], len: readonly number[]): number[] {
  const n = old.length;
  const tails: Block[] = [];
  // The tail before the place run u went to when it was placed: [run, offset] or null.
  const prevRun = new Array<number>(n).fill(-1);
  const prevOff = new Array<number>(n).fill(-1);
  for (let u = 0; u < n; u++) {
    const a = old[u]!;
    let bi = 0;
    while (bi < tails.length && old[tails[bi]!.u]! < a) bi++;
    if (bi > 0) {
      const b = tails[bi - 1]!;
      prevRun[u] = b.u;
      prevOff[u] = b.to - 1;
    }
    // The run's items replace the next len[u] tails.
    let left = len[u]!;
    let end = bi;
    while (left > 0 && end < tails.length) {
      const b = tails[end]!;
      const size = b.to - b.from;
      if (size <= left) {
        left -= size;
        end++;
      } else {
        b.from += left;
        left = 0;
      }
    }
    tails.splice(bi, end - bi, { u, from: 0, to: len[u]! });
  }
  const keep = new Array<number>(n).fill(0);
  if (tails.length === 0) return keep;
  const lastBlock = tails[tails.length - 1]!;
  let u = lastBlock.u;
  let off = lastBlock.to - 1;
  while (u >= 0) {
    keep[u] = off + 1;
    const pu = prevRun[u]!;
    off = prevOff[u]!;
    u = pu;
  }
  return keep;
}
