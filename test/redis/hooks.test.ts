/**
 * Lifecycle hooks and `broadcaster.send()` with a session store shared by two handlers through a
 * real redis-server: what they change is saved on the latest state with a version check, so an
 * instance holding an outdated copy never overwrites (or loses) actions saved by another one.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { IncomingMessage } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RedisSessionStore } from "../../src/adapters/redis/index.js";
import { Template } from "../../src/live/template.js";
import type { Authenticator } from "../../src/server/authenticator.js";
import type { LiveHandler } from "../../src/server/live-handler.js";
import { silentLogger } from "../../src/server/options.js";
import type { Broadcaster, ConnectContext, SessionStores } from "../../src/session/types.js";
import { freePort, redisAvailable, RedisServer, Tab, until } from "./cluster.js";

const PREFIX = "lt:hooks:";
const run = redisAvailable();

/** What a store's own timer would do, keyed by connection: the test fires them by hand. */
const ticks = new Map<string, () => Promise<void>>();

class Visits {
  Count = 0;
  Connects = 0;
  Disconnects = 0;
  Ticks = 0;

  increment(): void {
    this.Count++;
  }

  onConnect(ctx: ConnectContext, broadcaster: Broadcaster): void {
    this.Connects++;
    ticks.set(ctx.connectionId, () => {
      this.Ticks++;
      return broadcaster.send();
    });
  }

  onDisconnect(): void {
    this.Disconnects++;
  }
}

const TEMPLATE = `<p>count=<b>{{.Count}}</b> banner=<i>{{.Connects}}/{{.Disconnects}}/{{.Ticks}}</i></p>`;

const auth: Authenticator = {
  identify: (req: IncomingMessage) => String(req.headers["x-user"] ?? ""),
  getSessionGroup: (req: IncomingMessage, user: string) => String(req.headers["x-group"] ?? `solo-${user}`),
};

interface Node {
  url: string;
  store: RedisSessionStore;
  handler: LiveHandler;
  server: http.Server;
}

// Skipped only when /usr/bin/redis-server is not installed (and LT_REQUIRE_EXTERNAL is not set).
describe.skipIf(!run)("lifecycle hooks with a session store shared through Redis", () => {
  let redis: RedisServer;
  let a: Node;
  let b: Node;
  let peek: RedisSessionStore;
  const tabs: Tab[] = [];

  // No broadcast bus on purpose: an instance learns of the other's saves only through the store,
  // which is the situation where an outdated copy could overwrite newer state.
  const node = async (): Promise<Node> => {
    const store = new RedisSessionStore({ redis: redis.url, prefix: PREFIX, logger: silentLogger, timeoutMs: 1000 });
    const handler = new Template("visits").parse(TEMPLATE).handle(Visits, {
      sessionStore: store,
      authenticator: auth,
      rateLimit: false,
      heartbeatMs: 0,
      clientScript: { inject: false },
      logger: silentLogger,
    });
    const server = http.createServer(handler);
    handler.attach(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, store, handler, server };
  };
  const open = async (n: Node, group: string): Promise<Tab> => {
    const t = await Tab.open(n.url, "u", group);
    tabs.push(t);
    return t;
  };
  const stored = async (group: string): Promise<Visits | undefined> => (await peek.get(group))?.[""] as Visits | undefined;
  const fields = (v: Visits | undefined) => ({ Count: v?.Count, Connects: v?.Connects, Disconnects: v?.Disconnects, Ticks: v?.Ticks });

  beforeAll(async () => {
    redis = new RedisServer(await freePort());
    await redis.start();
    a = await node();
    b = await node();
    peek = new RedisSessionStore({ redis: redis.url, prefix: PREFIX, logger: silentLogger });
    peek.bind({ names: [""], createStores: async (): Promise<SessionStores> => ({ "": new Visits() }) });
  });

  afterEach(() => {
    for (const t of tabs.splice(0)) t.close();
  });

  afterAll(async () => {
    for (const n of [a, b]) {
      if (n === undefined) continue;
      await n.handler.close();
      await n.store.close();
      n.server.close();
    }
    await peek?.close();
    await redis?.stop();
  });

  it("runs onConnect and onDisconnect on the latest saved state, keeping the other instance's actions", async () => {
    const first = await open(a, "latest");
    const onB = await open(b, "latest");
    for (let i = 0; i < 3; i++) onB.send("increment");
    await until(async () => (await stored("latest"))?.Count === 3, "B's three increments to be saved");

    // A still holds Count 0 in memory (it has a live tab, and no bus told it about B's saves).
    const second = await open(a, "latest");
    expect(second.count).toBe(3);
    expect(fields(await stored("latest"))).toEqual({ Count: 3, Connects: 3, Disconnects: 0, Ticks: 0 });

    // B's copy is now the outdated one: its onDisconnect must not undo A's onConnect.
    onB.close();
    await until(async () => (await stored("latest"))?.Disconnects === 1, "B's onDisconnect to be saved");
    expect(fields(await stored("latest"))).toEqual({ Count: 3, Connects: 3, Disconnects: 1, Ticks: 0 });
    first.close();
    second.close();
    await until(async () => (await stored("latest"))?.Disconnects === 3, "A's onDisconnects to be saved");
    expect(fields(await stored("latest"))).toEqual({ Count: 3, Connects: 3, Disconnects: 3, Ticks: 0 });
  });

  it("loses no action while the other instance's connections run onConnect and onDisconnect", async () => {
    const onB = await open(b, "busy");
    for (let i = 0; i < 200; i++) onB.send("increment");
    for (let i = 0; i < 10; i++) (await open(a, "busy")).close();
    await until(async () => (await stored("busy"))?.Count === 200, "all 200 increments to be saved", 20_000);
    const last = await open(a, "busy");
    expect(last.count).toBe(200);
    // A hook's change that lost the race to an increment is dropped (never the increment): the
    // hooks cannot be run twice. At most the eleven connects were counted.
    const end = await stored("busy");
    expect(end?.Count).toBe(200);
    expect(end?.Connects).toBeLessThanOrEqual(12);
    expect(end?.Disconnects).toBeLessThanOrEqual(10);
  });

  it("drops a broadcaster.send() change made on an outdated copy instead of overwriting newer state", async () => {
    const onA = await open(a, "timer");
    const tick = [...ticks.entries()].at(-1)?.[1];
    expect(tick).toBeDefined();
    const onB = await open(b, "timer");
    for (let i = 0; i < 2; i++) onB.send("increment");
    await until(async () => (await stored("timer"))?.Count === 2, "B's increments to be saved");

    // A's store object is the outdated copy (Count 0): its timer's change cannot be applied.
    await tick!();
    await until(() => onA.count === 2, "A's tab to show the saved state");
    expect(fields(await stored("timer"))).toEqual({ Count: 2, Connects: 2, Disconnects: 0, Ticks: 0 });

    // On the current copy the timer's change is saved and reaches every tab.
    const fresh = await open(a, "timer");
    const current = [...ticks.entries()].at(-1)?.[1];
    await current!();
    await until(async () => (await stored("timer"))?.Ticks === 1, "the tick to be saved");
    expect(fields(await stored("timer"))).toEqual({ Count: 2, Connects: 3, Disconnects: 0, Ticks: 1 });
    expect(fresh.count).toBe(2);
  });
});
