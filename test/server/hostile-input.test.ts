/**
 * Messages an attacker can send to any page: prototype keys in action data, action names that
 * reach inherited properties, malformed multipart bodies. Each must be refused without harming
 * the group's state or filling the log.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createLiveHandler } from "../../src/server/live-handler.js";
import type { Logger } from "../../src/session/types.js";
import type { ActionContext } from "../../src/session/action-context.js";
import { namedStores } from "../../src/session/store-set.js";
import { Counter, counterView } from "./fixtures.js";
import { serve, sessionCookie, TestClient, type Served } from "./harness.js";

let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

/** A logger that keeps every line, as `level message`. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const rec = (level: string) => (message: string, ...details: unknown[]) =>
    void lines.push(`${level} ${message}${details.length > 0 ? " " + details.map((d) => (d instanceof Error ? d.stack : String(d))).join(" ") : ""}`);
  return { lines, debug: rec("debug"), info: rec("info"), warn: rec("warn"), error: rec("error") };
}

class Binder extends Counter {
  profile: Record<string, unknown> = {};
  bindSelf(ctx: ActionContext): void {
    ctx.data.bind(this);
  }
  bindProfile(ctx: ActionContext): void {
    ctx.data.bind(this.profile);
  }
}

describe("prototype keys in action data", () => {
  it("bindSelf with a __proto__ key keeps the store's prototype, and later actions still work for every tab", async () => {
    served = await serve(createLiveHandler(counterView(), () => new Binder(), { logger: recordingLogger() }));
    const cookie = await sessionCookie(served.url);
    const first = await TestClient.open(served.wsUrl, { headers: { cookie } });
    const second = await TestClient.open(served.wsUrl, { headers: { cookie } });
    await first.next();
    await second.next();
    first.send('{"action":"bindSelf","data":{"__proto__":{"polluted":4},"constructor":{"prototype":{"x":1}},"count":7}}');
    const bound = await first.next();
    expect(bound["meta"]).toMatchObject({ success: true });
    expect(bound["tree"]).toMatchObject({ 0: "7" });
    const after = await first.action("increment");
    expect(after["meta"]).toMatchObject({ success: true });
    expect(after["tree"]).toMatchObject({ 0: "8" });
    const fromSecond = await second.action("save", { title: "still works" });
    expect(fromSecond["meta"]).toMatchObject({ success: true });
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("binding onto a nested object ignores __proto__, constructor and prototype at any depth", async () => {
    const { ActionData } = await import("../../src/session/action-context.js");
    const data = new ActionData(
      JSON.parse('{"__proto__":{"a":1},"nested":{"__proto__":{"b":2},"prototype":{"c":3},"constructor":{"d":4},"ok":1},"list":[{"__proto__":{"e":5}}]}') as Record<string, unknown>,
    );
    const target = {} as Record<string, unknown>;
    data.bind(target);
    expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
    expect(Object.keys(target).sort()).toEqual(["list", "nested"]);
    const nested = target["nested"] as Record<string, unknown>;
    expect(Object.getPrototypeOf(nested)).toBe(Object.prototype);
    expect(Object.keys(nested)).toEqual(["ok"]);
    const item = (target["list"] as Record<string, unknown>[])[0]!;
    expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
    expect(Object.keys(item)).toEqual([]);
    const copy = data.bind();
    expect(Object.hasOwn(copy, "__proto__")).toBe(false);
    expect(Object.hasOwn(copy["nested"] as object, "constructor")).toBe(false);
  });

  it("bindAndValidate never hands a __proto__ key to the schema", async () => {
    const { ActionData } = await import("../../src/session/action-context.js");
    const data = new ActionData(JSON.parse('{"__proto__":{"a":1},"x":{"constructor":{"b":1},"y":1}}') as Record<string, unknown>);
    const seen: unknown[] = [];
    const schema = {
      "~standard": {
        version: 1 as const,
        vendor: "test",
        validate: (v: unknown) => {
          seen.push(v);
          return { value: v };
        },
      },
    };
    const out = (await data.bindAndValidate(schema)) as Record<string, unknown>;
    expect(Object.hasOwn(out, "__proto__")).toBe(false);
    expect(Object.keys(out["x"] as object)).toEqual(["y"]);
    expect(seen).toHaveLength(1);
  });
});

describe("action names that reach inherited properties", () => {
  const post = (url: string, action: string) =>
    fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ action }) });

  it.each(["constructor.keys", "constructor.assign", "__proto__.toString", "hasOwnProperty.call", "toString.call", "counter.constructor", "counter.__defineGetter__"])(
    "answers %s as an unknown action with named stores",
    async (action) => {
      const view = counterView((d) => (d as { counter: Counter }).counter);
      // No `change`: a store with one takes every action name it has no method for.
      const store = () => ({ count: 0, title: "", items: [] as string[], inc() {} });
      served = await serve(createLiveHandler(view, namedStores({ counter: store }), { logger: recordingLogger() }));
      const res = await post(served.url, action);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ type: "error", code: "LT_ERR_PROTOCOL_UNKNOWN_ACTION" });
    },
  );

  it.each(["__defineGetter__", "__lookupGetter__", "constructor", "hasOwnProperty"])("does not call the inherited %s of a single store without change", async (action) => {
    served = await serve(createLiveHandler(counterView(), () => ({ count: 0, title: "", items: [] as string[], inc() {} }), { logger: recordingLogger() }));
    const res = await post(served.url, action);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "LT_ERR_PROTOCOL_UNKNOWN_ACTION" });
  });

  it("still routes methods a store declares on its class chain", async () => {
    served = await serve(createLiveHandler(counterView(), () => new Binder(), { logger: recordingLogger() }));
    const res = await post(served.url, "save");
    expect(res.status).toBe(200);
  });

  it("does not pick a no-JS form action from an inherited property of the stores object", async () => {
    const view = counterView((d) => (d as { counter: Counter }).counter);
    served = await serve(createLiveHandler(view, namedStores({ counter: { count: 0, title: "", items: [], inc() {} } }), { logger: recordingLogger() }));
    const res = await fetch(served.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "constructor.keys=1",
      redirect: "manual",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "LT_ERR_PROTOCOL_UNKNOWN_ACTION" });
  });
});

describe("malformed multipart bodies", () => {
  it("answers a garbage multipart body with 400 LT_ERR_PROTOCOL_MALFORMED and at most one short log line", async () => {
    const logger = recordingLogger();
    served = await serve(createLiveHandler(counterView(), () => new Counter(), { logger }));
    for (let i = 0; i < 5; i++) {
      const res = await fetch(served.url, {
        method: "POST",
        headers: { "content-type": "multipart/form-data; boundary=xyz", accept: "application/json" },
        body: "this is not multipart at all",
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ type: "error", code: "LT_ERR_PROTOCOL_MALFORMED" });
    }
    const loud = logger.lines.filter((l) => !l.startsWith("debug"));
    expect(loud.length).toBeLessThanOrEqual(1);
    for (const l of logger.lines) expect(l).not.toMatch(/\n\s+at /);
  });

  it("answers a multipart post without a boundary with 400", async () => {
    served = await serve(createLiveHandler(counterView(), () => new Counter(), { logger: recordingLogger() }));
    const res = await fetch(served.url, { method: "POST", headers: { "content-type": "multipart/form-data" }, body: "--x\r\n" });
    expect(res.status).toBe(400);
  });
});
