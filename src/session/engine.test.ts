/**
 * The engine driven by a fake transport: no socket, no HTTP, only `dispatch` and members that
 * record the frames written to them. If a whole journey (page, JSON load, two tabs, actions,
 * navigation, hooks, `send()`, broadcasts, bus notices, form posts, disconnects) works this way,
 * the transports cannot be holding session logic of their own.
 */
import { describe, expect, it } from "vitest";
import { Template } from "../live/template.js";
import type { BroadcastBus, BroadcastMessage } from "../server/broadcast-bus.js";
import { MemorySessionStore } from "../server/session-store.js";
import { silentLogger } from "../server/options.js";
import type { ActionContext } from "./action-context.js";
import { ValidationError } from "./action-errors.js";
import { SessionEngine } from "./engine.js";
import type { Origin, Reply } from "./events.js";
import type { EncodedFrame, Member } from "./frame.js";
import { StoreSet } from "./store-set.js";
import type { Broadcaster, ConnectContext, MountContext } from "./types.js";

class FakeMember implements Member {
  closed = false;
  readonly frames: unknown[] = [];
  constructor(
    readonly id: string,
    readonly groupId: string,
    readonly userId = "",
  ) {}
  deliver(frame: EncodedFrame): boolean {
    if (this.closed) return false;
    this.frames.push(JSON.parse(frame.payload.toString("utf8")));
    return true;
  }
  /** Frames received since the last call. */
  take(): unknown[] {
    return this.frames.splice(0);
  }
}

class Board {
  count = 0;
  tab = "";
  connects = 0;
  broadcaster: Broadcaster | undefined;
  mount(ctx: MountContext): void {
    this.tab = ctx.query["tab"] ?? "";
  }
  onConnect(_ctx: ConnectContext, b: Broadcaster): void {
    this.connects++;
    this.broadcaster = b;
  }
  onDisconnect(): void {
    this.connects--;
  }
  increment(ctx: ActionContext): void {
    if (ctx.data.getInt("by") < 0) throw new ValidationError("by", "must be positive");
    this.count += ctx.data.has("by") ? ctx.data.getInt("by") : 1;
  }
}

const page = `<!DOCTYPE html><html><head><title>b</title></head><body><p>{{.count}}</p><i>{{.tab}}</i><b>{{.connects}}</b>{{with .lvt.Error "by"}}<em>{{.}}</em>{{end}}</body></html>`;

function engine(bus?: BroadcastBus): SessionEngine<FakeMember> {
  return new SessionEngine<FakeMember>({
    view: new Template("board").parse(page),
    stores: new StoreSet(Board),
    sessions: new MemorySessionStore(),
    tracking: "journal",
    dev: false,
    logger: silentLogger,
    capabilities: [],
    page: { wrapperId: "lvt-0000000000000000", loading: false },
    bus,
    channel: "board",
    maxGroups: 1000,
  });
}

const json: Origin = { kind: "request", userId: "", reply: "json" };
const browser: Origin = { kind: "request", userId: "", reply: "page" };
const server: Origin = { kind: "server" };
const live = (m: FakeMember): Origin => ({ kind: "live", member: m });
const ctxOf = (m: FakeMember): ConnectContext => ({ connectionId: m.id, userId: m.userId, groupId: m.groupId, request: { headers: {} } });
const message = (r: Reply): unknown => (r.kind === "message" ? r.message : r);

