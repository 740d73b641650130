/**
 * The Redis session store and bus in one process, against a real redis-server: compare-and-set
 * with re-run, TTL, listing, revival with prototypes, behaviour with Redis unreachable, and one
 * subscriber connection however many handlers listen.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisBroadcastBus, RedisSessionStore, SessionEncodeError, SessionUnavailableError, type UnavailablePolicy } from "../../src/adapters/redis/index.js";
import { RESYNC_CHANNEL, type BroadcastMessage } from "../../src/server/broadcast-bus.js";
import { silentLogger } from "../../src/server/options.js";
import type { SessionStores } from "../../src/session/types.js";
import { freePort, redisAvailable, RedisServer, until } from "./cluster.js";
import { Counter } from "./counter.js";

const run = redisAvailable();
const binding = { names: [""], createStores: async (): Promise<SessionStores> => ({ "": new Counter() }) };

// Skipped only when /usr/bin/redis-server is not installed (and LT_REQUIRE_EXTERNAL is not set).
describe.skipIf(!run)("RedisSessionStore and RedisBroadcastBus", () => {
  let redis: RedisServer;
  let admin: Redis;
  const stores: RedisSessionStore[] = [];
  const store = (prefix = "lt:unit:", extra: { ttlMs?: number; redis?: string; unavailable?: UnavailablePolicy } = {}): RedisSessionStore => {
    const s = new RedisSessionStore({
      redis: extra.redis ?? redis.url,
      prefix,
      logger: silentLogger,
      timeoutMs: 300,
      ...(extra.ttlMs ? { ttlMs: extra.ttlMs } : {}),
      ...(extra.unavailable ? { unavailable: extra.unavailable } : {}),
    });
    s.bind(binding);
    stores.push(s);
    return s;
  };
  const count = (s: SessionStores): number => (s[""] as Counter).Count;

  beforeAll(async () => {
    redis = new RedisServer(await freePort());
    await redis.start();
    admin = new Redis(redis.url);
  });

  afterAll(async () => {
    for (const s of stores) await s.close();
    await admin?.quit();
    await redis?.stop();
  });

  it("re-runs a change that lost the race on the state that won", async () => {
    const one = store();
    const two = store();
    await one.set("race", { "": new Counter() });
    const held = (await one.get("race"))!;
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = one.transact("race", held, async (s) => {
      runs++;
      if (runs === 1) await gate; // the other instance saves meanwhile
      (s[""] as Counter).increment();
      return true;
    });
    await until(() => runs === 1, "the slow change to start");
    const fast = await two.transact("race", (await two.get("race"))!, async (s) => {
      (s[""] as Counter).increment();
      return true;
    });
    expect(fast.saved).toBe(true);
    release();
    const result = await slow;
    expect(runs).toBe(2);
    expect(count(result.stores)).toBe(2);
    expect(result.stores[""]).toBeInstanceOf(Counter);
    expect(count((await two.get("race"))!)).toBe(2);
  });

  it("runs a change on the newer state saved elsewhere instead of its stale copy", async () => {
    const one = store();
    const two = store();
    await one.set("stale", { "": new Counter() });
    const copy = (await one.get("stale"))!;
    await two.transact("stale", (await two.get("stale"))!, async (s) => ((s[""] as Counter).Count = 10, true));
    let seen = -1;
    const r = await one.transact("stale", copy, async (s) => {
      seen = count(s);
      return false;
    });
    expect(seen).toBe(10);
    expect(r.stores).not.toBe(copy);
    expect(r.saved).toBe(false);
  });

  it("rejects state that cannot be serialized and saves nothing", async () => {
    const s = store();
    const before = await admin.exists("lt:unit:bad");
    await expect(
      s.transact("bad", { "": new Counter() }, async (st) => {
        (st[""] as unknown as Record<string, unknown>)["cb"] = () => 1;
        return true;
      }),
    ).rejects.toBeInstanceOf(SessionEncodeError);
    expect(await admin.exists("lt:unit:bad")).toBe(before);
  });

  it("sets and refreshes the TTL, lists and deletes groups", async () => {
    const s = store("lt:ttl:", { ttlMs: 60_000 });
    await s.set("g1", { "": new Counter() });
    await s.set("g2", { "": new Counter() });
    const pttl = await admin.pttl("lt:ttl:g1");
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(60_000);
    expect((await s.list()).sort()).toEqual(["g1", "g2"]);
    await s.delete("g1");
    expect(await s.list()).toEqual(["g2"]);
    expect(await s.get("g1")).toBeUndefined();
  });

  it("keeps serving from memory when Redis cannot be reached, and remembers what to save", async () => {
    const dead = `redis://127.0.0.1:${await freePort()}`;
    // The opt-in availability-first policy; the default one is tested below.
    const s = store("lt:dead:", { redis: dead, unavailable: { mode: "serve-from-memory" } });
    const current = { "": new Counter() };
    let runs = 0;
    const r = await s.transact("g", current, async (st) => {
      runs++;
      (st[""] as Counter).increment();
      return true;
    });
    expect(runs).toBe(1);
    expect(r).toEqual({ stores: current, saved: false });
    expect(s.unsavedCount).toBe(1);
    expect(await s.get("g")).toBe(current);
  });

  it("fails a change with SessionUnavailableError after waitMs when Redis cannot be reached, and keeps nothing to save", async () => {
    const dead = `redis://127.0.0.1:${await freePort()}`;
    const s = store("lt:dead:", { redis: dead, unavailable: { mode: "wait", waitMs: 800 } });
    const started = Date.now();
    await expect(s.transact("g", { "": new Counter() }, async () => true)).rejects.toBeInstanceOf(SessionUnavailableError);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(s.unsavedCount).toBe(0);
  });

  it("re-seeds a group Redis lost from the newest copy an instance holds, and holds saves back while instances offer theirs", async () => {
    const one = new RedisSessionStore({ redis: redis.url, prefix: "lt:seed:", logger: silentLogger, unavailable: { mode: "wait", waitMs: 3000, settleMs: 400 } });
    const two = new RedisSessionStore({ redis: redis.url, prefix: "lt:seed:", logger: silentLogger, unavailable: { mode: "wait", waitMs: 3000, settleMs: 400 } });
    one.bind(binding);
    two.bind(binding);
    stores.push(one, two);
    const inc = async (st: SessionStores) => ((st[""] as Counter).increment(), true);
    let a = (await one.transact("g", { "": new Counter() }, inc)).stores; // 1
    let b = (await two.get("g"))!; // B knows 1
    a = (await one.transact("g", a, inc)).stores; // 2, B still holds 1
    await admin.del("lt:seed:g"); // Redis lost it
    // B offers its older copy first, then A its newer one: A's wins.
    expect((await two.transact("g", b, async () => false)).saved).toBe(true);
    expect(count((await one.transact("g", a, async () => false)).stores)).toBe(2);
    const started = Date.now();
    b = (await two.transact("g", b, inc)).stores;
    expect(count(b)).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200); // waited for the settle time
    expect(count((await one.get("g"))!)).toBe(3);
  });

  it("shares one subscriber connection between every listener of a bus", async () => {
    const bus = new RedisBroadcastBus({ redis: redis.url, channel: "lt:unit:bus", logger: silentLogger });
    const got: BroadcastMessage[][] = [[], [], []];
    const offs = await Promise.all(got.map((box) => bus.subscribe((m) => box.push(m))));
    await until(async () => {
      const [, n] = (await admin.call("PUBSUB", "NUMSUB", "lt:unit:bus")) as [string, number];
      return n === 1;
    }, "the subscription");
    const message: BroadcastMessage = { source: "x", channel: "c", target: { kind: "users", ids: ["u"] } };
    await bus.publish(message);
    const published = (box: BroadcastMessage[]) => box.filter((m) => m.source === "x");
    await until(() => got.every((box) => published(box).length === 1), "every listener to get the message");
    expect(published(got[0]!)[0]).toEqual(message);
    // Once subscribed, the bus asked its handlers to re-sync (it may have missed notices before).
    for (const box of got) expect(box[0]).toEqual({ source: "", channel: RESYNC_CHANNEL, target: { kind: "all" } });
    const [, n] = (await admin.call("PUBSUB", "NUMSUB", "lt:unit:bus")) as [string, number];
    expect(n).toBe(1);
    for (const off of offs) await off();
    await bus.close();
  });
});
