/**
 * A state the template cannot render: an action (or a broadcast's update, or `mount`) whose new
 * state makes the render throw is rolled back, the sender gets `_general`, and the group keeps
 * working for every tab, the page GET and later actions.
 */
import { createRequire } from "node:module";
import { afterEach, describe, expect, it } from "vitest";
import { Template } from "../../src/live/template.js";
import { silentLogger } from "../../src/server/options.js";
import type { MountContext } from "../../src/session/types.js";
import { serve, sessionCookie, TestClient, type Served } from "./harness.js";

const require = createRequire(import.meta.url);
const { TreeRenderer } = require("@livetemplate/client/dist/state/tree-renderer.js") as {
  TreeRenderer: new (logger: object) => { applyUpdate(u: object): { html: string } };
};
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

class Picker {
  Count = 0;
  Items = ["a", "b"];
  Pick = 0;

  inc(): void {
    this.Count++;
  }
  /** Leaves a state the template cannot index. */
  spoil(): void {
    this.Count += 100;
    this.Pick = 9;
  }
  mount(ctx: MountContext): void {
    if (ctx.query["pick"] !== undefined) this.Pick = Number(ctx.query["pick"]);
  }
}

const SOURCE = `<p>count={{.Count}} item={{index .Items .Pick}}</p>`;

let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

async function start(dev: boolean): Promise<Served> {
  const tmpl = new Template("picker").parse(SOURCE);
  served = await serve(tmpl.handle(() => new Picker(), { logger: silentLogger, rateLimit: false, dev }));
  return served;
}

const jsonPost = (s: Served, cookie: string, action: string) =>
  fetch(s.url, {
    method: "POST",
    headers: { cookie, "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ action, data: {} }),
  });

const page = async (s: Served, cookie: string, query = ""): Promise<{ status: number; html: string }> => {
  const res = await fetch(s.url + query, { headers: { cookie } });
  return { status: res.status, html: await res.text() };
};

describe("an action whose new state cannot be rendered", () => {
  it("is rolled back over WebSocket: the sender gets _general with details in dev mode, other tabs nothing, and the group keeps working", async () => {
    const s = await start(true);
    const cookie = await sessionCookie(s.url);
    const a = await TestClient.open(s.wsUrl, { headers: { cookie } });
    const b = await TestClient.open(s.wsUrl, { headers: { cookie } });
    const ra = new TreeRenderer(quiet);
    const rb = new TreeRenderer(quiet);
    ra.applyUpdate((await a.next())["tree"] as object);
    rb.applyUpdate((await b.next())["tree"] as object);

    const failed = await a.action("spoil");
    const meta = failed["meta"] as { success: boolean; errors: Record<string, string> };
    expect(meta.success).toBe(false);
    expect(meta.errors["_general"]).toMatch(/index out of range/);
    expect(ra.applyUpdate((failed["tree"] ?? {}) as object).html).toContain("count=0 item=a");
    expect(await b.idle()).toBe(true);

    const ok = await a.action("inc");
    expect(ok["meta"]).toEqual({ success: true, errors: {}, action: "inc" });
    expect(ra.applyUpdate(ok["tree"] as object).html).toContain("count=1 item=a");
    expect(rb.applyUpdate((await b.next())["tree"] as object).html).toContain("count=1 item=a");
    expect(await page(s, cookie)).toEqual({ status: 200, html: expect.stringContaining("count=1 item=a") as unknown });
    a.close();
    b.close();
  });

  it("is rolled back over a JSON POST and a form POST, without details outside dev mode", async () => {
    const s = await start(false);
    const cookie = await sessionCookie(s.url);
    const res = await jsonPost(s, cookie, "spoil");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { meta: { success: boolean; errors: Record<string, string> } };
    expect(body.meta.success).toBe(false);
    expect(body.meta.errors["_general"]).toBeDefined();
    expect(body.meta.errors["_general"]).not.toMatch(/index/);
    expect((await page(s, cookie)).html).toContain("count=0 item=a");

    const form = await fetch(s.url, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: "lvt-action=spoil",
      redirect: "manual",
    });
    expect(form.status).toBe(422);
    expect(await form.text()).toContain("count=0 item=a");

    const inc = (await (await jsonPost(s, cookie, "inc")).json()) as { meta: { success: boolean } };
    expect(inc.meta.success).toBe(true);
    expect(await page(s, cookie)).toEqual({ status: 200, html: expect.stringContaining("count=1 item=a") as unknown });
  });

  it("rolls back a broadcast update the template cannot render, and the tabs keep working", async () => {
    const s = await start(false);
    const cookie = await sessionCookie(s.url);
    const a = await TestClient.open(s.wsUrl, { headers: { cookie } });
    const ra = new TreeRenderer(quiet);
    ra.applyUpdate((await a.next())["tree"] as object);
    await s.handler.broadcast((data) => void ((data as Picker).Pick = 7));
    expect(await a.idle()).toBe(true);
    expect(await page(s, cookie)).toEqual({ status: 200, html: expect.stringContaining("count=0 item=a") as unknown });
    const ok = await a.action("inc");
    expect(ra.applyUpdate(ok["tree"] as object).html).toContain("count=1 item=a");
    a.close();
  });

  it("rolls back a mount the template cannot render, so the page and later loads still render", async () => {
    const s = await start(false);
    const cookie = await sessionCookie(s.url);
    expect(await page(s, cookie, "?pick=5")).toEqual({ status: 200, html: expect.stringContaining("count=0 item=a") as unknown });
    expect(await page(s, cookie, "?pick=1")).toEqual({ status: 200, html: expect.stringContaining("count=0 item=b") as unknown });
    const a = await TestClient.open(s.wsUrl + "?pick=8", { headers: { cookie } });
    const ra = new TreeRenderer(quiet);
    expect(ra.applyUpdate((await a.next())["tree"] as object).html).toContain("count=0 item=b");
    a.close();
  });
});
