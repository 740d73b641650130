import { describe, expect, it } from "vitest";
import { RecentActions, type ActionOutcome } from "./recent-actions.js";

const ok: ActionOutcome = { kind: "meta", meta: { success: true, errors: {}, action: "a" } };

describe("RecentActions", () => {
  it("remembers an outcome and forgets the oldest id beyond its limit", () => {
    const r = new RecentActions(3);
    for (const id of ["a", "b", "c", "d"]) r.begin(id)(ok);
    expect(r.size).toBe(3);
    expect(r.lookup("a")).toBeUndefined();
    expect(r.lookup("d")).toEqual(ok);
  });

  it("lets a repeat wait for a first try that is still running", async () => {
    const r = new RecentActions();
    const end = r.begin("x");
    const waiting = r.lookup("x");
    expect(waiting).toBeInstanceOf(Promise);
    end(ok);
    expect(await waiting).toEqual(ok);
  });

  it("forgets an id whose first try did not run", async () => {
    const r = new RecentActions();
    const end = r.begin("x");
    const waiting = r.lookup("x");
    end(undefined);
    expect(await waiting).toBeUndefined();
    expect(r.lookup("x")).toBeUndefined();
  });
});
