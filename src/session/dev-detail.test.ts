/** Dev mode's `meta.dev` on failed replies, seen through the in-process test API. */
import { describe, expect, it } from "vitest";
import { Template } from "../live/template.js";
import { silentLogger } from "../server/options.js";
import { liveTest } from "../testing/live-test.js";
import type { TreeMessage } from "../protocol/messages.js";

class Shop {
  items: unknown[] = [{ name: "a" }];
  boom(): void {
    throw new Error("the warehouse is on fire");
  }
  breakIt(): void {
    this.items = [3]; // `.name` of a number fails at render time
  }
}
const source = `<ul>\n{{range .items}}<li>{{.name}}</li>{{end}}\n</ul><button lvt-click="boom">b</button>`;
const tmpl = () => new Template("shop").parse(source);

describe("dev mode details (meta.dev)", () => {
  it("carries an action's exception with its message and stack", async () => {
    const p = await liveTest(tmpl(), Shop, { handler: { dev: true, logger: silentLogger } });
    const r = (await p.click("button")) as TreeMessage;
    expect(r.meta.errors).toEqual({ _general: "internal error: the warehouse is on fire" });
    expect(r.meta.dev).toMatchObject({ kind: "action", message: "the warehouse is on fire", stack: expect.stringContaining("boom") });
    await p.close();
  });

  it("carries a render error with the template's name, line, column and source line", async () => {
    const p = await liveTest(tmpl(), Shop, { handler: { dev: true, logger: silentLogger } });
    const r = (await p.send("breakIt")) as TreeMessage;
    expect(r.meta.success).toBe(false);
    expect(r.meta.dev).toMatchObject({
      kind: "render",
      template: { name: "shop", line: 2, column: expect.any(Number), source: "{{range .items}}<li>{{.name}}</li>{{end}}" },
    });
    expect(r.meta.dev?.message).toMatch(/^template: shop:2:\d+: /);
    await p.close();
  });

  it("sends nothing of the kind outside dev mode", async () => {
    const p = await liveTest(tmpl(), Shop, { handler: { dev: false, logger: silentLogger } });
    const r = (await p.click("button")) as TreeMessage;
    expect(r.meta.errors).toEqual({ _general: "internal error" });
    expect(r.meta.dev).toBeUndefined();
    const s = (await p.send("breakIt")) as TreeMessage;
    expect(s.meta.dev).toBeUndefined();
    await p.close();
  });
});
