import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { createLiveHandler } from "../../src/server/live-handler.js";
import { silentLogger } from "../../src/server/options.js";
import { Counter, counterView } from "./fixtures.js";
import { sessionCookie } from "./harness.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function app(parsers: express.RequestHandler[]): Promise<string> {
  const handler = createLiveHandler(counterView(), () => new Counter(), { logger: silentLogger });
  const a = express();
  for (const p of parsers) a.use(p);
  a.all("/page", handler);
  const server: Server = a.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanups.push(async () => {
    await handler.close();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/page`;
}

describe("bodies already read by Express middleware", () => {
  it.each([
    ["no body parser", []],
    ["express.json() only (it skips form bodies)", [express.json()]],
    ["express.json() and express.urlencoded()", [express.json(), express.urlencoded({ extended: false })]],
  ])("handles JSON and form posts with %s", async (_, parsers) => {
    const url = await app(parsers as express.RequestHandler[]);
    const cookie = await sessionCookie(url);
    const json = await fetch(url, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ action: "save", data: { title: "Oat" } }),
    });
    expect(await json.json()).toMatchObject({ meta: { success: true, action: "save" } });
    const form = await fetch(url, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: "lvt-action=save&title=Rye",
    });
    expect(form.status).toBe(303);
    expect(form.headers.get("location")).toBe("/page");
    expect(await (await fetch(url, { headers: { cookie } })).text()).toContain("<li>Oat</li><li>Rye</li>");
  });
});
