import { afterEach, describe, expect, it } from "vitest";
import { Template } from "../../src/live/template.js";
import { silentLogger } from "../../src/server/options.js";
import type { MountContext } from "../../src/session/types.js";
import { serve, sessionCookie, TestClient, type Served } from "./harness.js";

let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

class Pager {
  page = 1;
  mounts: string[] = [];
  mount(ctx: MountContext): void {
    this.page = Number(ctx.query["page"] ?? "1");
    this.mounts.push(ctx.connectionId === undefined ? "http" : "ws");
  }
  next(): void {
    this.page++;
  }
}

async function start(): Promise<Served> {
  const tmpl = new Template("pager").parse(`<p>page {{.page}}</p>`);
  served = await serve(tmpl.handle(() => new Pager(), { logger: silentLogger }));
  return served;
}

describe("mount", () => {
  it("sees the query of the page, of the JSON GET and of the WebSocket URL", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    expect(await (await fetch(s.url + "?page=3", { headers: { cookie } })).text()).toContain("<p>page 3</p>");
    const json = await (await fetch(s.url + "?page=4", { headers: { cookie, accept: "application/json" } })).json();
    expect(json).toMatchObject({ tree: { 0: 4 } });
    const c = await TestClient.open(s.wsUrl + "?page=7", { headers: { cookie } });
    expect((await c.next())["tree"]).toMatchObject({ 0: 7 });
  });

  it("re-mounts on __navigate__ with the data as the query, and the group's other tabs follow", async () => {
    const s = await start();
    const cookie = await sessionCookie(s.url);
    const a = await TestClient.open(s.wsUrl + "?page=2", { headers: { cookie } });
    await a.next();
    const b = await TestClient.open(s.wsUrl + "?page=2", { headers: { cookie } });
    await b.next();
    expect(await a.action("__navigate__", { page: 5 })).toMatchObject({ tree: { s: ["<p>page ", "</p>"], 0: 5 } });
    expect(await b.next()).toEqual({ tree: { 0: 5 }, meta: { success: true, errors: {} } });
    expect((await a.action("next"))["tree"]).toEqual({ 0: 6 });
  });

  it("is not callable as an action", async () => {
    const s = await start();
    const c = await TestClient.open(s.wsUrl);
    await c.next();
    expect(await c.action("mount")).toMatchObject({ type: "error", code: "LT_ERR_PROTOCOL_UNKNOWN_ACTION" });
  });
});