describe("SessionEngine.dispatch driven by a fake transport", () => {
  it("serves a whole journey of one group through dispatch alone", async () => {
    const e = engine();
    const g = "g1";

    const first = await e.dispatch(g, { kind: "load", query: { tab: "home" } }, browser);
    expect(first.kind).toBe("page");
    expect(first.kind === "page" && first.html).toContain("<p>0</p><i>home</i><b>0</b>");

    const loaded = message(await e.dispatch(g, { kind: "load", query: {} }, json));
    expect(loaded).toMatchObject({ tree: { s: expect.any(Array) }, meta: { success: true, capabilities: [] } });

    const a = new FakeMember("a", g);
    const b = new FakeMember("b", g);
    await e.dispatch(g, { kind: "connect", query: { tab: "a" }, context: ctxOf(a) }, live(a));
    expect(a.take()).toEqual([expect.objectContaining({ tree: expect.objectContaining({ s: expect.any(Array) }) })]);
    await e.dispatch(g, { kind: "connect", query: { tab: "a" }, context: ctxOf(b) }, live(b));
    // b's onConnect changed `connects`: a sees it as a push.
    expect(a.take()).toEqual([{ tree: { 2: 2 }, meta: { success: true, errors: {} } }]);
    expect(b.take()).toHaveLength(1);
    expect(e.registry.size).toBe(2);

    // An action from a: a gets the reply (with meta.action), b the same diff as a push.
    const reply = message(await e.dispatch(g, { kind: "action", action: "increment", data: {}, submitter: undefined }, live(a)));
    expect(reply).toEqual({ tree: { 0: 1 }, meta: { success: true, errors: {}, action: "increment" } });
    expect(a.take()).toEqual([reply]);
    expect(b.take()).toEqual([{ tree: { 0: 1 }, meta: { success: true, errors: {} } }]);

    // A failed action: errors only in the sender's render, nothing for the other tab.
    const failed = message(await e.dispatch(g, { kind: "action", action: "increment", data: { by: -1 }, submitter: undefined }, live(a)));
    expect(failed).toMatchObject({ meta: { success: false, errors: { by: "must be positive" } } });
    expect(JSON.stringify(a.take())).toContain("must be positive");
    expect(b.take()).toEqual([]);

    // Navigation re-mounts with the new query and sends the full tree; the other tab follows.
    await e.dispatch(g, { kind: "navigate", query: { tab: "two" } }, live(a));
    expect(JSON.stringify(a.take())).toContain('"s"');
    expect(b.take()).toEqual([{ tree: { 1: "two" }, meta: { success: true, errors: {} } }]);

    // broadcaster.send() from store code outside an action.
    const stores = e as unknown as { groups: { peek(id: string): { stores: Record<string, Board> } } };
    const board = stores.groups.peek(g).stores[""]!;
    board.count = 40;
    await board.broadcaster!.send();
    expect(a.take()).toEqual([{ tree: { 0: 40 }, meta: { success: true, errors: {} } }]);
    expect(b.take()).toEqual([{ tree: { 0: 40 }, meta: { success: true, errors: {} } }]);

    // A broadcast with an update function, written after every group rendered.
    await e.broadcast({ kind: "all" }, (data) => {
      (data as Board).count++;
    });
    expect(a.take()).toEqual([{ tree: { 0: 41 }, meta: { success: true, errors: {} } }]);
    expect(b.take()).toHaveLength(1);

    // A no-JS form post: success is "done" (the transport redirects), failure a 422 page.
    expect(await e.dispatch(g, { kind: "form", fields: { "lvt-action": "increment" } }, browser)).toEqual({ kind: "done" });
    const bad = await e.dispatch(g, { kind: "form", fields: { increment: "", by: "-3" } }, browser);
    expect(bad.kind === "page" && bad.status).toBe(422);
    expect(bad.kind === "page" && bad.html).toContain("<em>must be positive</em>");
    expect(a.take()).toEqual([{ tree: { 0: 42 }, meta: { success: true, errors: {} } }]);
    b.take();

    // Unknown actions get a coded error and change nothing.
    expect(message(await e.dispatch(g, { kind: "action", action: "nope", data: {}, submitter: undefined }, json))).toMatchObject({
      type: "error",
      code: "LT_ERR_PROTOCOL_UNKNOWN_ACTION",
    });
    expect(message(await e.dispatch(g, { kind: "form", fields: { x: "1" } }, browser))).toMatchObject({ code: "LT_ERR_PROTOCOL_UNKNOWN_ACTION" });

    // A disconnect runs onDisconnect and the remaining tab sees it.
    b.closed = true;
    await e.dispatch(g, { kind: "disconnect", context: ctxOf(b) }, live(b));
    expect(e.registry.size).toBe(1);
    expect(a.take()).toEqual([{ tree: { 2: 1 }, meta: { success: true, errors: {} } }]);
    await e.close();
  });

  it("applies another instance's notice as a remote event and publishes its own changes", async () => {
    const published: BroadcastMessage[] = [];
    let deliver: ((m: BroadcastMessage) => void) | undefined;
    const bus: BroadcastBus = {
      publish: (m) => void published.push(m),
      subscribe: (l) => {
        deliver = l;
        return () => {};
      },
    };
    const e = engine(bus);
    const a = new FakeMember("a", "g");
    await e.dispatch("g", { kind: "connect", query: {}, context: ctxOf(a) }, live(a));
    a.take();
    await e.dispatch("g", { kind: "action", action: "increment", data: {}, submitter: undefined }, live(a));
    await new Promise((r) => setImmediate(r));
    expect(published).toContainEqual(expect.objectContaining({ channel: "board", target: { kind: "group", id: "g" } }));
    a.take();
    // A notice from elsewhere re-renders from the session store (here: nothing changed).
    deliver!({ source: "other", channel: "board", target: { kind: "group", id: "g" } });
    await e.dispatch("g", { kind: "remote" }, server);
    expect(a.take()).toEqual([]);
    await e.close();
  });

  it("answers server events for a group it does not hold with nothing", async () => {
    const e = engine();
    for (const event of [{ kind: "broadcast", update: undefined }, { kind: "remote" }, { kind: "resync" }] as const) {
      expect(await e.dispatch("absent", event, server)).toEqual({ kind: "none" });
    }
    await e.close();
  });
});
