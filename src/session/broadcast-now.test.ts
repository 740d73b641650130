/**
 * The synchronous path of a broadcast update: an idle group whose update, render and save are
 * synchronous is changed, rendered and saved before `broadcastOne` returns, with no promise per
 * step; anything asynchronous (a busy group, an async update, an async save) falls back to the
 * queue and keeps its order and its rollback.
 */
import { describe, expect, it } from "vitest";
import { Template } from "../live/template.js";
import { MemorySessionStore } from "../server/session-store.js";
import { silentLogger } from "../server/options.js";
import type { ActionContext } from "./action-context.js";
import { SessionEngine } from "./engine.js";
import type { EncodedFrame, Member } from "./frame.js";
import { SessionGroup } from "./group.js";
import { isThenable } from "./maybe.js";
import { StoreSet } from "./store-set.js";
import type { ConnectContext, SessionStores } from "./types.js";

class FakeMember implements Member {
  closed = false;
  readonly frames: unknown[] = [];
  constructor(
    readonly id: string,
    readonly groupId: string,
    readonly userId = "",
  ) {}
  deliver(frame: EncodedFrame): boolean {
    this.frames.push(JSON.parse(frame.payload.toString("utf8")));
    return true;
  }
  take(): unknown[] {
    return this.frames.splice(0);
  }
}

let release: (() => void) | undefined;

class Counter {
  count = 0;
  increment(): void {
    this.count++;
  }
  /** Waits for the test to release it, then sets the count. */
  async slow(ctx: ActionContext): Promise<void> {
    await new Promise<void>((r) => (release = r));
    this.count = ctx.data.getInt("to");
  }
}

class CountingStore extends MemorySessionStore {
  sets = 0;
  failing = false;
  override set(id: string, stores: SessionStores): void {
    this.sets++;
    if (this.failing) throw new Error("disk full");
    super.set(id, stores);
  }
}

function setup(sessions = new CountingStore()) {
  const e = new SessionEngine<FakeMember>({
    view: new Template("c").parse(`<p>{{.count}}</p>`),
    stores: new StoreSet(Counter),
    sessions,
    tracking: "journal",
    dev: false,
    logger: silentLogger,
    capabilities: [],
    page: { wrapperId: "lvt-0000000000000000", loading: false },
    bus: undefined,
    channel: "c",
    maxGroups: 1000,
  });
  const internals = e as unknown as {
    groups: { peek(id: string): SessionGroup & { stores: Record<string, Counter> } };
    broadcastOne(id: string, update: ((data: unknown) => unknown) | undefined): unknown;
  };
  return { e, sessions, internals };
}

const ctxOf = (m: FakeMember): ConnectContext => ({ connectionId: m.id, userId: "", groupId: m.groupId, request: { headers: {} } });

async function connected(e: SessionEngine<FakeMember>, id: string): Promise<FakeMember> {
  const m = new FakeMember(`m-${id}`, id);
  await e.dispatch(id, { kind: "connect", query: {}, context: ctxOf(m) }, { kind: "live", member: m });
  m.take();
  return m;
}

describe("SessionGroup.runNow", () => {
  const group = () => new SessionGroup("g", {}, new Template("t").parse("x"), () => ({}), { send: () => {} } as never);

  it("runs a synchronous task of an idle group at once and returns its value", () => {
    const g = group();
    expect(g.runNow(() => 5)).toBe(5);
    expect(g.busy).toBe(false);
  });

  it("queues behind work in progress, and later work queues behind an async task", async () => {
    const g = group();
    const order: string[] = [];
    let open: () => void = () => {};
    const first = g.run(() => new Promise<void>((r) => (open = r)).then(() => order.push("first")));
    const second = g.runNow(() => order.push("second"));
    expect(isThenable(second)).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    open();
    await Promise.all([first, second]);
    expect(order).toEqual(["first", "second"]);

    let free: () => void = () => {};
    const slow = g.runNow(() => new Promise<void>((r) => (free = r)).then(() => order.push("slow")));
    expect(g.busy).toBe(true);
    const after = g.run(() => order.push("after"));
    free();
    await Promise.all([slow, after]);
    expect(order).toEqual(["first", "second", "slow", "after"]);
    expect(g.busy).toBe(false);
  });

  it("is idle again after a task that throws", () => {
    const g = group();
    expect(() =>
      g.runNow(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(g.busy).toBe(false);
  });
});

describe("a broadcast's update", () => {
  it("is applied, rendered and saved before broadcastOne returns when all of it is synchronous", async () => {
    const { e, sessions, internals } = setup();
    const m = await connected(e, "g1");
    const saves = sessions.sets;
    const r = internals.broadcastOne("g1", (d) => {
      (d as Counter).count = 7;
    });
    expect(isThenable(r)).toBe(false);
    expect(internals.groups.peek("g1").stores[""]!.count).toBe(7);
    expect(sessions.sets).toBe(saves + 1);
    await e.broadcast({ kind: "group", id: "g1" }, (d) => {
      (d as Counter).count++;
    });
    expect(m.take()).toEqual([
      { tree: { 0: 7 }, meta: { success: true, errors: {} } },
      { tree: { 0: 8 }, meta: { success: true, errors: {} } },
    ]);
    await e.close();
  });

  it("waits for an action in progress and applies on top of its result", async () => {
    const { e, internals } = setup();
    const m = await connected(e, "g1");
    const action = e.dispatch("g1", { kind: "action", action: "slow", data: { to: 10 }, submitter: undefined }, { kind: "live", member: m });
    await new Promise((r) => setImmediate(r));
    const broadcast = e.broadcast({ kind: "all" }, (d) => {
      (d as Counter).count *= 2;
    });
    await new Promise((r) => setImmediate(r));
    expect(internals.groups.peek("g1").stores[""]!.count).toBe(0);
    release!();
    await Promise.all([action, broadcast]);
    expect(internals.groups.peek("g1").stores[""]!.count).toBe(20);
    await e.close();
  });

  it("may be async, and then still runs in the queue", async () => {
    const { e, internals } = setup();
    const m = await connected(e, "g1");
    await e.broadcast({ kind: "all" }, async (d) => {
      await new Promise((r) => setTimeout(r, 5));
      (d as Counter).count = 3;
    });
    expect(internals.groups.peek("g1").stores[""]!.count).toBe(3);
    expect(m.take()).toEqual([{ tree: { 0: 3 }, meta: { success: true, errors: {} } }]);
    await e.close();
  });

  it("is rolled back when it throws or its save fails, and nothing is sent", async () => {
    const { e, sessions, internals } = setup();
    const m = await connected(e, "g1");
    await e.broadcast({ kind: "all" }, (d) => {
      (d as Counter).count = 5;
      throw new Error("update failed");
    });
    expect(internals.groups.peek("g1").stores[""]!.count).toBe(0);
    sessions.failing = true;
    const r = internals.broadcastOne("g1", (d) => {
      (d as Counter).count = 6;
    });
    expect(isThenable(r)).toBe(false);
    expect(internals.groups.peek("g1").stores[""]!.count).toBe(0);
    sessions.failing = false;
    await e.broadcast({ kind: "all" }, (d) => {
      (d as Counter).count = 9;
    });
    expect(internals.groups.peek("g1").stores[""]!.count).toBe(9);
    // The failed runs sent nothing the client keeps: what it holds ends as the saved state.
    expect(JSON.stringify(m.take().at(-1))).toContain("9");
    await e.close();
  });
});
