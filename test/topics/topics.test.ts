/**
 * Topics and presence on one instance, over real WebSockets: subscribe, unsubscribe and
 * publish, the ACL, one render per group however many messages arrive in one tick, presence
 * joins and leaves, and a closed connection leaving.
 */
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/server/options.js";
import type { LiveHandler } from "../../src/server/live-handler.js";
import { serve, type Served } from "../server/harness.js";
import { until } from "../redis/cluster.js";
import { roomHandler, RoomTab } from "./room.js";
import type { TopicRequest } from "../../src/topics/types.js";

let served: Served | undefined;
const tabs: RoomTab[] = [];

afterEach(async () => {
  await Promise.all(tabs.splice(0).map((t) => t.close()));
  await served?.stop();
  served = undefined;
});

async function start(options: Parameters<typeof roomHandler>[0] = {}): Promise<Served> {
  served = await serve(roomHandler({ logger: silentLogger, ...options }) as unknown as LiveHandler);
  return served;
}

async function tab(s: Served, user: string, room = "lobby", group?: string): Promise<RoomTab> {
  const t = await RoomTab.open(`${s.wsUrl}?room=${room}`, user, group);
  tabs.push(t);
  return t;
}

describe("topics", () => {
  it("delivers handler.publish to the subscribed groups only", async () => {
    const s = await start();
    const ada = await tab(s, "ada", "a");
    const bob = await tab(s, "bob", "a");
    const cyd = await tab(s, "cyd", "b");
    s.handler.publish("room:a", { text: "hello a" });
    await until(() => ada.messages.includes("hello a") && bob.messages.includes("hello a"), "delivery to room a");
    await cyd.settle();
    expect(cyd.messages).toEqual([]);
    s.handler.publish("room:b", { text: "hello b" });
    await until(() => cyd.messages.includes("hello b"), "delivery to room b");
    expect(ada.messages).toEqual(["hello a"]);
  });

  it("delivers ctx.publish from an action to every subscriber, the sender's group included", async () => {
    const s = await start();
    const ada = await tab(s, "ada");
    const bob = await tab(s, "bob");
    expect((await ada.act("say", { text: "hi all" })).meta?.success).toBe(true);
    await until(() => ada.messages.includes("hi all") && bob.messages.includes("hi all"), "both tabs show it");
  });

  it("takes back an action's topic calls when the action fails: nothing published, subscribed, tracked or left", async () => {
    const s = await start();
    const ada = await tab(s, "ada");
    const bob = await tab(s, "bob");
    await until(() => bob.online.join() === "ada,bob", "both online");
    const reply = await ada.act("doThenFail");
    expect(reply.meta?.success).toBe(false);
    s.handler.publish("side", { text: "to side" });
    s.handler.publish("room:lobby", { text: "still subscribed" });
    await until(() => ada.messages.includes("still subscribed") && bob.messages.includes("still subscribed"), "the room still delivers to both");
    await ada.settle();
    expect(ada.messages).toEqual(["still subscribed"]);
    expect(bob.messages).toEqual(["still subscribed"]);
    expect(s.handler.presence("side")).toEqual([]);
    expect(s.handler.presence("room:lobby").map((e) => [e.key, (e.metas[0] as { name: string }).name])).toEqual([
      ["ada", "ada"],
      ["bob", "bob"],
    ]);
    expect(bob.online).toEqual(["ada", "bob"]);
  });

  it("stops delivering after unsubscribe", async () => {
    const s = await start();
    const ada = await tab(s, "ada");
    const bob = await tab(s, "bob");
    await bob.act("leave");
    s.handler.publish("room:lobby", { text: "after" });
    await until(() => ada.messages.includes("after"), "ada gets it");
    await bob.act("say", { text: "" }); // a render of bob's state, queued after the delivery
    expect(bob.messages).toEqual([]);
    expect(/<p id="count">0<\/p>/.test(bob.html)).toBe(true);
  });

  it("lets any connection subscribe without an ACL, and refuses what the ACL refuses", async () => {
    const asked: TopicRequest[] = [];
    const s = await start({
      topics: {
        authorize: async (r) => {
          asked.push(r);
          return !(r.topic === "staff" && r.userId !== "boss");
        },
      },
    });
    const eve = await tab(s, "eve");
    const boss = await tab(s, "boss");
    const refused = await eve.act("join", { topic: "staff" });
    expect(refused.meta?.success).toBe(false);
    expect((await boss.act("join", { topic: "staff" })).meta?.success).toBe(true);
    expect(asked.some((r) => r.kind === "subscribe" && r.topic === "staff" && r.userId === "eve")).toBe(true);
    expect(asked.some((r) => r.kind === "track" && r.topic === "room:lobby")).toBe(true);
    s.handler.publish("staff", { text: "staff only" });
    await until(() => boss.messages.includes("staff only"), "boss gets it");
    await eve.act("say", { text: "" });
    expect(eve.messages).not.toContain("staff only");
  });

  it("runs onMessage for each of many messages published in one tick and renders each group once", async () => {
    const s = await start();
    // Three groups; dan has two tabs of one group.
    const ada = await tab(s, "ada");
    const bob = await tab(s, "bob");
    const dan1 = await tab(s, "dan", "lobby", "g-dan");
    const dan2 = await tab(s, "dan", "lobby", "g-dan");
    const all = [ada, bob, dan1, dan2];
    await Promise.all(all.map((t) => until(() => t.online.length === 3, "presence settled")));
    await Promise.all(all.map((t) => t.settle()));
    const frames = all.map((t) => t.frames);
    const renders = s.handler.metrics().renders;
    const n = 100;
    for (let i = 0; i < n; i++) s.handler.publish("room:lobby", { text: `m${i}` });
    await Promise.all(all.map((t) => until(() => t.messages.length === n, "every message shown")));
    await Promise.all(all.map((t) => t.settle()));
    expect(all.map((t) => t.frames - frames[all.indexOf(t)]!)).toEqual([1, 1, 1, 1]);
    expect(s.handler.metrics().renders - renders).toBe(3);
    expect(ada.messages).toEqual(Array.from({ length: n }, (_, i) => `m${i}`));
    expect(/<p id="count">100<\/p>/.test(dan2.html)).toBe(true);
  });

  it("refuses a bad topic name or an event that is not JSON, and delivers nothing", async () => {
    const s = await start();
    const ada = await tab(s, "ada");
    expect(() => s.handler.publish("", { text: "x" })).toThrow(expect.objectContaining({ code: "LT_ERR_TOPIC_INVALID" }));
    expect(() => s.handler.publish("x".repeat(201), 1)).toThrow(expect.objectContaining({ code: "LT_ERR_TOPIC_INVALID" }));
    expect(() => s.handler.publish("room:lobby", { n: 1n })).toThrow(expect.objectContaining({ code: "LT_ERR_TOPIC_INVALID" }));
    const cycle: Record<string, unknown> = {};
    cycle["self"] = cycle;
    expect(() => s.handler.publish("room:lobby", cycle)).toThrow(expect.objectContaining({ code: "LT_ERR_TOPIC_INVALID" }));
    expect(() => s.handler.presence("")).toThrow(expect.objectContaining({ code: "LT_ERR_TOPIC_INVALID" }));
    await ada.act("say", { text: "" });
    await until(() => ada.messages.length === 1, "only the valid message");
    expect(ada.messages).toEqual([""]);
  });
});

