import { describe, expect, it } from "vitest";
import { MemorySessionStore } from "./session-store.js";

describe("MemorySessionStore", () => {
  it("returns what was set and lists it", () => {
    const s = new MemorySessionStore();
    const stores = { "": { n: 1 } };
    s.set("g", stores);
    expect(s.get("g")).toBe(stores);
    expect(s.list()).toEqual(["g"]);
    s.delete("g");
    expect(s.get("g")).toBeUndefined();
    s.close();
  });

  it("expires groups idle longer than the TTL and keeps used ones", () => {
    let now = 0;
    const s = new MemorySessionStore({ ttlMs: 100, now: () => now });
    s.set("idle", {});
    s.set("used", {});
    now = 80;
    s.get("used");
    now = 150;
    expect(s.get("idle")).toBeUndefined();
    expect(s.get("used")).toEqual({});
    now = 400;
    s.sweep();
    expect(s.size).toBe(0);
    s.close();
  });

  it("defaults the TTL to 24 hours", () => {
    let now = 0;
    const s = new MemorySessionStore({ now: () => now });
    s.set("g", {});
    now = 24 * 60 * 60 * 1000 - 1;
    expect(s.get("g")).toEqual({});
    now += 24 * 60 * 60 * 1000 + 1;
    expect(s.get("g")).toBeUndefined();
    s.close();
  });

  it("drops the least recently used groups beyond maxSessions", () => {
    const s = new MemorySessionStore({ maxSessions: 3 });
    for (const id of ["a", "b", "c"]) s.set(id, {});
    s.get("a");
    s.set("d", {});
    expect(s.list().sort()).toEqual(["a", "c", "d"]);
    s.set("e", {});
    expect(s.size).toBe(3);
    expect(s.get("c")).toBeUndefined();
    s.close();
  });
});
