/**
 * `hibernateAfterMs`: a connected session group idle that long drops its render state, and its
 * next event sends every connection a full tree. Checked over real WebSockets with the published
 * client's tree renderer: the pages stay right through sleep and wake, for the tab that acts, the
 * other tabs of the group, a tab that connects while the group sleeps, and a change made outside
 * any event (a shared object).
 */
import { afterEach, describe, expect, it } from "vitest";
import { TreeRenderer } from "@livetemplate/client/dist/state/tree-renderer.js";
import { createLogger } from "@livetemplate/client/dist/utils/logger.js";
import { Template } from "../../src/live/template.js";
import { silentLogger } from "../../src/server/options.js";
import { internalsOf } from "../../src/server/handler-internals.js";
import { MemorySessionStore } from "../../src/server/session-store.js";
import type { LiveHandler } from "../../src/server/live-handler.js";
import { serve, sessionCookie, TestClient, type Served } from "./harness.js";

const shared = { note: "first" };

class Board {
  Count = 0;
  Rows = [
    { ID: 1, Name: "one" },
    { ID: 2, Name: "two" },
  ];
  get Note(): string {
    return shared.note;
  }
  increment(): void {
    this.Count++;
  }
  add(): void {
    this.Rows.push({ ID: this.Rows.length + 1, Name: `row ${this.Rows.length + 1}` });
  }
}

const TEMPLATE = `<h1>{{.Count}}</h1><p>{{.Note}}</p><ul>{{range .Rows}}<li data-key="{{.ID}}">{{.Name}}</li>{{end}}</ul>`;

/** A tab: a socket and the published client's renderer, applying every tree it receives. */
class Tab {
  private readonly renderer = new TreeRenderer(createLogger({ level: "silent" }));
  html = "";
  /** Whether the last tree received carried the root statics (a full tree). */
  lastWasFull = false;
  private constructor(readonly client: TestClient) {}

  static async open(s: Served, cookie: string): Promise<Tab> {
    const t = new Tab(await TestClient.open(s.wsUrl, { headers: { cookie } }));
    await t.take();
    return t;
  }

  /** Reads the next message and applies its tree. */
  async take(): Promise<Record<string, unknown>> {
    const m = await this.client.next();
    const tree = m["tree"] as Record<string, unknown> | undefined;
    if (tree !== undefined) {
      this.lastWasFull = "s" in tree;
      this.html = this.renderer.applyUpdate(tree).html;
    }
    return m;
  }
}

let served: Served | undefined;
const open: Tab[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) t.client.close();
  await served?.stop();
  served = undefined;
  shared.note = "first";
});

async function start(
  hibernateAfterMs: number,
  more: { hibernateStores?: boolean; sessionStore?: MemorySessionStore; store?: new () => Board } = {},
): Promise<{ s: Served; cookie: string }> {
  const handler = new Template("board").parse(TEMPLATE).handle(more.store ?? Board, {
    hibernateAfterMs,
    hibernateStores: more.hibernateStores ?? false,
    ...(more.sessionStore !== undefined ? { sessionStore: more.sessionStore } : {}),
    rateLimit: false,
    heartbeatMs: 0,
    clientScript: { inject: false },
    logger: silentLogger,
  }) as unknown as LiveHandler;
  served = await serve(handler);
  return { s: served, cookie: await sessionCookie(served.url) };
}

async function tab(s: Served, cookie: string): Promise<Tab> {
  const t = await Tab.open(s, cookie);
  open.push(t);
  return t;
}

const asleep = () => new Promise((r) => setTimeout(r, 1600)); // hibernateAfterMs 300, checked every second

