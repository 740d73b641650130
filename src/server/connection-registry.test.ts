import { describe, expect, it } from "vitest";
import { ConnectionRegistry } from "./connection-registry.js";
import { TokenBucket } from "../transport/rate-limiter.js";

describe("ConnectionRegistry", () => {
  it("indexes connections by group and by user and cleans up empty entries", () => {
    const r = new ConnectionRegistry();
    const a1 = { id: "1", groupId: "ga", userId: "alice" };
    const a2 = { id: "2", groupId: "gb", userId: "alice" };
    const anon = { id: "3", groupId: "gc", userId: "" };
    [a1, a2, anon].forEach((c) => r.register(c));
    expect(r.size).toBe(3);
    expect([...r.getByUser("alice")]).toEqual([a1, a2]);
    expect([...r.getByGroup("gc")]).toEqual([anon]);
    expect([...r.groupsOfUsers(["alice"])].sort()).toEqual(["ga", "gb"]);
    expect(r.unregister(a1)).toBe(0);
    expect(r.groupIds().sort()).toEqual(["gb", "gc"]);
    expect(r.getByUser("")).toHaveProperty("size", 0);
    r.unregister(a1);
    expect(r.size).toBe(2);
  });

  it("keeps a group's connections in order as it grows from one to three and shrinks back", () => {
    const r = new ConnectionRegistry();
    const [c1, c2, c3] = ["1", "2", "3"].map((id) => ({ id, groupId: "g", userId: "u" }));
    r.register(c1!);
    r.register(c1!);
    expect(r.size).toBe(1);
    expect([...r.getByGroup("g")]).toEqual([c1]);
    r.register(c2!);
    r.register(c3!);
    expect([...r.getByGroup("g")]).toEqual([c1, c2, c3]);
    expect([...r.getByUser("u")]).toEqual([c1, c2, c3]);
    expect(r.unregister(c1!)).toBe(2);
    expect(r.unregister(c3!)).toBe(1);
    expect(r.unregister(c3!)).toBe(1);
    expect(r.size).toBe(1);
    expect(r.all()).toEqual([c2]);
    expect([...r.getByUser("u")]).toEqual([c2]);
    expect(r.unregister(c2!)).toBe(0);
    expect(r.groupIds()).toEqual([]);
    expect(r.getByUser("u").size).toBe(0);
    expect(r.size).toBe(0);
  });
});

describe("TokenBucket", () => {
  it("allows a burst, refuses beyond it and refills over time", () => {
    let now = 0;
    const b = new TokenBucket(10, 3, () => now);
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
    now += 100;
    expect(b.take()).toBe(true);
    expect(b.take()).toBe(false);
  });
});
