/**
 * The topics hub and presence table on their own: batching (many joins in one tick are one
 * delivery per group), change logs that cancel out, the checks of bus input, and presence
 * between instances over an in-memory bus: replication, expiry of an instance that went silent,
 * and recovery after the bus lost messages.
 */
import { describe, expect, it } from "vitest";
import { TopicHub } from "../../src/topics/hub.js";
import { PresenceTable } from "../../src/topics/presence.js";
import { parseTopicWire, type TopicWire } from "../../src/topics/wire.js";
import type { TopicDelivery } from "../../src/topics/types.js";
import type { TopicPayload } from "../../src/server/broadcast-bus.js";
import { silentLogger } from "../../src/server/options.js";
import { until } from "../redis/cluster.js";

const tick = () => new Promise((r) => setImmediate(r));

/** A hub whose deliveries are recorded by group. */
function recordingHub(source = "a", send?: (p: TopicWire) => void, options = {}) {
  const got = new Map<string, TopicDelivery[][]>();
  const hub = new TopicHub(source, options, {
    deliver: async (groupId, deliveries) => {
      const list = got.get(groupId) ?? [];
      list.push([...deliveries]);
      got.set(groupId, list);
    },
    send,
    logger: silentLogger,
  });
  return { hub, got };
}

function join(hub: TopicHub, conn: string, group: string, topic: string, key: string, meta = {}) {
  hub.connectionOpened(conn);
  return hub.controls({ groupId: () => group, userId: key, connectionId: conn }).track(topic, key, meta);
}

describe("the presence table", () => {
  it("keeps keys sorted with a meta per entry, oldest first", () => {
    const t = new PresenceTable();
    t.put("s", "1", "room", "bob", { n: 1 });
    t.put("s", "2", "room", "ada", { n: 2 });
    t.put("s", "3", "room", "bob", { n: 3 });
    expect(t.list("room")).toEqual([
      { key: "ada", metas: [{ n: 2 }] },
      { key: "bob", metas: [{ n: 1 }, { n: 3 }] },
    ]);
    expect(t.count("room")).toBe(2);
    t.delete("s", "1");
    t.delete("s", "2");
    expect(t.list("room").map((e) => e.key)).toEqual(["bob"]);
  });

  it("leaves out joins and leaves that cancel out within a batch, and reports a replaced meta as leave and join", () => {
    const t = new PresenceTable();
    t.put("s", "1", "room", "ada", { typing: false });
    t.takeDiffs();
    t.put("s", "2", "room", "bob", {});
    t.delete("s", "2");
    t.put("s", "1", "room", "ada", { typing: true });
    const diffs = t.takeDiffs();
    expect([...diffs.keys()]).toEqual(["room"]);
    expect(diffs.get("room")).toEqual({ joins: [{ key: "ada", metas: [{ typing: true }] }], leaves: [{ key: "ada", metas: [{ typing: false }] }] });
    expect(t.takeDiffs().size).toBe(0);
  });

  it("replaces a source's state without a diff for entries that did not change", () => {
    const t = new PresenceTable();
    t.replaceSource("b", [["1", "room", "ada", { x: 1 }], ["2", "room", "bob", {}]]);
    t.takeDiffs();
    t.replaceSource("b", [["1", "room", "ada", { x: 1 }], ["3", "room", "cyd", {}]]);
    expect(t.takeDiffs().get("room")).toEqual({ joins: [{ key: "cyd", metas: [{}] }], leaves: [{ key: "bob", metas: [{}] }] });
    t.dropSource("b");
    expect(t.size).toBe(0);
    expect(t.list("room")).toEqual([]);
  });
});