describe("hibernating idle groups", () => {
  it("wakes with a full tree for every tab, and the pages stay right", async () => {
    const { s, cookie } = await start(300);
    const a = await tab(s, cookie);
    const b = await tab(s, cookie);
    await a.client.action("increment");
    await b.take();
    expect(b.lastWasFull).toBe(false); // awake: a diff
    await asleep();
    const reply = await a.client.action("add");
    expect((reply["meta"] as { success?: boolean }).success).toBe(true);
    expect("s" in (reply["tree"] as object)).toBe(true); // the acting tab's reply is a full tree
    await b.take();
    expect(b.lastWasFull).toBe(true);
    const expected = '<h1>1</h1><p>first</p><ul><li data-key="1">one</li><li data-key="2">two</li><li data-key="3">row 3</li></ul>';
    const ra = new TreeRenderer(createLogger({ level: "silent" }));
    expect(ra.applyUpdate(reply["tree"] as Record<string, unknown>).html).toBe(expected);
    expect(b.html).toBe(expected);
    // Awake again: diffs.
    await a.client.action("increment");
    await b.take();
    expect(b.lastWasFull).toBe(false);
    expect(b.html).toContain("<h1>2</h1>");
  });

  it("shows a change made outside any event once the group wakes", async () => {
    const { s, cookie } = await start(300);
    const a = await tab(s, cookie);
    const b = await tab(s, cookie);
    await asleep();
    shared.note = "changed while asleep";
    await a.client.action("increment");
    await b.take();
    expect(b.html).toBe('<h1>1</h1><p>changed while asleep</p><ul><li data-key="1">one</li><li data-key="2">two</li></ul>');
  });

  it("gives a tab that connects while the group sleeps its full tree, and the others theirs", async () => {
    const { s, cookie } = await start(300);
    const a = await tab(s, cookie);
    await a.client.action("increment");
    await asleep();
    const c = await tab(s, cookie);
    expect(c.html).toContain("<h1>1</h1>");
    await a.take(); // the wake's full tree
    expect(a.lastWasFull).toBe(true);
    c.client.send({ action: "increment", data: {} });
    await c.take();
    await a.take();
    expect(a.lastWasFull).toBe(false);
    expect(a.html).toBe(c.html);
    expect(a.html).toContain("<h1>2</h1>");
  });

  it("keeps the render state of groups with work or without the option", async () => {
    const { s, cookie } = await start(0);
    const a = await tab(s, cookie);
    const b = await tab(s, cookie);
    await asleep();
    await a.client.action("increment");
    await b.take();
    expect(b.lastWasFull).toBe(false);
  });

  /** The one connected group's id and its store as the engine holds it. */
  function held(s: Served): { id: string; store: Board } {
    const engine = internalsOf(s.handler)!.engine;
    const [id] = engine.registry.groupIds();
    return { id: id!, store: engine.stateOf(id!) as Board };
  }

  it("with hibernateStores, freezes a sleeping group's stores and wakes with exactly its state", async () => {
    const sessions = new MemorySessionStore();
    const { s, cookie } = await start(300, { hibernateStores: true, sessionStore: sessions });
    const a = await tab(s, cookie);
    await a.client.action("increment");
    await a.client.action("add");
    const before = held(s).store;
    const rows = before.Rows;
    await asleep();
    const after = held(s);
    expect(after.store).toBeInstanceOf(Board);
    expect(after.store.Rows).not.toBe(rows); // rebuilt from the frozen text
    expect(after.store.Rows).toEqual([
      { ID: 1, Name: "one" },
      { ID: 2, Name: "two" },
      { ID: 3, Name: "row 3" },
    ]);
    expect(after.store.Count).toBe(1);
    // The session store hands out the same objects as the group once they are rebuilt.
    expect((sessions.get(after.id) as Record<string, unknown>)[""]).toBe(after.store);
    const reply = await a.client.action("increment");
    const ra = new TreeRenderer(createLogger({ level: "silent" }));
    expect(ra.applyUpdate(reply["tree"] as Record<string, unknown>).html).toBe(
      '<h1>2</h1><p>first</p><ul><li data-key="1">one</li><li data-key="2">two</li><li data-key="3">row 3</li></ul>',
    );
  });

  it("with hibernateStores, keeps as they are the stores whose state would not come back exactly", async () => {
    const picked = { ID: 9, Name: "picked" };
    class Aliased extends Board {
      // One object at two places of the state: a copy would make it two.
      Picked = picked;
      override Rows = [picked];
    }
    const { s, cookie } = await start(300, { hibernateStores: true, sessionStore: new MemorySessionStore(), store: Aliased });
    await tab(s, cookie);
    const rows = held(s).store.Rows;
    await asleep();
    const after = held(s).store as Aliased;
    expect(after.Rows).toBe(rows);
    expect(after.Picked).toBe(picked);
  });

  it("keeps a sleeping group's stores as they are without hibernateStores", async () => {
    const { s, cookie } = await start(300, { sessionStore: new MemorySessionStore() });
    await tab(s, cookie);
    const rows = held(s).store.Rows;
    await asleep();
    expect(held(s).store.Rows).toBe(rows);
  });
});
