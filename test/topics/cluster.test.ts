/**
 * Topics and presence across three instances (child processes) sharing a real `redis-server`:
 * the presence list is the same on every instance after joins, after leaves, after an instance
 * is killed with -9 (once the expiry bound has passed: heartbeat 200 ms, expiry 1,000 ms here)
 * and after Redis itself was down; every published message reaches each subscriber exactly once.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, redisAvailable, RedisServer, until } from "../redis/cluster.js";
import { RoomTab } from "./room.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BUNDLE = `${ROOT}node_modules/.cache/lt-topics-test/instance.mjs`;
const run = redisAvailable();

async function bundle(): Promise<void> {
  const esbuild = await import("esbuild");
  await esbuild.build({
    entryPoints: [`${ROOT}test/topics/instance.ts`],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    outfile: BUNDLE,
    logLevel: "error",
  });
}

/** One instance process, with request/reply over IPC. */
class Node {
  port = 0;
  stderr = "";
  private proc: ChildProcess | undefined;
  private nextId = 0;
  private readonly replies = new Map<number, (m: Record<string, unknown>) => void>();

  constructor(
    private readonly redisUrl: string,
    private readonly env: Record<string, string> = {},
  ) {}

  get url(): string {
    return `ws://127.0.0.1:${this.port}/`;
  }

  async start(): Promise<void> {
    this.port = 0;
    const proc = fork(BUNDLE, [], { env: { ...process.env, REDIS_URL: this.redisUrl, ...this.env }, stdio: ["ignore", "ignore", "pipe", "ipc"] });
    this.proc = proc;
    proc.stderr?.on("data", (d: Buffer) => (this.stderr += d.toString()));
    proc.on("message", (m: Record<string, unknown>) => {
      if (typeof m["ready"] === "number") this.port = m["ready"];
      if (typeof m["id"] === "number") this.replies.get(m["id"])?.(m);
    });
    await until(() => this.port !== 0, "instance start");
  }

  private ask(cmd: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = ++this.nextId;
    return new Promise((resolve) => {
      this.replies.set(id, resolve);
      this.proc?.send({ id, ...cmd });
    });
  }

  async presence(topic = "room:lobby"): Promise<string[]> {
    return (await this.ask({ cmd: "presence", topic }))["keys"] as string[];
  }

  async publish(text: string, topic = "room:lobby"): Promise<void> {
    await this.ask({ cmd: "publish", topic, text });
  }