describe("the hub", () => {
  it("delivers many joins in one tick to each subscribed group as one presence diff", async () => {
    const { hub, got } = recordingHub();
    hub.subscriptions.add("room", "g1", undefined);
    hub.subscriptions.add("room", "g2", undefined);
    await Promise.all(Array.from({ length: 50 }, (_, i) => join(hub, `c${i}`, `u${i}`, "room", `user${String(i).padStart(2, "0")}`)));
    await tick();
    await tick();
    for (const g of ["g1", "g2"]) {
      const batches = got.get(g)!;
      expect(batches.length).toBe(1);
      expect(batches[0]!.length).toBe(1);
      const d = batches[0]![0]!;
      expect(d.kind === "presence" && d.diff.joins.length).toBe(50);
    }
    hub.close();
  });

  it("gives each group its own copy of a published event", async () => {
    const { hub, got } = recordingHub();
    hub.subscriptions.add("t", "g1", undefined);
    hub.subscriptions.add("t", "g2", undefined);
    const event = { list: [1] };
    hub.publish("t", event);
    event.list.push(2);
    await tick();
    const e1 = (got.get("g1")![0]![0] as { event: { list: number[] } }).event;
    const e2 = (got.get("g2")![0]![0] as { event: { list: number[] } }).event;
    expect(e1).toEqual({ list: [1] });
    expect(e1).not.toBe(e2);
    hub.close();
  });

  it("removes a closed connection's entries and subscriptions, and a group's with its last connection", async () => {
    const { hub } = recordingHub();
    await join(hub, "c1", "g1", "room", "ada");
    await hub.controls({ groupId: () => "g1", userId: "ada", connectionId: "c1" }).subscribe("mine", { scope: "connection" });
    await hub.controls({ groupId: () => "g1", userId: "ada", connectionId: "c1" }).subscribe("ours");
    expect(hub.subscriptions.topicsOf("g1")).toEqual(["mine", "ours"]);
    hub.connectionClosed("c1", "g1", 0);
    expect(hub.presence("room")).toEqual([]);
    expect(hub.subscriptions.topicsOf("g1")).toEqual([]);
    hub.close();
  });

  it("refuses bad input with coded errors and changes nothing", async () => {
    const { hub } = recordingHub();
    hub.connectionOpened("c1");
    const ctl = hub.controls({ groupId: () => "g1", userId: "u", connectionId: "c1" });
    const http = hub.controls({ groupId: () => "g1", userId: "u", connectionId: undefined });
    await expect(ctl.track("room", "", {})).rejects.toMatchObject({ code: "LT_ERR_TOPIC_INVALID" });
    await expect(ctl.track("room", "k", [] as never)).rejects.toMatchObject({ code: "LT_ERR_TOPIC_INVALID" });
    await expect(http.track("room", "k", {})).rejects.toMatchObject({ code: "LT_ERR_TOPIC_NO_CONNECTION" });
    await expect(http.subscribe("room", { scope: "connection" })).rejects.toMatchObject({ code: "LT_ERR_TOPIC_NO_CONNECTION" });
    await expect(ctl.subscribe("room", { scope: "nope" as never })).rejects.toMatchObject({ code: "LT_ERR_TOPIC_INVALID" });
    expect(hub.presence("room")).toEqual([]);
    expect(hub.subscriptions.topicCount).toBe(0);
    hub.close();
  });

  it("accepts only well-formed bus payloads", () => {
    expect(parseTopicWire({ kind: "message", topic: "t", event: 1 })).toEqual({ kind: "message", topic: "t", event: 1 });
    expect(parseTopicWire({ kind: "presence", seq: 1, changes: [["r", "t", "k", null]] })).toBeDefined();
    for (const bad of [
      null,
      { kind: "message", topic: 1, event: 1 },
      { kind: "presence", seq: -1, changes: [] },
      { kind: "presence", seq: 1, changes: [["r", "t", "k"]] },
      { kind: "state", seq: 1, entries: [["r", "t", "k", null]] },
      { kind: "sync" },
      { kind: "other" },
    ]) {
      expect(parseTopicWire(bad)).toBeUndefined();
    }
  });
});

/** Hubs wired through an in-memory bus that can drop everything from or to a hub. */
class MemoryBus {
  readonly hubs = new Map<string, TopicHub>();
  readonly cut = new Set<string>();
  lost = false;
  send(from: string, payload: TopicWire): void {
    if (this.cut.has(from) || this.lost) return;
    const text = JSON.stringify(payload);
    setImmediate(() => {
      for (const [id, hub] of this.hubs) if (id !== from && !this.cut.has(id)) hub.received(from, JSON.parse(text) as TopicPayload);
    });
  }
  add(id: string, options = {}): TopicHub {
    const hub = new TopicHub(id, { heartbeatMs: 50, expiryMs: 200, ...options }, { deliver: async () => {}, send: (p) => this.send(id, p), logger: silentLogger });
    this.hubs.set(id, hub);
    return hub;
  }
}

