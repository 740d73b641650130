/**
 * The snippets of docs/server.md, run as written (with a port of 0 and a test client).
 */
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { Template } from "../../src/live/template.js";
import type { ActionContext } from "../../src/session/action-context.js";
import { ValidationError } from "../../src/session/action-errors.js";
import type { Authenticator } from "../../src/server/authenticator.js";
import type { LiveHandler } from "../../src/server/live-handler.js";
import { silentLogger } from "../../src/server/options.js";
import { namedStores } from "../../src/session/store-set.js";
import type { Broadcaster, ConnectContext } from "../../src/session/types.js";
import { TestClient } from "./harness.js";

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

async function listen(handler: LiveHandler): Promise<{ http: string; ws: string }> {
  const server = http.createServer(handler);
  handler.attach(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  stops.push(async () => {
    await handler.close();
    server.close();
  });
  const port = (server.address() as AddressInfo).port;
  return { http: `http://127.0.0.1:${port}/`, ws: `ws://127.0.0.1:${port}/` };
}

class Counter {
  count = 0;
  increment() {
    this.count++;
  }
}

class Todos {
  items: { title: string; done: boolean }[] = [];

  async add(ctx: ActionContext) {
    const input = await ctx.data.bindAndValidate(z.object({ title: z.string().trim().min(1, "title is required") }));
    this.items.push({ title: input.title, done: false });
  }

  toggle(ctx: ActionContext) {
    const item = this.items[ctx.data.getInt("index")];
    if (!item) throw new ValidationError("index", "no such item");
    item.done = !item.done;
  }
}

describe("docs/server.md examples", () => {
  it("the counter page", async () => {
    const tmpl = new Template("counter").parse(`<!DOCTYPE html>
<html><head><title>Counter</title></head>
<body><h1>{{.count}}</h1><button lvt-on:click="increment">+1</button></body></html>`);
    const handler = tmpl.handle(() => new Counter(), { logger: silentLogger });
    const { http: url, ws } = await listen(handler);
    expect(await (await fetch(url)).text()).toContain("<h1>0</h1>");
    const c = await TestClient.open(ws);
    await c.next();
    expect((await c.action("increment"))["tree"]).toEqual({ 0: 1 });
  });

  it("the Todos store with zod validation and field errors", async () => {
    const tmpl = new Template("todos").parse(`<ul>{{range .items}}<li>{{.title}}{{if .done}} (done){{end}}</li>{{end}}</ul>`);
    const { ws } = await listen(tmpl.handle(() => new Todos(), { logger: silentLogger }));
    const c = await TestClient.open(ws);
    await c.next();
    expect((await c.action("add", { title: "  " }))["meta"]).toEqual({ success: false, errors: { title: "title is required" }, action: "add" });
    expect((await c.action("add", { title: "Milk" }))["meta"]).toMatchObject({ success: true });
    expect((await c.action("toggle", { index: 5 }))["meta"]).toMatchObject({ errors: { index: "no such item" } });
    expect((await c.action("toggle", { index: 0 }))["meta"]).toMatchObject({ success: true });
  });

  it("several stores, broadcasts and a room authenticator", async () => {
    const rooms: Authenticator = {
      identify: (req) => String(req.headers["x-user"] ?? ""),
      getSessionGroup: (req) => "room:" + new URL(req.url!, "http://x").searchParams.get("room"),
    };
    const tmpl = new Template("two").parse(`<b>{{.counter.count}}</b><i>{{len .todos.items}}</i>`);
    const handler = tmpl.handle(namedStores({ counter: () => new Counter(), todos: () => new Todos() }), { authenticator: rooms, logger: silentLogger });
    const { ws } = await listen(handler);
    const lobby = await TestClient.open(ws + "?room=lobby", { headers: { "x-user": "alice" } });
    const other = await TestClient.open(ws + "?room=other", { headers: { "x-user": "bob" } });
    await lobby.next();
    await other.next();
    await handler.broadcastToGroup("room:lobby", (data) => void (data as { counter: Counter }).counter.increment());
    expect((await lobby.next())["tree"]).toEqual({ 0: 1 });
    await handler.broadcastToUsers(["bob"], (data) => void (data as { todos: Todos }).todos.items.push({ title: "x", done: false }));
    expect((await other.next())["tree"]).toEqual({ 1: 1 });
    expect(await lobby.idle()).toBe(true);
  });

  it("a store pushing its own changes through the broadcaster", async () => {
    class Clock {
      now = "start";
      tick?: () => Promise<void>;
      onConnect(_ctx: ConnectContext, b: Broadcaster) {
        this.tick ??= () => {
          this.now = "later";
          return b.send();
        };
      }
      onDisconnect() {}
    }
    const store = new Clock();
    const tmpl = new Template("clock").parse(`<time>{{.now}}</time>`);
    const handler = tmpl.handle(() => store, { logger: silentLogger });
    const { ws } = await listen(handler);
    const c = await TestClient.open(ws);
    await c.next();
    await store.tick!();
    expect((await c.next())["tree"]).toEqual({ 0: "later" });
  });
});
