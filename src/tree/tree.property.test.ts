/**
 * The live-tree invariant (PROTOCOL.md §7), checked against the published client's TreeRenderer:
 * for random templates and random journeys of states, the client's HTML after the first tree and
 * every update equals a plain render of the latest state, with and without change hints, across
 * reconnects.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Template } from "../live/template.js";
import { OracleClient } from "../../test/tree/oracle.js";
import { runJourney } from "../../test/tree/run-journey.js";

describe("live tree against the published client", () => {
  test("applying the first tree and every update renders the latest state (20,000+ steps)", () => {
    let steps = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        steps += runJourney(seed, 50, { Template, newClient: () => new OracleClient() });
      }),
      { numRuns: 500, seed: Number(process.env["LT_TREE_SEED"] ?? 424242) },
    );
    expect(steps).toBeGreaterThanOrEqual(20_000);
  });

  test.each([1, 18, 30, 385066188, 520955610, 806395353, 982896812])("journey %i, which once failed, passes", (seed) => {
    runJourney(seed, 50, { Template, newClient: () => new OracleClient() });
  });
});
