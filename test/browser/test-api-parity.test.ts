/**
 * The test API shows what a browser shows: the same page driven by the same user steps in
 * Chromium (our client over WebSocket) and through `livetemplate/testing` ends with the same live
 * HTML, compared after the browser parses both (so quoting and entity spelling do not matter).
 */
import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { Template, ValidationError, silentLogger, type ActionContext } from "livetemplate";
import { liveTest } from "livetemplate/testing";
import { chromiumAvailable, clientBundle, launchBrowser, until } from "./harness.js";

const run = chromiumAvailable();

class Todos {
  items: { id: number; title: string; done: boolean }[] = [];
  next = 1;
  add(ctx: ActionContext): void {
    const title = ctx.data.getString("title").trim();
    if (title === "") throw new ValidationError("title", "a title is required");
    this.items.push({ id: this.next++, title, done: false });
  }
  toggle(ctx: ActionContext): void {
    const item = this.items.find((i) => i.id === ctx.data.getInt("id"));
    if (item) item.done = !item.done;
  }
}
const source = `<!DOCTYPE html><html><head><title>t</title></head><body>
<form id="add" lvt-submit="add"><input name="title"><button>Add</button>{{with .lvt.Error "title"}}<em>{{.}}</em>{{end}}</form>
<ul>{{range .items}}<li data-key="{{.id}}" class="{{if .done}}done{{end}}">{{.title}} &amp; <button lvt-click="toggle" data-id="{{.id}}">t</button></li>{{end}}</ul>
<p>{{len .items}} items</p>
</body></html>`;

let browser: Browser;
let dir = "";
beforeAll(async () => {
  if (!run) return;
  dir = mkdtempSync(join(tmpdir(), "lt-parity-"));
  writeFileSync(join(dir, "livetemplate.min.js"), await clientBundle("iife"));
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!run)("test API parity with Chromium", () => {
  it("ends with the live HTML the browser shows after the same steps", async () => {
    const handler = new Template("todos").parse(source).handle(Todos, { logger: silentLogger, clientScript: { file: join(dir, "livetemplate.min.js") } });
    const server = http.createServer(handler);
    handler.attach(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForSelector("[data-lvt-id].lvt-connected");
    const t = await liveTest(handler);

    // The same steps in both: an invalid add, two adds, a toggle.
    await page.fill("#add input", "");
    await page.click("#add button");
    await page.waitForSelector("#add em");
    await t.submit("#add", { title: "" });
    for (const title of ["Milk <b>", "Eggs"]) {
      await page.fill("#add input", title);
      await page.click("#add button");
      await t.submit("#add", { title });
    }
    await until(async () => (await page.$$("li")).length === 2, "two items in the browser");
    await page.click("li[data-key='1'] button");
    await until(async () => (await page.getAttribute("li[data-key='1']", "class")) === "done", "toggled in the browser");
    await t.click("li[data-key='1'] button");

    // Each tab is its own session: compare the two after the browser parses both.
    const [shown, ours] = (await page.evaluate(`(() => {
      const wrapper = document.querySelector("[data-lvt-id]");
      const tpl = document.createElement("template");
      tpl.innerHTML = ${JSON.stringify(t.html())};
      return [wrapper.innerHTML, tpl.innerHTML];
    })()`)) as [string, string];
    expect(ours).toBe(shown);
    expect(t.find("li").map((li) => li.text)).toEqual(["Milk <b> & t", "Eggs & t"]);

    await t.close();
    await page.close();
    await handler.close();
    server.close();
  });
});
