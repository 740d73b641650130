/**
 * The in-process test API: pages mounted with `liveTest`, driven by the `lvt-*` attributes they
 * render, checked against a plain render of the same state.
 */
import { describe, expect, it } from "vitest";
import { Template } from "../live/template.js";
import { silentLogger } from "../server/options.js";
import type { ActionContext } from "../session/action-context.js";
import { ValidationError } from "../session/action-errors.js";
import type { MountContext } from "../session/types.js";
import { namedStores } from "../session/store-set.js";
import { liveTest } from "./live-test.js";

class Board {
  count = 0;
  tab = "";
  title = "";
  items: { id: number; name: string }[] = [];
  online = 0;
  mount(ctx: MountContext): void {
    this.tab = ctx.query["tab"] ?? "home";
  }
  onConnect(): void {
    this.online++;
  }
  onDisconnect(): void {
    this.online--;
  }
  increment(ctx: ActionContext): void {
    this.count += ctx.data.has("by") ? ctx.data.getInt("by") : 1;
  }
  add(ctx: ActionContext): void {
    const name = ctx.data.getString("name").trim();
    if (name === "") throw new ValidationError("name", "a name is required");
    this.items.push({ id: this.items.length + 1, name });
  }
  search(ctx: ActionContext): void {
    this.title = ctx.data.getString("q");
  }
}

const page = `<!DOCTYPE html><html><head><title>t</title></head><body>
<output id="count">{{.count}}</output><i id="tab">{{.tab}}</i><b id="online">{{.online}}</b>
<button lvt-click="increment" data-by="2" id="two">+2</button>
<div lvt-click="increment"><span id="inner">+1</span></div>
<button name="increment" id="named">named</button>
<form id="add" lvt-submit="add"><input name="name" value=""><input type="checkbox" name="urgent">
<select name="kind"><option value="a">A</option><option value="b" selected>B</option></select>
<button>Add</button>{{with .lvt.Error "name"}}<em class="error">{{.}}</em>{{end}}</form>
<input id="q" name="q" lvt-keyup="search" lvt-key="Enter" value="start">
<h2 id="title">{{.title}}</h2>
<ul>{{range .items}}<li data-key="{{.id}}" class="item">{{.name}}</li>{{end}}</ul>
</body></html>`;

const tmpl = () => new Template("board").parse(page);
const opts = { handler: { logger: silentLogger } };

/** The wrapper's inner HTML of a plain render of the page for `state`. */
function plain(state: object): string {
  const html = tmpl().executeToHTML({ ...state, lvt: undefined }, { loading: false });
  return /<div data-lvt-id="[^"]*">([\s\S]*)<\/div>\s*<\/body>/.exec(html)?.[1] ?? "";
}