describe("presence", () => {
  it("lists joins on every tab and delivers the join diff", async () => {
    const s = await start();
    const ada = await tab(s, "ada");
    expect(ada.online).toEqual(["ada"]);
    const bob = await tab(s, "bob");
    // The joiner's first render already lists everyone; the others follow with the diff.
    expect(bob.online).toEqual(["ada", "bob"]);
    await until(() => ada.online.join() === "ada,bob", "ada sees bob");
    expect(ada.lastDiff).toBe("joined bob left ");
    const list = s.handler.presence("room:lobby");
    expect(list.map((e) => e.key)).toEqual(["ada", "bob"]);
    expect(list[1]!.metas).toEqual([{ name: "bob" }]);
  });

  it("keeps one key with a meta per tab, and removes a closed connection at once", async () => {
    const s = await start();
    const ada = await tab(s, "ada");
    const bob1 = await tab(s, "bob", "lobby", "g-bob");
    const bob2 = await tab(s, "bob", "lobby", "g-bob");
    await until(() => s.handler.presence("room:lobby").find((e) => e.key === "bob")?.metas.length === 2, "two metas for bob");
    await until(() => ada.online.join() === "ada,bob", "ada sees bob");
    await bob1.close();
    await until(() => s.handler.presence("room:lobby").find((e) => e.key === "bob")?.metas.length === 1, "one meta left");
    await ada.settle();
    expect(ada.online).toEqual(["ada", "bob"]);
    await bob2.close();
    await until(() => ada.online.join() === "ada", "bob left");
    expect(s.handler.presence("room:lobby").map((e) => e.key)).toEqual(["ada"]);
  });

  it("coalesces joins within the batch window into one presence update per group", async () => {
    const s = await start({ topics: { presenceBatchMs: 300 } });
    const watcher = await tab(s, "watcher");
    await watcher.settle();
    const before = watcher.frames;
    const joiners = await Promise.all(Array.from({ length: 8 }, (_, i) => tab(s, `user${i}`)));
    await until(() => watcher.online.length === 9, "watcher sees all nine");
    await watcher.settle();
    // Eight joins within the window: one or two frames (the window may split them), never eight.
    expect(watcher.frames - before).toBeLessThanOrEqual(2);
    expect(joiners.length).toBe(8);
  });

  it("tells subscribers who left", async () => {
    const s = await start();
    const ada = await tab(s, "ada");
    const bob = await tab(s, "bob");
    await until(() => ada.online.length === 2, "bob joined");
    await bob.close();
    await until(() => ada.online.join() === "ada", "bob left");
    expect(ada.lastDiff).toBe("joined  left bob");
    expect(s.handler.presence("room:lobby").length).toBe(1);
  });
});
