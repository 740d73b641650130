import type { IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { Authenticator } from "../../src/server/authenticator.js";
import { createLiveHandler } from "../../src/server/live-handler.js";
import { silentLogger } from "../../src/server/options.js";
import { createdViews } from "./fake-view.js";
import { Counter, counterView } from "./fixtures.js";
import { serve, sessionCookie, TestClient, type Served } from "./harness.js";

/** User from `x-user`, group (a room) from `x-room`: several users may share a room. */
const roomAuth: Authenticator = {
  identify: (req: IncomingMessage) => String(req.headers["x-user"] ?? ""),
  getSessionGroup: (req: IncomingMessage, user: string) => String(req.headers["x-room"] ?? `solo:${user}`),
};

let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

async function join(s: Served, user: string, room: string): Promise<TestClient> {
  const c = await TestClient.open(s.wsUrl, { headers: { "x-user": user, "x-room": room } });
  await c.next();
  return c;
}

async function setup() {
  served = await serve(createLiveHandler(counterView(), () => new Counter(), { logger: silentLogger, authenticator: roomAuth }));
  const s = served;
  const conns = {
    aliceRoom1: await join(s, "alice", "room1"),
    bobRoom1: await join(s, "bob", "room1"),
    carolRoom2: await join(s, "carol", "room2"),
    aliceRoom3: await join(s, "alice", "room3"),
    anonRoom4: await join(s, "", "room4"),
  };
  return { s, conns };
}

type Name = "aliceRoom1" | "bobRoom1" | "carolRoom2" | "aliceRoom3" | "anonRoom4";

async function receivers(conns: Record<Name, TestClient>): Promise<Name[]> {
  const out: Name[] = [];
  for (const [name, c] of Object.entries(conns) as [Name, TestClient][]) if (!(await c.idle())) out.push(name);
  return out.sort();
}

describe("broadcasting", () => {
  it.each<[string, (s: Served) => Promise<void>, Name[]]>([
    ["broadcastToGroup reaches only that group", (s) => s.handler.broadcastToGroup("room2", (d) => void ((d as Counter).count = 5)), ["carolRoom2"]],
    [
      "broadcastToUsers reaches every group the users are in, with all tabs of those groups",
      (s) => s.handler.broadcastToUsers(["alice"], (d) => void ((d as Counter).count += 1)),
      ["aliceRoom1", "aliceRoom3", "bobRoom1"],
    ],
    ["broadcast reaches everybody", (s) => s.handler.broadcast((d) => void ((d as Counter).title = "news")), ["aliceRoom1", "aliceRoom3", "anonRoom4", "bobRoom1", "carolRoom2"]],
    ["a broadcast that changes nothing sends nothing", (s) => s.handler.broadcast(), []],
    ["a group without connections is a no-op", (s) => s.handler.broadcastToGroup("nobody", () => { throw new Error("not called"); }), []],
  ])("%s", async (_, act, expected) => {
    const { s, conns } = await setup();
    await act(s);
    expect(await receivers(conns)).toEqual(expected);
  });

  it("sends the same diff to every tab of a group, rendered once", async () => {
    const { s, conns } = await setup();
    const before = createdViews.length;
    await s.handler.broadcastToGroup("room1", (d) => void ((d as Counter).count = 42));
    const a = await conns.aliceRoom1.next();
    const b = await conns.bobRoom1.next();
    expect(a).toEqual({ tree: { 0: "42" }, meta: { success: true, errors: {} } });
    expect(b).toEqual(a);
    expect(createdViews.length).toBe(before);
  });

  it("rolls a throwing broadcast update back for that group only", async () => {
    const { s, conns } = await setup();
    await s.handler.broadcast((d, { groupId }) => {
      (d as Counter).count = 9;
      if (groupId === "room2") throw new Error("no");
    });
    expect((await conns.aliceRoom1.next())["tree"]).toEqual({ 0: "9" });
    expect(await conns.carolRoom2.idle()).toBe(true);
    expect((await conns.carolRoom2.action("increment"))["tree"]).toEqual({ 0: "1" });
  });

  it("passes the paths an action wrote to the view as its change hint", async () => {
    served = await serve(createLiveHandler(counterView(), () => new Counter(), { logger: silentLogger }));
    const cookie = await sessionCookie(served.url);
    const c = await TestClient.open(served.wsUrl, { headers: { cookie } });
    await c.next();
    const lead = createdViews[createdViews.length - 1]!;
    await c.action("save", { title: "x" });
    await c.action("increment");
    const [save, increment] = lead.hints.slice(-2);
    expect(save?.slice(0, 3)).toEqual([["title"], ["items", "0"], ["items", "length"]]);
    expect(increment?.[0]).toEqual(["count"]);
    // Getters and methods of the written objects are hinted too (they may read what was written).
    expect(increment).toEqual(expect.arrayContaining([["slowIncrement"], ["save"]]));
    expect(increment).not.toContainEqual(["title"]);
  });

  it("renders unhinted when tracking is snapshot", async () => {
    served = await serve(createLiveHandler(counterView(), () => new Counter(), { logger: silentLogger, tracking: "snapshot" }));
    const c = await TestClient.open(served.wsUrl);
    await c.next();
    const lead = createdViews[createdViews.length - 1]!;
    expect(await c.action("boom")).toMatchObject({ tree: {}, meta: { success: false } });
    expect(await c.action("increment")).toMatchObject({ tree: { 0: "1" } });
    expect(lead.hints.slice(-1)).toEqual([undefined]);
  });
});
