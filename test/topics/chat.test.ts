/**
 * The gallery chat on topics and presence: rooms chosen by the query, who is online per room,
 * the typing indicator, and two instances sharing rooms over a real Redis bus (the instances
 * in one process here, each with its own bus connection; test/topics/cluster.test.ts runs
 * instances as separate processes).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RedisBroadcastBus } from "../../src/adapters/redis/index.js";
import { silentLogger } from "../../src/server/options.js";
import { createGallery, type Gallery } from "../../examples/gallery/app.js";
import { cookieOf, getPage, LiveSocket, textOf } from "../gallery/live-socket.js";
import { freePort, redisAvailable, RedisServer } from "../redis/cluster.js";

const galleries: Gallery[] = [];
const sockets: LiveSocket[] = [];

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await Promise.all(galleries.splice(0).map((g) => g.close()));
});

async function visit(base: string, room?: string): Promise<LiveSocket> {
  const url = room === undefined ? `${base}/chat` : `${base}/chat?room=${room}`;
  const { res } = await getPage(url);
  const s = await LiveSocket.open(url, cookieOf(res));
  sockets.push(s);
  return s;
}

const online = (s: LiveSocket): string => textOf(/<p class="muted" id="presence">([\s\S]*?)<\/p>/.exec(s.html)?.[1] ?? "").trim();
const typing = (s: LiveSocket): string => /<p class="muted" id="typing">([^<]*)<\/p>/.exec(s.html)?.[1] ?? "";

describe("the chat on one instance", () => {
  let base = "";
  beforeAll(async () => {
    const g = await createGallery({ port: 0, chatPresenceMs: 1 });
    galleries.push(g);
    base = g.url;
  });

  it("keeps rooms apart: messages and presence by ?room=", async () => {
    const ada = await visit(base, "alpha");
    await ada.send("rename", { name: "Ada" });
    const bob = await visit(base, "beta");
    await bob.send("rename", { name: "Bob" });
    const cyd = await visit(base, "alpha");
    await cyd.send("rename", { name: "Cyd" });
    await ada.waitForHtml(() => /2 online: Ada, Cyd/.test(online(ada)));
    expect(online(bob)).toMatch(/^1 online: Bob/);
    expect(ada.html).toContain("Chat: #alpha");
    await ada.send("send", { text: "alpha only" });
    await cyd.waitForHtml((h) => h.includes("alpha only"));
    await bob.send("send", { text: "beta only" });
    await bob.waitForHtml((h) => h.includes("beta only"));
    expect(bob.html).not.toContain("alpha only");
    expect(cyd.html).not.toContain("beta only");
    // A newcomer sees the room's history.
    const dan = await visit(base, "alpha");
    expect(dan.html).toContain("alpha only");
  });

  it("shows who is typing until they send", async () => {
    const ann = await visit(base, "typing");
    await ann.send("rename", { name: "Ann" });
    const ben = await visit(base, "typing");
    await ben.send("rename", { name: "Ben" });
    await ann.waitForHtml(() => online(ann).startsWith("2 online"));
    await ben.send("typing", { text: "hel" });
    await ann.waitForHtml(() => typing(ann) === "Ben typing…");
    expect(typing(ben)).toBe("");
    await ben.send("send", { text: "hello" });
    await ann.waitForHtml((h) => h.includes("hello") && typing(ann) === "");
  });

  it("ends a typing indicator when the typist leaves", async () => {
    const ann = await visit(base, "typing2");
    const ben = await visit(base, "typing2");
    await ann.waitForHtml(() => online(ann).startsWith("2 online"));
    await ben.send("typing", { text: "x" });
    await ann.waitForHtml(() => typing(ann).endsWith("typing…"));
    await ben.close();
    await ann.waitForHtml(() => typing(ann) === "" && online(ann).startsWith("1 online"));
  });
});

const run = redisAvailable();

describe.skipIf(!run)("the chat on two instances sharing Redis", () => {
  const redis = new RedisServer(0);
  const buses: RedisBroadcastBus[] = [];
  let a = "";
  let b = "";

  beforeAll(async () => {
    Object.assign(redis, { port: await freePort() });
    await redis.start();
    const two: Gallery[] = [];
    for (let i = 0; i < 2; i++) {
      const bus = new RedisBroadcastBus({ redis: redis.url, channel: "chat-test", logger: silentLogger });
      buses.push(bus);
      two.push(await createGallery({ port: 0, chatPresenceMs: 1, handlerOptions: { broadcastBus: bus, logger: silentLogger } }));
    }
    galleries.push(...two);
    [a, b] = two.map((g) => g.url) as [string, string];
  });

  afterAll(async () => {
    await Promise.all(galleries.splice(0).map((g) => g.close()));
    await Promise.all(buses.map((bus) => bus.close()));
    await redis.stop();
  });

  it("shows everyone online on both, carries messages and typing across, and drops a leaver", async () => {
    const ada = await visit(a, "x");
    await ada.send("rename", { name: "Ada" });
    const bob = await visit(b, "x");
    await bob.send("rename", { name: "Bob" });
    await ada.waitForHtml(() => online(ada) === "2 online: Ada, Bob");
    await bob.waitForHtml(() => online(bob) === "2 online: Ada, Bob");
    await bob.send("typing", { text: "h" });
    await ada.waitForHtml(() => typing(ada) === "Bob typing…");
    await bob.send("send", { text: "from instance b" });
    await ada.waitForHtml((h) => h.includes("from instance b") && typing(ada) === "");
    await ada.send("send", { text: "from instance a" });
    await bob.waitForHtml((h) => h.includes("from instance a"));
    // Each message once on each page.
    expect(ada.html.split("from instance b").length - 1).toBe(1);
    expect(bob.html.split("from instance a").length - 1).toBe(1);
    await bob.close();
    await ada.waitForHtml(() => online(ada) === "1 online: Ada");
  });
});
