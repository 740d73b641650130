/**
 * `ctx.async` and `ctx.pushEvent` from the server's side, over a real socket: work runs outside
 * the group's queue and its result is applied inside it, a failure shows in `.lvt.AsyncError`,
 * a restarted key aborts the run before it, a group that goes away applies nothing, and pushed
 * events and replies reach the wire.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { Template } from "../../src/live/template.js";
import { silentLogger } from "../../src/server/options.js";
import type { ActionContext } from "../../src/session/action-context.js";
import { stageAsync, type AsyncResultContext } from "../../src/session/async-state.js";
import { ClientEvents } from "../../src/session/client-events.js";
import { ValidationError } from "../../src/session/action-errors.js";
import type { MountContext } from "../../src/session/types.js";
import { serve, sessionCookie, TestClient, type Served } from "./harness.js";

/** Work the test finishes by hand: `gate(tag)` resolves or rejects when the test says so. */
const gates = new Map<string, { promise: Promise<string>; resolve: (v: string) => void; reject: (e: unknown) => void }>();
function gate(tag: string): Promise<string> {
  let g = gates.get(tag);
  if (g === undefined) {
    let resolve!: (v: string) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<string>((res, rej) => ((resolve = res), (reject = rej)));
    g = { promise, resolve, reject };
    gates.set(tag, g);
  }
  return g.promise;
}
const finish = (tag: string, value: string): void => {
  void gate(tag);
  gates.get(tag)!.resolve(value);
};
const fail = (tag: string, error: unknown): void => {
  gate(tag).catch(() => {});
  gates.get(tag)!.reject(error);
};
/** The signals handed to the work functions, by tag. */
const signals = new Map<string, AbortSignal>();
const applied: string[] = [];

class Reports {
  report = "none";
  other = "none";
  count = 0;
  log: string[] = [];
  mount(ctx: MountContext): void {
    if (ctx.query["preload"] !== undefined) ctx.async("report", (signal) => (signals.set("mount", signal), gate("mount")));
  }
  load(ctx: ActionContext): void {
    const tag = ctx.data.getString("tag");
    ctx.async("report", (signal) => {
      signals.set(tag, signal);
      return gate(tag);
    });
  }
  /** Two keys whose results are logged in the order they are applied. */
  both(ctx: ActionContext): void {
    const log = (store: Reports, r: string) => void store.log.push(r);
    ctx.async("report", () => gate("first"), log);
    ctx.async("other", () => gate("second"), log);
  }
  /** The result is applied by a callback that may throw after writing. */
  shout(ctx: ActionContext): void {
    ctx.async("report", () => gate(ctx.data.getString("tag")), (store: Reports, r: string, c: AsyncResultContext) => {
      applied.push(r);
      store.report = r.toUpperCase();
      store.count = 100;
      if (r === "bad") throw new ValidationError("report", "cannot use bad");
      c.pushEvent("report-ready", { report: store.report });
    });
  }
  /** Asks for work, then fails: no work starts. */
  broken(ctx: ActionContext): void {
    ctx.async("report", (signal) => (signals.set("broken", signal), gate("broken")));
    throw new ValidationError("report", "no");
  }
  bump(): void {
    this.count++;
  }
  hello(ctx: ActionContext): void {
    ctx.pushEvent("greeted", { to: "you" }, { commands: [["show", { to: "#toast" }]] });
    ctx.reply({ ok: 1 });
  }
}

const page = `<html><body><p>{{if .lvt.Pending "report"}}loading{{else}}{{.report}}{{end}}</p><i>{{.lvt.AsyncError "report"}}</i><b>{{.count}}</b><u>{{range .log}}{{.}};{{end}}</u></body></html>`;

let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
  gates.clear();
  signals.clear();
  applied.length = 0;
});

async function start(options: { maxSessions?: number } = {}): Promise<Served> {
  served = await serve(new Template("reports").parse(page).handle(() => new Reports(), { logger: silentLogger, rateLimit: false, ...options }));
  return served;
}

