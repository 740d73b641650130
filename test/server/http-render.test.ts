/**
 * The HTTP fallback behind a load balancer without sticky sessions: two instances share one
 * session store (with `transact`, as a real shared store has), and a client's JSON GETs and POSTs
 * land on either. Every reply must be exact against the tree that client holds, checked with the
 * published client's TreeRenderer (the client that sends no render id) and with our own client's
 * TreeState driven the way our client drives it (the `X-LiveTemplate-Render` header).
 */
import { createRequire } from "node:module";
import type { IncomingMessage } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TreeState } from "../../src/client/tree.js";
import { Template } from "../../src/live/template.js";
import { RedisSessionStore } from "../../src/adapters/redis/index.js";
import type { ActionContext } from "../../src/session/action-context.js";
import type { Authenticator } from "../../src/server/authenticator.js";
import { silentLogger } from "../../src/server/options.js";
import type { SessionStore } from "../../src/server/session-store.js";
import { HEADER_RENDER } from "../../src/protocol/wire.js";
import { freePort, RedisServer, redisAvailable } from "../redis/cluster.js";
import { serve, type Served } from "./harness.js";
import { VersionedStore } from "./versioned-store.js";

const require = createRequire(import.meta.url);
const { TreeRenderer } = require("@livetemplate/client/dist/state/tree-renderer.js") as {
  TreeRenderer: new (logger: object) => { applyUpdate(u: object): { html: string } };
};
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

class Rows {
  Items: { ID: string; Title: string }[] = [];
  Count = 0;

  add(ctx: ActionContext): void {
    const id = ctx.data.getString("id");
    this.Items.push({ ID: id, Title: id.toUpperCase() });
    this.Count++;
  }
}

const SOURCE = `<p>{{.Count}}</p><ul>{{range .Items}}<li data-key="{{.ID}}">{{.Title}}</li>{{end}}</ul>`;
const expected = (ids: string[]): string =>
  `<p>${ids.length}</p><ul>${ids.map((id) => `<li data-key="${id}">${id.toUpperCase()}</li>`).join("")}</ul>`;


const auth: Authenticator = {
  identify: (req: IncomingMessage) => String(req.headers["x-user"] ?? "u"),
  getSessionGroup: () => "g",
};

const served: Served[] = [];
afterEach(async () => {
  for (const s of served.splice(0)) await s.stop();
});

async function instance(sessionStore: SessionStore): Promise<Served> {
  const handler = new Template("rows").parse(SOURCE).handle(Rows, { sessionStore, authenticator: auth, logger: silentLogger, rateLimit: false });
  const s = await serve(handler);
  served.push(s);
  return s;
}

interface Answer {
  tree: object;
  render: string | null;
}

/** One JSON request; `render` is the header our client sends (`undefined`: the published client, none). */
async function exchange(s: Served, body: object | undefined, render?: string): Promise<Answer> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (render !== undefined) headers[HEADER_RENDER] = render;
  const init: RequestInit = { method: body === undefined ? "GET" : "POST", headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(s.url, init);
  expect(res.status).toBe(200);
  const msg = (await res.json()) as { tree: object };
  return { tree: msg.tree, render: res.headers.get(HEADER_RENDER) };
}

/** The published client: applies whatever it gets, sends no render id. */
class Published {
  private readonly r = new TreeRenderer(quiet);
  html = "";
  async send(s: Served, body?: object): Promise<void> {
    this.html = this.r.applyUpdate((await exchange(s, body)).tree).html;
  }
}

/** Our client's HTTP path: sends the id of the render it holds ("" for none), keeps the new one. */
class Ours {
  private readonly t = new TreeState();
  private render = "";
  html = "";
  trees: object[] = [];
  async send(s: Served, body?: object): Promise<void> {
    const a = await exchange(s, body, this.render);
    this.trees.push(a.tree);
    if ("s" in a.tree) this.t.reset();
    this.t.apply(a.tree);
    this.html = this.t.render();
    this.render = a.render ?? "";
  }
}