const keys = (hub: TopicHub) => hub.presence("room").map((e) => `${e.key}:${e.metas.length}`).join(",");

describe("presence between instances", () => {
  it("lists the same entries on every instance after joins and leaves", async () => {
    const bus = new MemoryBus();
    const [a, b, c] = ["a", "b", "c"].map((id) => bus.add(id)) as [TopicHub, TopicHub, TopicHub];
    await join(a, "a1", "g1", "room", "ada");
    await join(b, "b1", "g2", "room", "bob");
    await join(c, "c1", "g3", "room", "ada");
    await until(() => [a, b, c].every((h) => keys(h) === "ada:2,bob:1"), "joins everywhere");
    a.connectionClosed("a1", "g1", 0);
    await until(() => [a, b, c].every((h) => keys(h) === "ada:1,bob:1"), "leave everywhere");
    for (const h of [a, b, c]) h.close();
  });

  it("drops the entries of an instance that went silent after the expiry, and of one that said goodbye at once", async () => {
    const bus = new MemoryBus();
    const [a, b, c] = ["a", "b", "c"].map((id) => bus.add(id)) as [TopicHub, TopicHub, TopicHub];
    await join(a, "a1", "g1", "room", "ada");
    await join(b, "b1", "g2", "room", "bob");
    await join(c, "c1", "g3", "room", "cyd");
    await until(() => [a, b, c].every((h) => keys(h) === "ada:1,bob:1,cyd:1"), "joins everywhere");
    bus.cut.add("b"); // b dies: no goodbye, no more beats
    await until(() => keys(a) === "ada:1,cyd:1" && keys(c) === "ada:1,cyd:1", "b expired");
    c.close(); // goodbye
    await until(() => keys(a) === "ada:1", "c left");
    a.close();
    b.close();
  });

  it("is consistent again after the bus lost messages", async () => {
    const bus = new MemoryBus();
    const [a, b] = ["a", "b"].map((id) => bus.add(id, { expiryMs: 10_000 })) as [TopicHub, TopicHub];
    await join(a, "a1", "g1", "room", "ada");
    await until(() => keys(b) === "ada:1", "first join");
    bus.lost = true; // an outage: these changes never arrive
    await join(a, "a2", "g2", "room", "amy");
    a.connectionClosed("a1", "g1", 0);
    await tick();
    bus.lost = false;
    // The next beat shows b that it missed a change; it asks a for its state.
    await until(() => keys(b) === "amy:1", "b caught up");
    // A bus reconnection makes everyone re-send their state.
    bus.lost = true;
    await join(b, "b1", "g3", "room", "bob");
    bus.lost = false;
    b.resynced();
    await until(() => keys(a) === "amy:1,bob:1", "a caught up");
    a.close();
    b.close();
  });
});

describe("group-scoped presence", () => {
  it("keeps one entry per group however many tabs, replaced from any tab, gone with the last tab", async () => {
    const { hub } = recordingHub();
    hub.connectionOpened("c1");
    hub.connectionOpened("c2");
    const tab1 = hub.controls({ groupId: () => "g1", userId: "u", connectionId: "c1" });
    const tab2 = hub.controls({ groupId: () => "g1", userId: "u", connectionId: "c2" });
    await tab1.track("room", "ada", { name: "Ada" }, { scope: "group" });
    await tab2.track("room", "ada", { name: "Ada" }, { scope: "group" });
    expect(hub.presence("room")).toEqual([{ key: "ada", metas: [{ name: "Ada" }] }]);
    tab2.untrack("room", "ada");
    await tab2.track("room", "ada2", { name: "Ada L." }, { scope: "group" });
    expect(hub.presence("room").map((e) => e.key)).toEqual(["ada2"]);
    hub.connectionClosed("c2", "g1", 1);
    expect(hub.presence("room").map((e) => e.key)).toEqual(["ada2"]);
    hub.connectionClosed("c1", "g1", 0);
    expect(hub.presence("room")).toEqual([]);
    hub.close();
  });
});
