/**
 * `.lvt.Errors` in templates: the errors of the last action show in the page of the connection
 * (or request) that sent it, and nowhere else; its next successful action clears them.
 */
import { createRequire } from "node:module";
import { afterEach, describe, expect, it } from "vitest";
import { Template } from "../../src/live/template.js";
import type { ActionContext } from "../../src/session/action-context.js";
import { ValidationError } from "../../src/session/action-errors.js";
import { silentLogger } from "../../src/server/options.js";
import { namedStores } from "../../src/session/store-set.js";
import { lvtData, withLvt } from "../../src/session/lvt.js";
import { serve, sessionCookie, TestClient, type Served } from "./harness.js";

const require = createRequire(import.meta.url);
const { TreeRenderer } = require("@livetemplate/client/dist/state/tree-renderer.js") as {
  TreeRenderer: new (logger: object) => { applyUpdate(u: object): { html: string } };
};
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

class Items {
  items: string[] = [];
  #secret = "kept";

  get count(): number {
    return this.items.length;
  }
  secret(): string {
    return this.#secret;
  }
  add(ctx: ActionContext): void {
    const text = ctx.data.getString("text").trim();
    if (text === "") throw new ValidationError("text", "text is required");
    this.items.push(text);
  }
}

const SOURCE = `<form method="post"><input name="text">{{if .lvt.HasError "text"}}<span class="error">{{.lvt.Error "text"}}</span>{{end}}</form>
<p>{{.count}} items, {{.secret}}</p><ul>{{range .items}}<li>{{.}}</li>{{end}}</ul>`;

let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

async function start(): Promise<Served> {
  const tmpl = new Template("items").parse(SOURCE);
  served = await serve(tmpl.handle(() => new Items(), { logger: silentLogger, rateLimit: false, tracking: "snapshot" }));
  return served;
}

describe("errors in the template over WebSocket", () => {
  it("shows a failed action's error only in the sender's page, keeps it across others' updates, and clears it on the sender's next success", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const a = await TestClient.open(s.wsUrl, { headers: { cookie } });
    const b = await TestClient.open(s.wsUrl, { headers: { cookie } });
    const ra = new TreeRenderer(quiet);
    const rb = new TreeRenderer(quiet);
    ra.applyUpdate((await a.next())["tree"] as object);
    rb.applyUpdate((await b.next())["tree"] as object);

    const failed = await a.action("add", { text: " " });
    expect(failed["meta"]).toEqual({ success: false, errors: { text: "text is required" }, action: "add" });
    expect(ra.applyUpdate(failed["tree"] as object).html).toContain('<span class="error">text is required</span>');
    expect(await b.idle()).toBe(true);
    expect(rb.applyUpdate({}).html).not.toContain("text is required");

    // Another tab's change reaches the sender with its error still shown.
    rb.applyUpdate((await b.action("add", { text: "milk" }))["tree"] as object);
    const pushed = ra.applyUpdate((await a.next())["tree"] as object).html;
    expect(pushed).toContain("<li>milk</li>");
    expect(pushed).toContain("text is required");
    expect(rb.applyUpdate({}).html).not.toContain("text is required");

    // The sender's next success clears it, and both tabs are in step again.
    const ok = await a.action("add", { text: "eggs" });
    expect(ok["meta"]).toEqual({ success: true, errors: {}, action: "add" });
    const cleared = ra.applyUpdate(ok["tree"] as object).html;
    expect(cleared).not.toContain("text is required");
    expect(cleared).toContain("<li>eggs</li>");
    rb.applyUpdate((await b.next())["tree"] as object);
    expect(rb.applyUpdate({}).html).toBe(cleared);
    rb.applyUpdate((await b.action("add", { text: "tea" }))["tree"] as object);
    expect(ra.applyUpdate((await a.next())["tree"] as object).html).toBe(rb.applyUpdate({}).html);
    expect(rb.applyUpdate({}).html).toContain("3 items, kept");
  });

  it("sends nothing extra when a repeated failure has the same errors", async () => {
    const s = await start();
    const a = await TestClient.open(s.wsUrl);
    const ra = new TreeRenderer(quiet);
    ra.applyUpdate((await a.next())["tree"] as object);
    ra.applyUpdate((await a.action("add", { text: "" }))["tree"] as object);
    const again = await a.action("add", { text: "" });
    expect(again["tree"]).toEqual({});
    expect(ra.applyUpdate({}).html).toContain("text is required");
  });
});

describe("errors in the template over HTTP", () => {
  it("shows the error in the 422 page of a no-JS form post, and not after a following success", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const post = (body: string): Promise<Response> =>
      fetch(s.url, { method: "POST", redirect: "manual", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body });
    const bad = await post("lvt-action=add&text=");
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('<span class="error">text is required</span>');
    const good = await post("lvt-action=add&text=milk");
    expect(good.status).toBe(303);
    const page = await (await fetch(s.url, { headers: { cookie } })).text();
    expect(page).toContain("<li>milk</li>");
    expect(page).not.toContain("text is required");
  });

  it("renders the error in a JSON POST's tree", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const res = await fetch(s.url, { method: "POST", headers: { cookie, "content-type": "application/json", accept: "application/json" }, body: JSON.stringify({ action: "add", data: { text: "" } }) });
    const reply = (await res.json()) as { tree: object; meta: object };
    expect(reply.meta).toEqual({ success: false, errors: { text: "text is required" }, action: "add" });
    expect(new TreeRenderer(quiet).applyUpdate(reply.tree).html).toContain('<span class="error">text is required</span>');
  });
});

describe("the .lvt data", () => {
  it.each<[string, Record<string, string>, string]>([
    ["no errors", {}, "false||"],
    ["a field error", { title: "required" }, "true|required|required"],
    ["a general error", { _general: "boom" }, "true||"],
  ])("answers HasErrors, Error and Errors with %s", (_, errors, want) => {
    const t = new Template("t").parse(`{{.lvt.HasErrors}}|{{.lvt.Error "title"}}|{{.lvt.Errors.title}}`);
    expect(t.execute(withLvt({}, lvtData(errors), true))).toBe(want);
    expect(t.execute(withLvt({}, lvtData(errors), false))).toBe(want);
  });

  it("refuses a store named lvt", () => {
    expect(() => new Template("t").parse("x").handle(namedStores({ lvt: {} }))).toThrow(/reserved/);
  });
});
