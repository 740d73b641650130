/**
 * Every way into a live handler (page GET, JSON GET and POST, `__navigate__`, form POST,
 * WebSocket connect / message / close, `broadcaster.send()`, broadcasts, bus notices and a
 * session store's re-sync) reaches the session through `SessionEngine.dispatch`: the transports
 * translate, the engine decides.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { BroadcastBus, BroadcastMessage } from "../../src/server/broadcast-bus.js";
import { createLiveHandler } from "../../src/server/live-handler.js";
import { silentLogger } from "../../src/server/options.js";
import { MemorySessionStore, type SessionStoreBinding, type TransactResult } from "../../src/server/session-store.js";
import { SessionEngine } from "../../src/session/engine.js";
import type { SessionEvent } from "../../src/session/events.js";
import type { Broadcaster, SessionStores } from "../../src/session/types.js";
import type { ActionContext } from "../../src/session/action-context.js";
import { Counter, counterView } from "./fixtures.js";
import { serve, sessionCookie, TestClient, type Served } from "./harness.js";

class Hooked extends Counter {
  static broadcaster: Broadcaster | undefined;
  async onConnect(ctx: { subscribe(topic: string): Promise<void> }, b: Broadcaster): Promise<void> {
    Hooked.broadcaster = b;
    await ctx.subscribe("news");
  }
  later(ctx: ActionContext): void {
    ctx.async("title", () => Promise.resolve("done"));
  }
}

/** A memory store with a trivial `transact`, so that the handler binds `resync` to it. */
class SharedMemory extends MemorySessionStore {
  binding: SessionStoreBinding | undefined;
  bind(binding: SessionStoreBinding): void {
    this.binding = binding;
  }
  async transact(id: string, current: SessionStores, change: (s: SessionStores) => Promise<boolean>): Promise<TransactResult> {
    const saved = await change(current);
    if (saved) this.set(id, current);
    return { stores: current, saved };
  }
}

let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
  vi.restoreAllMocks();
});

describe("the transports", () => {
  it("hand every event kind to SessionEngine.dispatch", async () => {
    const kinds = new Set<SessionEvent["kind"]>();
    const real = SessionEngine.prototype.dispatch;
    vi.spyOn(SessionEngine.prototype, "dispatch").mockImplementation(function (this: SessionEngine, id, event, origin) {
      kinds.add(event.kind);
      return real.call(this, id, event, origin);
    });
    let listener: ((m: BroadcastMessage) => void) | undefined;
    const bus: BroadcastBus = {
      publish: () => {},
      subscribe: (l) => {
        listener = l;
        return () => {};
      },
    };
    const store = new SharedMemory();
    const s = (served = await serve(
      createLiveHandler(counterView(), Hooked, { logger: silentLogger, rateLimit: false, broadcastBus: bus, sessionStore: store, channel: "c", uploads: { f: {} } }),
    ));
    const cookie = await sessionCookie(s.url); // load (page)
    const headers = { cookie, "content-type": "application/json", accept: "application/json" };
    await (await fetch(s.url, { headers })).text(); // load (JSON)
    await (await fetch(s.url, { method: "POST", headers, body: JSON.stringify({ action: "increment" }) })).text(); // action
    await (await fetch(s.url, { method: "POST", headers, body: JSON.stringify({ action: "__navigate__", data: { q: "1" } }) })).text();
    await (
      await fetch(s.url, { method: "POST", redirect: "manual", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: "increment=" })
    ).text(); // form
    const c = await TestClient.open(s.wsUrl, { headers: { cookie } }); // connect
    await c.next();
    await c.action("increment");
    await c.action("later");
    await c.next(); // async: the result applied
    c.send({ action: "__navigate__", data: { q: "2" } }); // navigate
    await c.next();
    c.send({ action: "upload_start", upload_name: "f", files: [{ name: "a.txt", type: "text/plain", size: 1 }] }); // upload
    await c.next();
    await Hooked.broadcaster!.send(); // send
    await s.handler.broadcast(); // broadcast
    s.handler.publish("news", { headline: "x" }); // topic
    await vi.waitFor(() => expect(kinds.has("topic")).toBe(true));
    listener!({ source: "elsewhere", channel: "c", target: { kind: "all" } }); // remote
    const groupId = decodeURIComponent(cookie.split("=")[1]!).split(".")[0]!;
    await store.binding!.resync!(groupId); // resync
    const headers2 = new Map<string, unknown>();
    const res = { getHeader: (n: string) => headers2.get(n), setHeader: (n: string, v: unknown) => void headers2.set(n, v) };
    await s.handler.rotateSession({ headers: { cookie }, socket: {} } as never, res as never); // rotate
    c.close();
    await c.closed;
    await vi.waitFor(() => expect(kinds.has("disconnect")).toBe(true));
    // Every kind of the union (the record fails to compile when a kind is added or removed).
    const every: Record<SessionEvent["kind"], true> = {
      action: true, broadcast: true, connect: true, disconnect: true, form: true,
      load: true, navigate: true, remote: true, resync: true, rotate: true, send: true, async: true, topic: true, upload: true,
    };
    expect([...kinds].sort()).toEqual(Object.keys(every).sort());
  });
});