/** Makes the session store objects of two instances (one shared object, or one client each on one database). */
const stores: [string, () => [SessionStore, SessionStore]][] = [
  [
    "an in-memory store with transact",
    () => {
      const one = new VersionedStore();
      return [one, one];
    },
  ],
];

let redis: RedisServer | undefined;
const redisStores: RedisSessionStore[] = [];
if (redisAvailable()) {
  stores.push([
    "Redis (RedisSessionStore on a real redis-server)",
    () => {
      const prefix = `lt:http-render:${Math.random().toString(36).slice(2)}:`;
      const two = [0, 1].map(() => new RedisSessionStore({ redis: redis!.url, prefix, logger: silentLogger }));
      redisStores.push(...two);
      return [two[0]!, two[1]!];
    },
  ]);
}
beforeAll(async () => {
  if (!redisAvailable()) return;
  redis = new RedisServer(await freePort());
  await redis.start();
});
afterAll(async () => {
  for (const s of redisStores.splice(0)) await s.close();
  await redis?.stop();
});

describe.each(stores)("HTTP fallback across two instances sharing %s", (_, makeStore) => {
  async function pair(): Promise<[Served, Served]> {
    const [one, two] = makeStore();
    return [await instance(one), await instance(two)];
  }

  it("gives the published client exact trees for GET on A, POST on B, POST on A", async () => {
    const [a, b] = await pair();
    const c = new Published();
    await c.send(a);
    expect(c.html).toBe(expected([]));
    await c.send(b, { action: "add", data: { id: "x" } });
    expect(c.html).toBe(expected(["x"]));
    await c.send(a, { action: "add", data: { id: "y" } });
    expect(c.html).toBe(expected(["x", "y"]));
    await c.send(b, { action: "add", data: { id: "z" } });
    expect(c.html).toBe(expected(["x", "y", "z"]));
  });

  it("gives our client exact trees whichever instance answers, and diffs when the base matches", async () => {
    const [a, b] = await pair();
    const c = new Ours();
    await c.send(a);
    await c.send(b, { action: "add", data: { id: "x" } });
    expect(c.html).toBe(expected(["x"]));
    await c.send(a, { action: "add", data: { id: "y" } });
    expect(c.html).toBe(expected(["x", "y"]));
    await c.send(a, { action: "add", data: { id: "z" } });
    expect(c.html).toBe(expected(["x", "y", "z"]));
    // The last POST went to the instance that rendered the tree the client holds: a diff.
    expect("s" in c.trees[3]!).toBe(false);
    await c.send(b, { action: "add", data: { id: "w" } });
    expect(c.html).toBe(expected(["x", "y", "z", "w"]));
  });
});

describe("HTTP render ids on one instance", () => {
  it("answers a tab holding an older render with a full tree, not a diff against another tab's", async () => {
    const s = await instance(new VersionedStore());
    const one = new Ours();
    const two = new Ours();
    await one.send(s);
    await two.send(s);
    await two.send(s, { action: "add", data: { id: "x" } });
    await one.send(s, { action: "add", data: { id: "y" } });
    expect(one.html).toBe(expected(["x", "y"]));
    await two.send(s, { action: "add", data: { id: "z" } });
    expect(two.html).toBe(expected(["x", "y", "z"]));
  });

  it("sends the render id of every HTTP tree in a response header, a new one per render", async () => {
    const s = await instance(new VersionedStore());
    const first = await exchange(s, undefined, "");
    const second = await exchange(s, { action: "add", data: { id: "x" } }, first.render ?? "");
    expect(first.render).toMatch(/^[\w.-]{8,64}$/);
    expect(second.render).toMatch(/^[\w.-]{8,64}$/);
    expect(second.render).not.toBe(first.render);
    expect("s" in second.tree).toBe(false);
  });
});