async function connect(s: Served, cookie?: string, query = ""): Promise<TestClient> {
  const c = await TestClient.open(s.wsUrl + query, { headers: { cookie: cookie ?? (await sessionCookie(s.url)) } });
  await c.next();
  return c;
}

const tree = (m: Record<string, unknown>) => m["tree"] as Record<string, unknown>;

describe("ctx.async", () => {
  it("shows the key pending, keeps the group answering, then applies the result in the queue", async () => {
    const s = await start();
    const c = await connect(s);
    expect(tree(await c.action("load", { tag: "a" }))).toMatchObject({ 0: { s: ["loading"] } });
    // The work is still running: the group answers other actions meanwhile.
    expect(tree(await c.action("bump"))).toEqual({ 2: 1 });
    expect(tree(await c.action("bump"))).toEqual({ 2: 2 });
    await vi.waitFor(() => expect(signals.has("a")).toBe(true));
    finish("a", "ready");
    const push = await c.next();
    expect(tree(push)[0]).toMatchObject({ 0: "ready" });
    expect(push["meta"]).toEqual({ success: true, errors: {} });
    expect(await c.idle()).toBe(true);
    c.close();
  });

  it("applies results in the order the work completes, each key on its own", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const c = await connect(s, cookie);
    await c.action("both");
    finish("second", "two");
    expect(JSON.stringify(tree(await c.next()))).toContain('"two"');
    finish("first", "one");
    expect(JSON.stringify(tree(await c.next()))).toContain('"one"');
    expect(await (await fetch(s.url, { headers: { cookie } })).text()).toContain("<u>two;one;</u>");
    c.close();
  });

  it("shows a failed run in .lvt.AsyncError and leaves the state as it was", async () => {
    const s = await start();
    const c = await connect(s);
    await c.action("load", { tag: "a" });
    await vi.waitFor(() => expect(signals.has("a")).toBe(true));
    fail("a", new ValidationError("report", "the report service is down"));
    const push = tree(await c.next());
    expect(push[0]).toMatchObject({ 0: "none" });
    expect(push[1]).toBe("the report service is down");
    // Starting the key again clears the failure in the same render that shows it pending.
    const again = tree(await c.action("load", { tag: "b" }));
    expect(again[1]).toBe("");
    expect(again[0]).toMatchObject({ s: ["loading"] });
    c.close();
  });

  it("rolls back what a throwing apply callback wrote, and reports why", async () => {
    const s = await start();
    const c = await connect(s);
    await c.action("shout", { tag: "x" });
    finish("x", "bad");
    const push = tree(await c.next());
    expect(applied).toEqual(["bad"]);
    expect(push[0]).toMatchObject({ 0: "none" });
    expect(push[1]).toBe("cannot use bad");
    expect(push[2]).toBeUndefined(); // count: the write of 100 was rolled back
    expect(tree(await c.action("bump"))).toEqual({ 2: 1 });
    c.close();
  });

  it("aborts the first run when its key is started again and never applies its result", async () => {
    const s = await start();
    const c = await connect(s);
    await c.action("load", { tag: "first" });
    await vi.waitFor(() => expect(signals.has("first")).toBe(true));
    await c.action("load", { tag: "second" });
    await vi.waitFor(() => expect(signals.has("second")).toBe(true));
    expect(signals.get("first")!.aborted).toBe(true);
    expect(signals.get("second")!.aborted).toBe(false);
    finish("first", "stale");
    expect(await c.idle()).toBe(true); // nothing applied, nothing pushed
    finish("second", "fresh");
    expect(tree(await c.next())[0]).toMatchObject({ 0: "fresh" });
    c.close();
  });

  it("starts no work for an action that fails after asking for it", async () => {
    const s = await start();
    const c = await connect(s);
    const reply = await c.action("broken");
    expect(reply["meta"]).toMatchObject({ success: false, errors: { report: "no" } });
    expect(tree(reply)[0]).toBeUndefined(); // never shown pending
    expect(await c.idle()).toBe(true);
    expect(signals.has("broken")).toBe(false);
    c.close();
  });

  it("aborts the work of a group that goes away, and applies nothing to it", async () => {
    const s = await start({ maxSessions: 1 });
    const a = await sessionCookie(s.url);
    const json = (cookie: string) => ({ cookie, "content-type": "application/json", accept: "application/json" });
    const post = (cookie: string, action: string, data = {}) =>
      fetch(s.url, { method: "POST", headers: json(cookie), body: JSON.stringify({ action, data }) }).then((r) => r.json() as Promise<Record<string, unknown>>);
    await post(a, "shout", { tag: "gone" });
    await vi.waitFor(() => expect(gates.has("gone")).toBe(true));
    // Another session: with room for one group, the idle group of the first is forgotten.
    const b = await sessionCookie(s.url);
    await post(b, "bump");
    expect(s.handler.sessionCount).toBe(1);
    finish("gone", "late");
    await post(b, "bump");
    expect(applied).toEqual([]);
    // The first session, loaded again from the session store, has its saved state and no run.
    const page = await (await fetch(s.url, { headers: { cookie: a } })).text();
    expect(page).toContain("<p>none</p>");
  });

  it("runs work asked for by mount once the page is live", async () => {
    const s = await start();
    const c = await connect(s, undefined, "?preload=1");
    await vi.waitFor(() => expect(signals.has("mount")).toBe(true));
    finish("mount", "preloaded");
    expect(tree(await c.next())[0]).toMatchObject({ 0: "preloaded" });
    c.close();
  });

  it("refuses bad arguments with coded errors", () => {
    const group = {};
    expect(() => stageAsync(group, "", "", () => 1, undefined)).toThrow(expect.objectContaining({ code: "LT_ERR_ACTION_ASYNC" }));
    expect(() => stageAsync(group, "", "k", "not a function", undefined)).toThrow(expect.objectContaining({ code: "LT_ERR_ACTION_ASYNC" }));
    expect(() => stageAsync(group, "", "k", () => 1, 3)).toThrow(expect.objectContaining({ code: "LT_ERR_ACTION_ASYNC" }));
    const events = new ClientEvents();
    expect(() => events.pushEvent("updated")).toThrow(expect.objectContaining({ code: "LT_ERR_ACTION_EVENT" }));
    expect(() => events.pushEvent("")).toThrow(expect.objectContaining({ code: "LT_ERR_ACTION_EVENT" }));
    expect(() => events.pushEvent("x", {}, { commands: "show" as never })).toThrow(expect.objectContaining({ code: "LT_ERR_ACTION_EVENT" }));
    expect(events.events).toEqual([]);
  });
});

describe("ctx.pushEvent", () => {
  it("puts an action's events and reply in its reply's meta", async () => {
    const s = await start();
    const c = await connect(s);
    const reply = await c.action("hello");
    expect(reply["meta"]).toEqual({
      success: true,
      errors: {},
      action: "hello",
      events: [{ name: "greeted", payload: { to: "you" }, commands: [["show", { to: "#toast" }]] }],
      reply: { ok: 1 },
    });
    c.close();
  });

  it("sends the events of an async completion to every connection of the group", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const one = await connect(s, cookie);
    const two = await connect(s, cookie);
    await one.action("shout", { tag: "ok" });
    await two.next(); // the push showing it pending
    finish("ok", "fine");
    for (const c of [one, two]) {
      expect(tree(await c.next())[0]).toMatchObject({ 0: "FINE" });
      expect(await c.next()).toEqual({ tree: {}, meta: { success: true, errors: {}, events: [{ name: "report-ready", payload: { report: "FINE" } }] } });
      c.close();
    }
  });
});
