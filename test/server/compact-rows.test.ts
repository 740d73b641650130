/**
 * The `rows` capability over a real WebSocket: a client that asks for it (our client does) gets
 * its first full tree with range items as arrays and without an empty capability list; a client
 * that does not (the published client) gets the plain objects; later diffs are the same for both,
 * and the published client's own tree renderer shows the same page from either once expanded.
 */
import { afterEach, describe, expect, it } from "vitest";
import { TreeRenderer } from "@livetemplate/client/dist/state/tree-renderer.js";
import { Template } from "../../src/live/template.js";
import { silentLogger } from "../../src/server/options.js";
import { expandTree } from "../../src/protocol/compact.js";
import type { ActionContext } from "../../src/session/action-context.js";
import { serve, sessionCookie, TestClient, type Served } from "./harness.js";

class List {
  items = [
    { id: 1, name: "tea" },
    { id: 2, name: "milk" },
  ];
  add(ctx: ActionContext): void {
    this.items.push({ id: this.items.length + 1, name: ctx.data.getString("name") });
  }
}
const page = `<ul>{{range .items}}<li data-key="{{.id}}">{{.name}}</li>{{end}}</ul>`;

let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

describe("the rows capability", () => {
  it("sends the first tree's range items as arrays to a client that asks, objects to one that does not", async () => {
    served = await serve(new Template("l").parse(page).handle(List, { logger: silentLogger }));
    const cookie = await sessionCookie(served.url);
    const ours = await TestClient.open(`${served.wsUrl}?lvt-cap=nav,rows`, { headers: { cookie } });
    const compact = await ours.next();
    const published = await TestClient.open(served.wsUrl, { headers: { cookie } });
    const plain = await published.next();
    expect((compact["tree"] as { "0": { d: unknown[] } })["0"].d).toEqual([["1", "tea"], ["2", "milk"]]);
    expect(compact["meta"]).toEqual({ success: true, errors: {} });
    expect((plain["tree"] as { "0": { d: unknown[] } })["0"].d).toEqual([{ "0": "1", "1": "tea" }, { "0": "2", "1": "milk" }]);
    expect(plain["meta"]).toEqual({ success: true, errors: {}, capabilities: [] });
    expect(JSON.stringify(compact).length).toBeLessThan(JSON.stringify(plain).length);
    expect(expandTree(compact["tree"])).toEqual(plain["tree"]);

    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const a = new TreeRenderer(quiet as never);
    const b = new TreeRenderer(quiet as never);
    a.applyUpdate(expandTree(compact["tree"]) as never);
    b.applyUpdate(plain["tree"] as never);
    // An action: both connections get the same diff.
    const reply = await ours.action("add", { name: "jam" });
    const push = await published.next();
    expect(reply["tree"]).toEqual(push["tree"]);
    expect(a.applyUpdate(reply["tree"] as never).html).toBe(b.applyUpdate(push["tree"] as never).html);
    expect(b.applyUpdate({} as never).html).toContain("jam");
    ours.close();
    published.close();
  });
});
