/**
 * The handler with the real live Template: frames received over a real WebSocket, applied with
 * the published client's TreeRenderer, must give the HTML of a plain render of the server's
 * current state, through actions whose write-journal paths drive incremental rendering.
 */
import { createRequire } from "node:module";
import { afterEach, describe, expect, it } from "vitest";
import { Template } from "../../src/live/template.js";
import type { ActionContext } from "../../src/session/action-context.js";
import { ValidationError } from "../../src/session/action-errors.js";
import type { LiveHandlerOptions } from "../../src/server/options.js";
import { silentLogger } from "../../src/server/options.js";
import { namedStores } from "../../src/session/store-set.js";
import { serve, sessionCookie, TestClient, type Served } from "./harness.js";

const require = createRequire(import.meta.url);
const { TreeRenderer } = require("@livetemplate/client/dist/state/tree-renderer.js") as {
  TreeRenderer: new (logger: object) => { applyUpdate(u: object): { html: string } };
};
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

interface Todo {
  id: number;
  text: string;
  done: boolean;
  tags: string[];
}

class TodoStore {
  title = "Todos";
  nextId = 1;
  todos: Todo[] = [];
  filter = "all";
  stats = { added: 0, removed: 0 };

  /** Computed from other fields: the journal must hint it when todos change. */
  get open(): number {
    return this.todos.filter((t) => !t.done).length;
  }
  tagged(): number {
    return this.todos.reduce((n, t) => n + t.tags.length, 0);
  }

  add(ctx: ActionContext): void {
    const text = ctx.data.getString("text").trim();
    if (text === "") throw new ValidationError("text", "text is required");
    this.todos.push({ id: this.nextId++, text, done: false, tags: [] });
    this.stats.added++;
  }
  toggle(ctx: ActionContext): void {
    const t = this.todos.find((x) => x.id === ctx.data.getInt("id"));
    if (t) t.done = !t.done;
  }
  remove(ctx: ActionContext): void {
    const i = this.todos.findIndex((x) => x.id === ctx.data.getInt("id"));
    if (i >= 0) this.todos.splice(i, 1);
    this.stats.removed++;
  }
  tag(ctx: ActionContext): void {
    this.todos.find((x) => x.id === ctx.data.getInt("id"))?.tags.push(ctx.data.getString("tag"));
  }
  reverse(): void {
    this.todos.reverse();
  }
  sortByText(): void {
    this.todos.sort((a, b) => a.text.localeCompare(b.text));
  }
  clearDone(): void {
    this.todos = this.todos.filter((t) => !t.done);
  }
  rename(ctx: ActionContext): void {
    this.title = ctx.data.getString("title");
  }
  setFilter(ctx: ActionContext): void {
    this.filter = ctx.data.getString("filter");
  }
  async addLater(ctx: ActionContext): Promise<void> {
    await new Promise((r) => setTimeout(r, 5));
    this.add(ctx);
  }
  explode(): void {
    this.todos.push({ id: 999, text: "ghost", done: false, tags: [] });
    this.todos[0] && (this.todos[0].text = "mutated");
    this.title = "broken";
    throw new Error("boom");
  }
}

const SOURCE = `<h1>{{.title}}</h1>
<p>{{len .todos}} items, {{.open}} open, {{.tagged}} tags, {{.stats.added}} added, {{.stats.removed}} removed, filter {{.filter}}</p>
<ul>{{range .todos}}<li data-key="{{.id}}" class="{{if .done}}done{{end}}">{{.text}}{{range .tags}}<em>{{.}}</em>{{end}}</li>{{else}}<li>empty</li>{{end}}</ul>`;

let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

function wrapperInner(page: string): string {
  const m = /<div data-lvt-id="lvt-[0-9a-f]{16}"(?: data-lvt-loading="true")?>([\s\S]*)<\/div><script/.exec(page);
  if (!m) throw new Error("no wrapper in page: " + page.slice(0, 200));
  return m[1]!;
}

async function start(options: LiveHandlerOptions = {}): Promise<Served> {
  const tmpl = new Template("todos").parse(SOURCE);
  served = await serve(tmpl.handle(() => new TodoStore(), { logger: silentLogger, rateLimit: false, ...options }));
  return served;
}

const steps: [string, Record<string, unknown>][] = [
  ["add", { text: "milk" }],
  ["add", { text: "bread" }],
  ["add", { text: "apples" }],
  ["toggle", { id: 2 }],
  ["tag", { id: 1, tag: "dairy" }],
  ["tag", { id: 1, tag: "cold" }],
  ["add", { text: "" }],
  ["rename", { title: "Groceries <3" }],
  ["reverse", {}],
  ["sortByText", {}],
  ["explode", {}],
  ["remove", { id: 1 }],
  ["addLater", { text: "zucchini" }],
  ["toggle", { id: 3 }],
  ["clearDone", {}],
  ["setFilter", { filter: "open" }],
  ["add", { text: "eggs" }],
  ["remove", { id: 4 }],
  ["remove", { id: 5 }],
  ["remove", { id: 6 }],
];