describe("liveTest", () => {
  it("mounts a page in-process and shows what a plain render of its state shows", async () => {
    const p = await liveTest(tmpl(), Board, opts);
    expect(p.text("#count")).toBe("0");
    expect(p.text("#tab")).toBe("home");
    expect(p.text("#online")).toBe("1");
    expect(p.find("button").map((b) => b.text)).toEqual(["+2", "named", "Add"]);
    expect(p.find("#two")[0]?.attr("data-by")).toBe("2");
    await p.close();
  });

  it("clicks the way the client does: the element's lvt-click, an ancestor's, a named button", async () => {
    const p = await liveTest(tmpl(), Board, opts);
    await p.click("#two");
    expect(p.text("#count")).toBe("2");
    await p.click("#inner");
    expect(p.text("#count")).toBe("3");
    await p.click("#named");
    expect(p.text("#count")).toBe("4");
    expect(() => p.click("h2")).toThrow(/nothing handles click/);
    expect(() => p.click("#missing")).toThrow(/no element matches/);
    await p.close();
  });

  it("submits a form with typed fields and shows its validation error, then clears it", async () => {
    const p = await liveTest(tmpl(), Board, opts);
    const failed = await p.submit("#add", { name: "  " });
    expect(failed).toMatchObject({ meta: { success: false, errors: { name: "a name is required" } } });
    expect(p.errors()).toEqual({ name: "a name is required" });
    expect(p.text("em.error")).toBe("a name is required");
    await p.submit("#add button", { name: "Milk" });
    expect(p.errors()).toEqual({});
    expect(p.find("em.error")).toEqual([]);
    expect(p.find("li.item").map((li) => [li.attr("data-key"), li.text])).toEqual([["1", "Milk"]]);
    expect(() => p.submit("#add", { nmae: "typo" })).toThrow(/no field named "nmae"/);
    await p.close();
  });

  it("sends the form's own values the way the client reads them", async () => {
    const seen: unknown[] = [];
    class Spy extends Board {
      override add(ctx: ActionContext): void {
        seen.push(ctx.data.raw());
      }
    }
    const p = await liveTest(tmpl(), Spy, opts);
    await p.submit("#add", { name: "42", urgent: true });
    await p.submit("#add", { kind: "a" });
    expect(seen).toEqual([
      { name: 42, urgent: true, kind: "b" },
      { name: "", urgent: false, kind: "a" },
    ]);
    await p.close();
  });

  it("honours lvt-key on keyup: only the named key sends the action", async () => {
    const p = await liveTest(tmpl(), Board, opts);
    expect(await p.keyup("#q", "a", { q: "nope" })).toBeUndefined();
    expect(p.text("#title")).toBe("");
    await p.keyup("#q", "Enter", { q: "milk" });
    expect(p.text("#title")).toBe("milk");
    await p.keyup("#q", "Enter");
    expect(p.text("#title")).toBe("start");
    await p.close();
  });

  it("keeps two tabs of one session group in step, and another user's session apart", async () => {
    const a = await liveTest(tmpl(), Board, opts);
    const b = await a.tab();
    expect(b.groupId).toBe(a.groupId);
    expect(a.text("#online")).toBe("2");
    await a.click("#two");
    expect(b.text("#count")).toBe("2");
    expect(b.lastReply()?.message).toEqual({ tree: { 0: 2 }, meta: { success: true, errors: {} } });
    const other = await a.user("bob");
    expect(other.text("#count")).toBe("0");
    expect(other.userId).toBe("bob");
    await b.closeTab();
    expect(a.text("#online")).toBe("1");
    await a.close();
  });

  it("navigates: mount runs with the new query and every tab of the group follows", async () => {
    const a = await liveTest(tmpl(), Board, { ...opts, url: "/board?tab=first" });
    const b = await a.tab();
    expect(a.text("#tab")).toBe("first");
    await a.navigate("/board?tab=second");
    expect(a.text("#tab")).toBe("second");
    expect(b.text("#tab")).toBe("second");
    await a.close();
  });

  it("receives handler broadcasts, with the group's store typed", async () => {
    const handler = tmpl().handle<Board>(Board, { logger: silentLogger });
    const a = await liveTest(handler);
    const b = await a.user("other");
    await handler.broadcast((board) => {
      board.count = 99;
    });
    expect(a.text("#count")).toBe("99");
    expect(b.text("#count")).toBe("99");
    await a.close();
    await handler.close();
  });

  it("reports the wire message and its bytes, and protocol errors as the client would get them", async () => {
    const p = await liveTest(tmpl(), Board, opts);
    await p.click("#two");
    const r = p.lastReply()!;
    expect(r.message).toEqual({ tree: { 0: 2 }, meta: { success: true, errors: {}, action: "increment" } });
    expect(r.bytes).toBe(Buffer.byteLength(JSON.stringify(r.message)));
    await p.pushEvent("nope", {});
    expect(p.protocolError()).toMatchObject({ type: "error", code: "LT_ERR_PROTOCOL_UNKNOWN_ACTION" });
    await p.send("", {});
    expect(p.protocolError()).toMatchObject({ code: "LT_ERR_PROTOCOL_MALFORMED" });
    expect(await p.send("__ping__")).toEqual({ pong: true });
    expect(p.pending).toBe(0);
    await p.close();
  });

  it("routes namespaced actions of named stores", async () => {
    class Counter {
      n = 0;
      bump(): void {
        this.n++;
      }
    }
    const t = new Template("named").parse(`<p>{{.left.n}} {{.right.n}}</p><button lvt-click="right.bump">r</button>`);
    const p = await liveTest(t, namedStores({ left: Counter, right: Counter }), opts);
    await p.click("button");
    expect(p.text("p")).toBe("0 1");
    await p.close();
  });

  it("shows exactly what a plain render of the latest state shows, after many actions", async () => {
    const p = await liveTest(tmpl(), Board, opts);
    const state = new Board();
    state.tab = "home";
    state.online = 1;
    for (let i = 0; i < 30; i++) {
      if (i % 3 === 0) {
        await p.submit("#add", { name: `n${i}` });
        state.items.push({ id: state.items.length + 1, name: `n${i}` });
      } else {
        await p.click("#two");
        state.count += 2;
      }
      expect(p.html()).toBe(plain(state));
    }
    await p.close();
  });

  it("runs a long series of actions (its speed is measured in bench/testing.bench.mjs)", async () => {
    const p = await liveTest(tmpl(), Board, opts);
    const n = 2000;
    for (let i = 0; i < n; i++) await p.click("#two");
    expect(p.text("#count")).toBe(String(2 * n));
    await p.close();
  });

  it("shows the flash messages an action left, until the page changes", async () => {
    class Notes extends Board {
      save(ctx: ActionContext): void {
        this.count++;
        ctx.flash("info", `Saved ${this.count}`);
      }
    }
    const t = new Template("n").parse(`<p>{{.count}}</p><button lvt-click="save">save</button>{{with .lvt.Flash "info"}}<em>{{.}}</em>{{end}}`);
    const p = await liveTest(t, Notes, opts);
    expect(p.flash()).toEqual({});
    expect(p.flash("info")).toBe("");
    await p.click("button");
    expect(p.flash()).toEqual({ info: "Saved 1" });
    expect(p.flash("info")).toBe("Saved 1");
    expect(p.text("em")).toBe("Saved 1");
    await p.navigate("/?tab=other");
    expect(p.flash("info")).toBe("");
    expect(p.find("em")).toEqual([]);
    await p.close();
  });

  it("reads the group's state, typed by the stores", async () => {
    const p = await liveTest(tmpl(), Board, opts);
    await p.click("#two");
    const s: Board = p.state();
    expect(s.count).toBe(2);
    const tab = await p.tab();
    expect(tab.state()).toBe(s);
    const other = await p.user("u2");
    expect(other.state()).not.toBe(s);
    const named = await liveTest(new Template("x").parse(`<p>{{.b.count}}</p>`), namedStores({ b: Board }), opts);
    expect(named.state().b.count).toBe(0);
    await Promise.all([p.close(), named.close()]);
  });
});
