/**
 * Navigation from the server's side: `__navigate__` answered with a diff for a client that asks
 * for one, `ctx.patch` / `navigate` / `redirect` in action replies (WebSocket, JSON, no-JS form
 * post) and from `mount`, and the lifetime of flash messages across a 303.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Template } from "../../src/live/template.js";
import { silentLogger } from "../../src/server/options.js";
import type { ActionContext } from "../../src/session/action-context.js";
import { Navigation, type NavigationControls } from "../../src/session/navigation.js";
import type { ConnectContext, MountContext } from "../../src/session/types.js";
import { serve, sessionCookie, TestClient, type Served } from "./harness.js";

let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

class Items {
  page = 1;
  saved = "";
  mount(ctx: MountContext): void {
    this.page = Number(ctx.query["page"] ?? "1");
    if (ctx.query["old"] !== undefined) ctx.redirect("/moved");
  }
  next(ctx: ActionContext): void {
    ctx.patch({ page: this.page + 1 });
  }
  open(ctx: ActionContext): void {
    ctx.navigate("/detail?id=3");
  }
  save(ctx: ActionContext): void {
    this.saved = ctx.data.getString("title");
    ctx.flash("info", `Saved ${this.saved}`);
    ctx.redirect("/?page=1");
  }
  note(ctx: ActionContext): void {
    ctx.flash("info", "Noted");
  }
}

const page = `<html><body><p>page {{.page}}</p>{{with .lvt.Flash "info"}}<em>{{.}}</em>{{end}}<a href="?page=2">next</a></body></html>`;

async function start(): Promise<Served> {
  served = await serve(new Template("items").parse(page).handle(() => new Items(), { logger: silentLogger, rateLimit: false }));
  return served;
}

const form = (cookie: string) => ({ cookie, "content-type": "application/x-www-form-urlencoded" });

describe("__navigate__", () => {
  it("answers with a diff when the connection asked for the nav capability", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const c = await TestClient.open(s.wsUrl + "?page=1&lvt-cap=nav", { headers: { cookie } });
    expect((await c.next())["tree"]).toMatchObject({ s: expect.any(Array), 0: 1 });
    expect(await c.action("__navigate__", { page: 2 })).toEqual({ tree: { 0: 2 }, meta: { success: true, errors: {} } });
    expect(await c.action("__navigate__", { page: 2 })).toEqual({ tree: {}, meta: { success: true, errors: {} } });
    c.close();
  });

  it("keeps the capability out of the query mount sees", async () => {
    const s = await start();
    const c = await TestClient.open(s.wsUrl + "?lvt-cap=nav", { headers: { cookie: await sessionCookie(s.url) } });
    expect((await c.next())["tree"]).toMatchObject({ 0: 1 });
    c.close();
  });

  it("still answers the published client (no capability) with the full tree", async () => {
    const s = await start();
    const c = await TestClient.open(s.wsUrl, { headers: { cookie: await sessionCookie(s.url) } });
    await c.next();
    expect((await c.action("__navigate__", { page: 4 }))["tree"]).toMatchObject({ s: expect.any(Array), 0: 4 });
    c.close();
  });
});

describe("patch, navigate and redirect", () => {
  it("patch re-mounts with the new query in the same reply, a diff, with meta.navigation", async () => {
    const s = await start();
    const c = await TestClient.open(s.wsUrl + "?page=3&lvt-cap=nav", { headers: { cookie: await sessionCookie(s.url) } });
    await c.next();
    expect(await c.action("next")).toEqual({
      tree: { 0: 4 },
      meta: { success: true, errors: {}, action: "next", navigation: { kind: "patch", to: "?page=4" } },
    });
    c.close();
  });

  it("sends the published client (no nav capability) a page that is only a meta refresh to the URL", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const c = await TestClient.open(s.wsUrl, { headers: { cookie } });
    await c.next();
    expect(await c.action("open")).toEqual({
      tree: { s: ['<meta http-equiv="refresh" content="0;url=/detail?id=3">'] },
      meta: { success: true, errors: {}, action: "open", navigation: { kind: "navigate", to: "/detail?id=3" } },
    });
    c.close();
    // Over HTTP the published client names no render: the same page.
    const res = await fetch(s.url, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ action: "save", data: { title: "<x>" } }),
    });
    expect(((await res.json()) as Record<string, unknown>)["tree"]).toEqual({ s: ['<meta http-equiv="refresh" content="0;url=/?page=1">'] });
  });

  it("navigate and redirect travel in meta.navigation over the socket and over JSON", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const c = await TestClient.open(s.wsUrl + "?lvt-cap=nav", { headers: { cookie } });
    await c.next();
    expect((await c.action("open"))["meta"]).toMatchObject({ success: true, navigation: { kind: "navigate", to: "/detail?id=3" } });
    c.close();
    const res = await fetch(s.url, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", accept: "application/json", "x-livetemplate-render": "" },
      body: JSON.stringify({ action: "save", data: { title: "x" } }),
    });
    expect(((await res.json()) as Record<string, unknown>)["meta"]).toMatchObject({ success: true, navigation: { kind: "redirect", to: "/?page=1" } });
  });

  it("answers a repeated action id with the first try's navigation, without running it again", async () => {
    const s = await start();
    const c = await TestClient.open(s.wsUrl + "?lvt-cap=nav", { headers: { cookie: await sessionCookie(s.url) } });
    await c.next();
    c.send({ action: "next", data: {}, id: "t.1" });
    expect((await c.next())["meta"]).toMatchObject({ navigation: { kind: "patch", to: "?page=2" } });
    c.send({ action: "next", data: {}, id: "t.1" });
    expect(await c.next()).toEqual({ tree: {}, meta: { success: true, errors: {}, action: "next", navigation: { kind: "patch", to: "?page=2" } } });
    c.close();
  });

  it("a no-JS form post that redirects gets a 303 to that URL", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const res = await fetch(s.url, { method: "POST", redirect: "manual", headers: form(cookie), body: "lvt-action=save&title=Milk" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/?page=1");
  });

  it("a page whose mount redirects is answered with a 303", async () => {
    const s = await start();
    const res = await fetch(s.url + "?old=1", { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/moved");
  });

  it("refuses a navigate or a patch to another host and a redirect to a script URL", () => {
    const nav = new Navigation(() => "g");
    expect(() => nav.navigate("//evil.example/")).toThrow(/path or a query/);
    expect(() => nav.patch("https://evil.example/?a=1")).toThrow(/path or a query/);
    nav.patch("/items?page=2");
    expect(nav.intent).toEqual({ kind: "patch", to: "/items?page=2", query: { page: "2" } });
    nav.navigate("/detail");
    expect(nav.meta()).toEqual({ kind: "navigate", to: "/detail" });
    expect(() => nav.redirect("javascript:alert(1)")).toThrow(/http\(s\) URL/);
    nav.redirect("https://example.com/signed-out");
    expect(nav.meta()).toEqual({ kind: "redirect", to: "https://example.com/signed-out" });
  });
});

describe("flash", () => {
  it("survives exactly one redirect of a no-JS post: shown on the next GET, gone on the one after", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const post = await fetch(s.url, { method: "POST", redirect: "manual", headers: form(cookie), body: "lvt-action=save&title=Milk" });
    expect(post.status).toBe(303);
    const first = await (await fetch(s.url + "?page=1", { headers: { cookie } })).text();
    expect(first).toContain("<em>Saved Milk</em>");
    // The page's own socket (same page, not a navigation) still shows it.
    const c = await TestClient.open(s.wsUrl + "?page=1", { headers: { cookie } });
    expect(JSON.stringify(await c.next())).toContain("Saved Milk");
    c.close();
    const second = await (await fetch(s.url + "?page=1", { headers: { cookie } })).text();
    expect(second).not.toContain("Saved Milk");
  });

  it("without a redirect shows on the current page only and goes with the next navigation", async () => {
    const s = await start();
    const c = await TestClient.open(s.wsUrl + "?lvt-cap=nav", { headers: { cookie: await sessionCookie(s.url) } });
    await c.next();
    expect(JSON.stringify(await c.action("note"))).toContain("Noted");
    const nav = await c.action("__navigate__", { page: 2 });
    expect(nav["tree"]).toMatchObject({ 0: 2, 1: "" });
    expect(JSON.stringify(await c.action("__navigate__", { page: 3 }))).not.toContain("Noted");
    c.close();
  });

  it("a no-JS post without a redirect is shown on the page the 303 leads back to", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const post = await fetch(s.url, { method: "POST", redirect: "manual", headers: form(cookie), body: "lvt-action=note" });
    expect(post.status).toBe(303);
    expect(await (await fetch(s.url, { headers: { cookie } })).text()).toContain("<em>Noted</em>");
    expect(await (await fetch(s.url, { headers: { cookie } })).text()).not.toContain("Noted");
  });
});

describe("from onConnect", () => {
  it("sends a redirect asked for by onConnect with the first tree, and its flash to the next page", async () => {
    class Guarded {
      n = 0;
      onConnect(ctx: ConnectContext & NavigationControls): void {
        ctx.flash("error", "Sign in first");
        ctx.redirect("/login");
      }
    }
    served = await serve(new Template("g").parse(`<p>{{.n}}</p>{{.lvt.Flash "error"}}`).handle(() => new Guarded(), { logger: silentLogger }));
    const cookie = await sessionCookie(served.url);
    const c = await TestClient.open(served.wsUrl + "?lvt-cap=nav", { headers: { cookie } });
    expect((await c.next())["meta"]).toMatchObject({ navigation: { kind: "redirect", to: "/login" } });
    c.close();
    expect(await (await fetch(served.url, { headers: { cookie } })).text()).toContain("Sign in first");
  });
});