describe.each<[string, LiveHandlerOptions]>([
  ["journal tracking", {}],
  ["snapshot tracking", { tracking: "snapshot" }],
])("with the real Template and %s", (_, options) => {
  it("keeps two tabs' trees equal to a plain render of the server state after every action", async () => {
    const s = await start(options);
    const cookie = await sessionCookie(s.url);
    const a = await TestClient.open(s.wsUrl, { headers: { cookie } });
    const b = await TestClient.open(s.wsUrl, { headers: { cookie } });
    const ra = new TreeRenderer(quiet);
    const rb = new TreeRenderer(quiet);
    ra.applyUpdate((await a.next())["tree"] as object);
    rb.applyUpdate((await b.next())["tree"] as object);
    for (const [i, [action, data]] of steps.entries()) {
      const sender = i % 3 === 2 ? b : a;
      const other = sender === a ? b : a;
      const reply = await sender.action(action, data);
      const page = await (await fetch(s.url, { headers: { cookie } })).text();
      const expected = wrapperInner(page);
      const rs = sender === a ? ra : rb;
      const ro = sender === a ? rb : ra;
      expect(rs.applyUpdate(reply["tree"] as object).html, `${action} (sender)`).toBe(expected);
      if (!(await other.idle())) ro.applyUpdate((await other.next())["tree"] as object);
      expect(ro.applyUpdate({}).html, `${action} (other tab)`).toBe(expected);
    }
  });
});

describe("with the real Template", () => {
  it("reports validation and unexpected errors and leaves the state untouched", async () => {
    const s = await start();
    const c = await TestClient.open(s.wsUrl);
    await c.next();
    await c.action("add", { text: "one" });
    expect((await c.action("add", { text: " " }))["meta"]).toEqual({ success: false, errors: { text: "text is required" }, action: "add" });
    expect(await c.action("explode")).toEqual({ tree: {}, meta: { success: false, errors: { _general: "internal error" }, action: "explode" } });
  });

  it("serves named stores as an object of stores and routes prefixed actions", async () => {
    const tmpl = new Template("two").parse(`<h1>{{.a.title}}</h1><h2>{{.b.title}}</h2>`);
    served = await serve(tmpl.handle(namedStores({ a: () => new TodoStore(), b: () => new TodoStore() }), { logger: silentLogger }));
    const c = await TestClient.open(served.wsUrl);
    expect((await c.next())["tree"]).toEqual({ s: ["<h1>", "</h1><h2>", "</h2>"], 0: "Todos", 1: "Todos" });
    expect((await c.action("b.rename", { title: "B" }))["tree"]).toEqual({ 1: "B" });
    expect((await c.action("rename", { title: "A" }))["tree"]).toEqual({ 0: "A" });
  });

  it("renders the page of a full HTML document with the wrapper and the script before </body>", async () => {
    const tmpl = new Template("doc").parse(`<!DOCTYPE html><html><head><title>{{.title}}</title></head><body><h1>{{.title}}</h1></body></html>`);
    served = await serve(tmpl.handle(new TodoStore(), { logger: silentLogger }));
    const html = await (await fetch(served.url)).text();
    expect(html).toMatch(/^<!DOCTYPE html><html><head><title>Todos<\/title><\/head><body><div data-lvt-id="lvt-[0-9a-f]{16}" data-lvt-loading="true"><h1>Todos<\/h1><\/div><script src="\/\?lvt-client=[^"]+" defer><\/script><\/body><\/html>$/);
  });
});

describe("broadcasts with the real Template", () => {
  it("a broadcast without a function re-renders state changed outside any action", async () => {
    const shared = { ticks: 0 };
    class WithShared extends TodoStore {
      shared = shared;
    }
    const tmpl = new Template("shared").parse(`<p>{{.shared.ticks}}</p><h1>{{.title}}</h1>`);
    served = await serve(tmpl.handle(() => new WithShared(), { logger: silentLogger }));
    const a = await TestClient.open(served.wsUrl);
    const b = await TestClient.open(served.wsUrl);
    await a.next();
    await b.next();
    shared.ticks = 5;
    await served.handler.broadcast();
    expect((await a.next())["tree"]).toEqual({ 0: 5 });
    expect((await b.next())["tree"]).toEqual({ 0: 5 });
    await served.handler.broadcast((d) => void ((d as WithShared).title = "T"));
    expect((await a.next())["tree"]).toEqual({ 1: "T" });
  });
});

describe("aliased state with the real Template", () => {
  it("renders both places of an object reachable at two paths after a write through one", async () => {
    class Picker {
      items = [
        { id: 1, name: "a" },
        { id: 2, name: "b" },
      ];
      selected: { id: number; name: string } | null = null;
      select(ctx: ActionContext): void {
        this.selected = this.items.find((i) => i.id === ctx.data.getInt("id")) ?? null;
      }
      renameSelected(ctx: ActionContext): void {
        if (this.selected) this.selected.name = ctx.data.getString("name");
      }
    }
    const tmpl = new Template("picker").parse(`<ul>{{range .items}}<li data-key="{{.id}}">{{.name}}</li>{{end}}</ul>{{with .selected}}<b>{{.name}}</b>{{end}}`);
    served = await serve(tmpl.handle(() => new Picker(), { logger: silentLogger }));
    const cookie = await sessionCookie(served.url);
    const c = await TestClient.open(served.wsUrl, { headers: { cookie } });
    const r = new TreeRenderer(quiet);
    r.applyUpdate((await c.next())["tree"] as object);
    for (const [action, data] of [
      ["select", { id: 2 }],
      ["renameSelected", { name: "B!" }],
      ["renameSelected", { name: "B2" }],
    ] as const) {
      const html = r.applyUpdate((await c.action(action, data))["tree"] as object).html;
      const page = await (await fetch(served.url, { headers: { cookie } })).text();
      expect(html, action).toBe(wrapperInner(page));
    }
    expect(r.applyUpdate({}).html).toContain('<li data-key="2">B2</li>');
  });
});