  async kill(): Promise<void> {
    const proc = this.proc;
    if (proc === undefined || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGKILL");
    await exited;
  }
}

/** `count` instances on a fresh `redis-server`, started before the suite's tests and stopped after; `tabs` are closed then too. */
function cluster(count: number, env: Record<string, string> = {}): { redis: RedisServer; nodes: Node[]; tabs: RoomTab[] } {
  const redis = new RedisServer(0);
  const nodes: Node[] = [];
  const tabs: RoomTab[] = [];
  beforeAll(async () => {
    Object.assign(redis, { port: await freePort() });
    await Promise.all([bundle(), redis.start()]);
    for (let i = 0; i < count; i++) nodes.push(new Node(redis.url, env));
    await Promise.all(nodes.map((n) => n.start()));
  }, 30_000);
  afterAll(async () => {
    await Promise.all(tabs.map((t) => t.close()));
    await Promise.all(nodes.map((n) => n.kill()));
    await redis.stop();
  });
  return { redis, nodes, tabs };
}

describe.skipIf(!run)("topics and presence on three instances sharing Redis", () => {
  const { redis, nodes, tabs } = cluster(3);

  const open = async (node: Node, user: string): Promise<RoomTab> => {
    const t = await RoomTab.open(node.url, user);
    tabs.push(t);
    return t;
  };

  /** Waits until every live instance lists exactly `keys` (sorted) and returns what they list. */
  const sameEverywhere = async (live: Node[], keys: string[], what: string): Promise<void> => {
    const expected = keys.map((k) => `${k}:1`).sort();
    await until(async () => {
      const lists = await Promise.all(live.map((n) => n.presence()));
      return lists.every((l) => JSON.stringify(l) === JSON.stringify(expected));
    }, what, 15_000);
  };

  it("lists every join on every instance, and each tab shows them", async () => {
    const users = ["a1", "a2", "a3", "b1", "b2", "b3", "c1", "c2", "c3"];
    for (const u of users) await open(nodes["abc".indexOf(u[0]!)]!, u);
    await sameEverywhere(nodes, users, "joins on every instance");
    await until(() => tabs.every((t) => t.online.join() === users.join()), "every tab shows the nine");
  }, 30_000);

  it("delivers each message exactly once to each subscriber, from every instance", async () => {
    const sent: string[] = [];
    for (let i = 0; i < 10; i++) {
      for (const [j, n] of nodes.entries()) {
        const text = `n${j}-${i}`;
        sent.push(text);
        await n.publish(text);
      }
    }
    // And some from actions (ctx.publish) on each instance.
    for (const t of [tabs[0]!, tabs[4]!, tabs[8]!]) {
      const text = `act-${t.online.length}-${tabs.indexOf(t)}`;
      sent.push(text);
      await t.act("say", { text });
    }
    await until(() => tabs.every((t) => t.messages.length >= sent.length), "every tab got every message", 15_000);
    // A short settle: a duplicate would arrive right behind the originals.
    await Promise.all(tabs.map((t) => t.settle()));
    await new Promise((r) => setTimeout(r, 300));
    for (const t of tabs) {
      expect([...t.messages].sort()).toEqual([...sent].sort());
      // Messages of one instance arrive in the order it published them.
      for (let j = 0; j < 3; j++) {
        const mine = t.messages.filter((m) => m.startsWith(`n${j}-`));
        expect(mine).toEqual(Array.from({ length: 10 }, (_, i) => `n${j}-${i}`));
      }
    }
  }, 30_000);

  it("removes leavers everywhere", async () => {
    await tabs[0]!.close();
    await tabs[4]!.close();
    await sameEverywhere(nodes, ["a2", "a3", "b1", "b3", "c1", "c2", "c3"], "leaves on every instance");
  }, 20_000);

  it("drops a killed instance's entries everywhere after the expiry bound, and takes it back when it returns", async () => {
    await nodes[2]!.kill();
    await sameEverywhere(nodes.slice(0, 2), ["a2", "a3", "b1", "b3"], "c's users expired");
    await until(() => tabs[1]!.online.join() === "a2,a3,b1,b3", "a tab on a shows it");
    await nodes[2]!.start();
    await open(nodes[2]!, "c9");
    await sameEverywhere(nodes, ["a2", "a3", "b1", "b3", "c9"], "the restarted instance's user everywhere");
  }, 30_000);

  it("is consistent again after Redis was down", async () => {
    await redis.stop();
    // While Redis is away: a join on a and a leave on b.
    await open(nodes[0]!, "a7");
    await tabs[5]!.close(); // b3
    await new Promise((r) => setTimeout(r, 1500));
    await redis.start();
    await sameEverywhere(nodes, ["a2", "a3", "a7", "b1", "c9"], "presence after the outage");
    // Messages flow again, once each.
    await nodes[1]!.publish("after the outage");
    const live = tabs.filter((t) => t.ws.readyState === t.ws.OPEN);
    await until(() => live.every((t) => t.messages.includes("after the outage")), "message after the outage", 15_000);
    for (const t of live) expect(t.messages.filter((m) => m === "after the outage").length).toBe(1);
  }, 40_000);
});

describe.skipIf(!run)("topic messages with a shared Redis session store", () => {
  const { nodes, tabs } = cluster(2, { SHARED_STORE: "1", CHANNEL: "shared-rooms" });

  it("changes a group held by two instances once per message: onMessage runs on one of them", async () => {
    // One session group (ada's) with a tab on each instance, and bob on the second.
    const onA = await RoomTab.open(nodes[0]!.url, "ada");
    const onB = await RoomTab.open(nodes[1]!.url, "ada");
    const bob = await RoomTab.open(nodes[1]!.url, "bob");
    tabs.push(onA, onB, bob);
    await until(() => [onA, onB, bob].every((t) => t.online.join() === "ada,bob"), "both online everywhere", 15_000);
    const sent = ["one", "two", "three", "four", "five"];
    for (const [i, text] of sent.entries()) await nodes[i % 2]!.publish(text);
    await onA.act("say", { text: "six" });
    sent.push("six");
    await until(() => [onA, onB, bob].every((t) => t.messages.length >= sent.length), "every tab got every message", 15_000);
    await Promise.all([onA, onB, bob].map((t) => t.settle()));
    await new Promise((r) => setTimeout(r, 400));
    for (const t of [onA, onB, bob]) expect([...t.messages].sort()).toEqual([...sent].sort());
    // The count of onMessage calls the group's state saw (shown in the page) is one per message.
    const count = (t: RoomTab) => Number(/<p id="count">(\d+)<\/p>/.exec(t.html)?.[1]);
    expect(count(onA)).toBe(sent.length);
    expect(count(onB)).toBe(sent.length);
  }, 40_000);
});
