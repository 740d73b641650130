/**
 * The handler with a session store that has `transact` (shared by several instances): every save
 * goes through `transact`, `set` is never called, and an instance holding an outdated copy of a
 * group never overwrites what another instance saved.
 */
import type { IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { Authenticator } from "../../src/server/authenticator.js";
import { createLiveHandler } from "../../src/server/live-handler.js";
import { silentLogger } from "../../src/server/options.js";
import type { Broadcaster } from "../../src/session/types.js";
import { Counter, counterView } from "./fixtures.js";
import { serve, TestClient, type Served } from "./harness.js";
import { VersionedStore } from "./versioned-store.js";

/** Counter plus lifecycle hooks; keeps each broadcaster with the object its hook ran on. */
class Visits extends Counter {
  connects = 0;
  disconnects = 0;

  onConnect(_ctx: unknown, broadcaster: Broadcaster): void {
    this.connects++;
    hooked.push({ self: this, broadcaster });
  }

  onDisconnect(): void {
    this.disconnects++;
  }
}
let hooked: { self: Visits; broadcaster: Broadcaster }[] = [];

const auth: Authenticator = {
  identify: (req: IncomingMessage) => String(req.headers["x-user"] ?? "u"),
  getSessionGroup: () => "shared",
};

const served: Served[] = [];
afterEach(async () => {
  for (const s of served.splice(0)) await s.stop();
  hooked = [];
});

async function instance(store: VersionedStore): Promise<Served> {
  const s = await serve(createLiveHandler(counterView(), Visits, { sessionStore: store, authenticator: auth, logger: silentLogger, rateLimit: false }));
  served.push(s);
  return s;
}

async function tab(s: Served): Promise<TestClient> {
  const c = await TestClient.open(s.wsUrl);
  await c.next();
  return c;
}

describe("a session store with transact", () => {
  it("gets every save through transact, never through set", async () => {
    const store = new VersionedStore();
    const a = await instance(store);
    const t = await tab(a);
    await t.action("increment");
    await hooked.at(-1)!.broadcaster.send();
    await a.handler.broadcast((d) => void ((d as Visits).title = "hi"));
    t.close();
    await t.closed;
    await a.stop();
    const saved = JSON.parse(store.saved.get("shared")!.json) as Record<string, Visits>;
    expect(saved[""]).toMatchObject({ count: 1, connects: 1, disconnects: 1, title: "hi" });
    expect(store.sets).toBe(0);
    expect(store.transacts).toBeGreaterThan(0);
  });

  it("runs onConnect of an instance with an outdated copy on the state another instance saved", async () => {
    const store = new VersionedStore();
    const a = await instance(store);
    const b = await instance(store);
    await tab(a);
    const onB = await tab(b);
    for (let i = 0; i < 3; i++) await onB.action("increment");
    // A holds count 0 in memory: it has a live tab and nothing told it about B's saves.
    const late = await TestClient.open(a.wsUrl);
    expect(((await late.next())["tree"] as Record<string, unknown>)["0"]).toBe("3");
    const saved = () => (JSON.parse(store.saved.get("shared")!.json) as Record<string, Visits>)[""];
    expect(saved()).toMatchObject({ count: 3, connects: 3 });

    // A timer holding the object A replaced: its change is refused, the saved state stays.
    const stale = hooked[0]!;
    stale.self.title = "from a stale timer";
    await stale.broadcaster.send();
    expect(saved()).toMatchObject({ count: 3, connects: 3, title: "" });
    expect(store.sets).toBe(0);
  });
});
