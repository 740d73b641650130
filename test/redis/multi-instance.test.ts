/**
 * Several app instances (child processes) sharing a real redis-server: tab sync across
 * instances, each kind of broadcast, concurrent actions on one group, Redis outages (down at
 * start, killed mid-run, paused so that saves time out) and an instance restart.
 */
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RedisSessionStore } from "../../src/adapters/redis/index.js";
import { silentLogger } from "../../src/server/options.js";
import type { SessionStores } from "../../src/session/types.js";
import { bundleInstance, freePort, Instance, redisAvailable, RedisServer, Tab, until } from "./cluster.js";
import { Counter } from "./counter.js";

const PREFIX = "lt:multi:";
const run = redisAvailable();

// Skipped only when /usr/bin/redis-server is not installed (and LT_REQUIRE_EXTERNAL is not set).
describe.skipIf(!run)("several instances sharing Redis", () => {
  let redis: RedisServer;
  let script: string;
  let a: Instance;
  let b: Instance;
  /** A store of the test's own, to read (and, for broadcasts, write) what Redis holds. */
  let peek: RedisSessionStore;
  const tabs: Tab[] = [];

  const open = async (inst: Instance, user: string, group: string): Promise<Tab> => {
    const t = await Tab.open(inst.url, user, group);
    tabs.push(t);
    return t;
  };
  const stored = async (group: string): Promise<Counter | undefined> => (await peek.get(group))?.[""] as Counter | undefined;
  /** Changes a group in Redis behind the instances' backs (no notice), like another service would. */
  const writeBehind = async (group: string, change: (c: Counter) => void): Promise<void> => {
    await peek.transact(group, { "": new Counter() }, async (s: SessionStores) => {
      change(s[""] as Counter);
      return true;
    });
  };

  beforeAll(async () => {
    redis = new RedisServer(await freePort());
    await redis.start();
    script = await bundleInstance();
    // These tests describe the opt-in availability-first policy (see docs/redis.md); the default
    // policy, which never acknowledges an unsaved action, has its own fault test (faults.test.ts).
    const env = { REDIS_URL: redis.url, PREFIX, UNAVAILABLE: "serve-from-memory" };
    a = new Instance(script, env);
    b = new Instance(script, env);
    await Promise.all([a.start(), b.start()]);
    peek = new RedisSessionStore({ redis: redis.url, prefix: PREFIX, logger: silentLogger });
    peek.bind({ names: [""], createStores: async () => ({ "": new Counter() }) });
  });

  afterEach(() => {
    for (const t of tabs.splice(0)) t.close();
    // No instance may have crashed (an unhandled rejection exits with 70).
    expect({ a: a.exitCode, b: b.exitCode, stderr: /UNHANDLED|UNCAUGHT/.test(a.stderr + b.stderr) }).toEqual({ a: null, b: null, stderr: false });
  });

  afterAll(async () => {
    await peek?.close();
    await Promise.all([a?.kill(), b?.kill()]);
    await redis?.stop();
  });

  it("updates every tab of a session group after an action on either instance", async () => {
    const onA = await open(a, "u", "sync");
    const onB = await open(b, "u", "sync");
    const onB2 = await open(b, "u", "sync");
    onA.send("increment");
    await until(() => onB.count === 1 && onB2.count === 1, "tabs on B to show 1");
    onB.send("increment");
    await until(() => onA.count === 2 && onB2.count === 2, "tabs on A and B to show 2");
    expect((await stored("sync"))?.Count).toBe(2);
  });

  it("reaches connections on every instance with broadcast, broadcastToUsers and broadcastToGroup", async () => {
    const ann = await open(b, "ann", "g-ann");
    const bob = await open(b, "bob", "g-bob");
    const annOnA = await open(a, "ann", "g-ann");

    // Shared state changed elsewhere (no notice): only a broadcast makes the instances re-render.
    await writeBehind("g-ann", (c) => (c.Banner = "for-ann"));
    await writeBehind("g-bob", (c) => (c.Banner = "for-bob"));
    expect(await a.broadcast({ kind: "users", ids: ["ann"] })).toBe(true);
    await until(() => ann.banner === "for-ann" && annOnA.banner === "for-ann", "ann's tabs to re-render");
    expect(bob.banner).toBe("none");

    expect(await a.broadcast({ kind: "all" })).toBe(true);
    await until(() => bob.banner === "for-bob", "bob's tab on B to re-render after broadcast()");

    await writeBehind("g-bob", (c) => (c.Banner = "bob-again"));
    expect(await a.broadcast({ kind: "group", group: "g-bob" })).toBe(true);
    await until(() => bob.banner === "bob-again", "bob's group to re-render after broadcastToGroup");

    // An update function runs where it is called, on the groups held there; the result reaches
    // the group's tabs on the other instance through the store.
    expect(await a.broadcast({ kind: "group", group: "g-ann", banner: "updated-on-A" })).toBe(true);
    await until(() => ann.banner === "updated-on-A", "ann's tab on B to show the update made on A");
    expect((await stored("g-ann"))?.Banner).toBe("updated-on-A");
  });

  it("loses no increment when both instances run 500 actions on one group at the same time", async () => {
    const onA = await open(a, "r", "race");
    const onB = await open(b, "r", "race");
    const before = (await a.stats()).conflicts + (await b.stats()).conflicts;
    for (let i = 0; i < 500; i++) {
      onA.send("increment");
      onB.send("increment");
    }
    await until(() => onA.count === 1000 && onB.count === 1000, "both tabs to show 1000", 40_000);
    expect((await stored("race"))?.Count).toBe(1000);
    // The race did happen: saves were refused and their actions re-run on the winning state.
    const after = (await a.stats()).conflicts + (await b.stats()).conflicts;
    expect(after).toBeGreaterThan(before);
  });

  it("keeps serving from memory while Redis is down, then converges on one state", async () => {
    const onA = await open(a, "o", "outage");
    const onB = await open(b, "o", "outage");
    onA.send("increment");
    await until(() => onB.count === 1, "first increment to reach B");

    await redis.stop();
    for (let i = 0; i < 3; i++) onA.send("increment");
    onB.send("increment");
    await until(() => onA.count === 4 && onB.count === 2, "each instance to serve its own tab from memory");

    await redis.start();
    await until(async () => {
      const saved = (await stored("outage"))?.Count;
      return saved !== undefined && onA.count === saved && onB.count === saved;
    }, "both instances and Redis to agree", 15_000);
    // Redis restarted empty; the first instance to save wins, the other gives way.
    expect([4, 2]).toContain(onA.count);

    const before = onA.count;
    onB.send("increment");
    await until(() => onA.count === before + 1, "updates to flow again after the outage");
    expect(a.stderr).toMatch(/Redis unreachable/);
  });

  it("ends with one state on both instances when a save times out but lands later", async () => {
    const onA = await open(a, "s", "slow");
    const onB = await open(b, "s", "slow");
    onA.send("increment");
    await until(() => onB.count === 1, "first increment to reach B");

    // Writes (and scripts) wait 1.5 s: the instances' calls time out after 0.5 s, then run.
    const admin = new Redis(redis.url, { lazyConnect: false });
    await admin.call("CLIENT", "PAUSE", "1500", "WRITE");
    onA.send("increment");
    await until(() => onA.count === 2, "A to apply the action in memory");
    await until(async () => (await stored("slow"))?.Count === 2 && onB.count === 2, "B and Redis to show 2", 15_000);
    expect(onA.count).toBe(2);
    await admin.quit();
  });

  it("lets a restarted instance serve the state saved in Redis", async () => {
    const first = await open(a, "k", "survivor");
    for (let i = 0; i < 3; i++) first.send("increment");
    await until(() => first.count === 3, "three increments");
    await a.kill();
    await a.start();
    const again = await open(a, "k", "survivor");
    expect(again.count).toBe(3);
    const onB = await open(b, "k", "survivor");
    again.send("increment");
    await until(() => onB.count === 4, "the restarted instance's update to reach B");
  });

  it("serves from memory when Redis is down at start, and saves once it comes up", async () => {
    const port = await freePort();
    const late = new RedisServer(port);
    const c = new Instance(script, { REDIS_URL: late.url, PREFIX, UNAVAILABLE: "serve-from-memory" });
    try {
      await c.start();
      const tab = await open(c, "l", "late");
      tab.send("increment");
      tab.send("increment");
      await until(() => tab.count === 2, "actions served from memory");
      await late.start();
      const probe = new RedisSessionStore({ redis: late.url, prefix: PREFIX, logger: silentLogger });
      try {
        await until(async () => ((await probe.get("late"))?.[""] as { Count?: number } | undefined)?.Count === 2, "the state to be saved", 15_000);
      } finally {
        await probe.close();
      }
      expect(c.exitCode).toBeNull();
    } finally {
      await c.kill();
      await late.stop();
    }
  });
});
