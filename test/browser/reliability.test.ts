/**
 * Our client in Chromium against the real live handler, where things go wrong: a form routed by
 * its hidden `lvt-action` field, error envelopes, a server that is unreachable (or drops the
 * reply) while an action is made, and the HTTP fallback behind a round-robin balancer over two
 * instances that share one session store.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { Template } from "../../src/live/template.js";
import type { ActionContext } from "../../src/session/action-context.js";
import type { Authenticator } from "../../src/server/authenticator.js";
import type { LiveHandler } from "../../src/server/live-handler.js";
import type { LiveHandlerOptions } from "../../src/server/options.js";
import { silentLogger } from "../../src/server/options.js";
import { MemorySessionStore } from "../../src/server/session-store.js";
import { chromiumAvailable, clientBundle, launchBrowser, until } from "./harness.js";
import { VersionedStore } from "../server/versioned-store.js";

const run = chromiumAvailable();

/** Every action that really ran, on any instance. */
let ran: { action: string; data: Record<string, unknown> }[] = [];

class Shop {
  Count = 0;
  Items: { ID: string; Title: string }[] = [];

  increment(ctx: ActionContext): void {
    ran.push({ action: ctx.action, data: ctx.data.raw() as Record<string, unknown> });
    this.Count++;
  }

  add(ctx: ActionContext): void {
    ran.push({ action: ctx.action, data: ctx.data.raw() as Record<string, unknown> });
    const id = ctx.data.getString("id");
    this.Items.push({ ID: id, Title: id.toUpperCase() });
  }
}

const SOURCE = `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<p id="count">{{.Count}}</p>
<button id="inc" lvt-click="increment">+</button>
<button id="bad" lvt-click="nope">?</button>
<form method="post" id="add"><input type="hidden" name="lvt-action" value="add"><input name="id"><button>Add</button></form>
<ul id="items">{{range .Items}}<li data-key="{{.ID}}">{{.Title}}</li>{{end}}</ul>
</body></html>`;


/** Everyone is one user in one session group, whichever instance answers. */
const oneGroup: Authenticator = { identify: () => "u", getSessionGroup: () => "g" };

interface Running {
  handler: LiveHandler;
  server: http.Server;
  port: number;
  stop(): Promise<void>;
}

/** Serves `handler` on `port` (0: any); `intercept` may take a request before the handler does. */
async function listen(handler: LiveHandler, port = 0, intercept?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean): Promise<Running> {
  const server = http.createServer((req, res) => {
    if (intercept?.(req, res)) return;
    void handler(req, res);
  });
  handler.attach(server);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    handler,
    server,
    port: (server.address() as AddressInfo).port,
    async stop() {
      await handler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.skipIf(!run)("our client against the live handler when things go wrong", () => {
  let browser: Browser;
  let scriptFile: string;
  let context: BrowserContext | undefined;
  const running: Running[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "lvt-reliability-"));
    scriptFile = join(dir, "livetemplate.min.js");
    writeFileSync(scriptFile, await clientBundle());
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
    for (const r of running.splice(0)) await r.stop();
    ran = [];
  });

  function handler(options: LiveHandlerOptions = {}): LiveHandler {
    return new Template("shop").parse(SOURCE).handle(Shop, {
      logger: silentLogger,
      rateLimit: false,
      heartbeatMs: 0,
      clientScript: { file: scriptFile },
      ...options,
    });
  }

  async function start(h: LiveHandler, port = 0, intercept?: Parameters<typeof listen>[2]): Promise<Running> {
    const r = await listen(h, port, intercept);
    running.push(r);
    return r;
  }

  /** Opens the page; collects `lvt:error` details in `window.__errors` and console errors in `logs`. */
  async function open(url: string, logs: string[] = []): Promise<Page> {
    context = await browser.newContext();
    const page = await context.newPage();
    page.on("pageerror", (err) => {
      throw err;
    });
    page.on("console", (m) => {
      if (m.type() === "error") logs.push(m.text());
    });
    await page.goto(url);
    await page.waitForSelector("[data-lvt-id].lvt-connected");
    await page.evaluate(`window.__errors = []; document.addEventListener("lvt:error", (e) => window.__errors.push(e.detail))`);
    return page;
  }
  const errors = (page: Page) => page.evaluate("window.__errors") as Promise<Array<Record<string, unknown>>>;
  const url = (r: Running) => `http://127.0.0.1:${r.port}/`;

  it("sends the action a form names in its hidden lvt-action field, without that field in the data", async () => {
    const r = await start(handler());
    const page = await open(url(r));
    await page.fill("#add input[name=id]", "x");
    await page.click("#add button");
    await page.waitForSelector('#items li[data-key="x"]');
    expect(ran).toEqual([{ action: "add", data: { id: "x" } }]);
    expect(await errors(page)).toEqual([]);
  });

  it.each([
    ["WebSocket", {}],
    ["HTTP", { webSocket: false }],
  ] as const)("emits lvt:error and logs to the console for an error envelope over %s", async (_, options) => {
    const logs: string[] = [];
    const r = await start(handler(options));
    const page = await open(url(r), logs);
    await page.click("#bad");
    await until(async () => (await errors(page)).length === 1, "lvt:error");
    expect((await errors(page))[0]).toMatchObject({ type: "error", code: "LT_ERR_PROTOCOL_UNKNOWN_ACTION", message: 'no store handles action "nope"' });
    await until(() => logs.some((l) => l.includes("LT_ERR_PROTOCOL_UNKNOWN_ACTION")), "console error");
    // A listener that shows the error itself silences the console.
    await page.evaluate(`document.addEventListener("lvt:error", (e) => e.preventDefault())`);
    const before = logs.length;
    await page.click("#bad");
    await until(async () => (await errors(page)).length === 2, "second lvt:error");
    expect(logs.slice(before).filter((l) => l.includes("LT_ERR_PROTOCOL_UNKNOWN_ACTION"))).toEqual([]);
  });

  it("reports an action made while the server is down, and applies it once when the server is back", async () => {
    const sessionStore = new MemorySessionStore();
    const first = await start(handler({ sessionStore, authenticator: oneGroup }));
    const port = first.port;
    const page = await open(url(first));
    await first.stop();
    running.splice(running.indexOf(first), 1);
    await page.waitForSelector("[data-lvt-id].lvt-disconnected");
    await page.click("#inc");
    await until(async () => (await errors(page)).length === 1, "lvt:error for the unsent action");
    expect((await errors(page))[0]).toMatchObject({ code: "LT_ERR_CLIENT_UNREACHABLE", action: "increment", queued: true });
    expect(ran).toEqual([]);
    await start(handler({ sessionStore, authenticator: oneGroup }), port);
    await until(async () => (await page.textContent("#count")) === "1", "count 1 after the server is back", 20_000);
    await page.waitForSelector("[data-lvt-id].lvt-connected");
    await new Promise((r) => setTimeout(r, 1500));
    expect(ran.map((r) => r.action)).toEqual(["increment"]);
    expect(await page.textContent("#count")).toBe("1");
  });

  it("sends an action again after its reply was lost, and the server runs it once", async () => {
    let drop = true;
    // The first POST runs, but a gateway in front answers 502 in place of its reply (it timed out).
    const r = await start(handler({ webSocket: false }), 0, (req, res) => {
      if (req.method !== "POST" || !drop) return false;
      drop = false;
      const writeHead = res.writeHead.bind(res);
      const end = res.end.bind(res);
      res.writeHead = (() => writeHead(502, { "content-type": "text/html" })) as typeof res.writeHead;
      res.end = (() => end("<h1>502 Bad Gateway</h1>")) as typeof res.end;
      return false;
    });
    const page = await open(url(r));
    await page.click("#inc");
    await until(async () => (await page.textContent("#count")) === "1", "count 1", 20_000);
    expect((await errors(page))[0]).toMatchObject({ code: "LT_ERR_CLIENT_UNREACHABLE", queued: true });
    await new Promise((r) => setTimeout(r, 1500));
    expect(ran.map((r) => r.action)).toEqual(["increment"]);
  });

  it("shows every row once over HTTP behind a round-robin balancer of two instances", async () => {
    const sessionStore = new VersionedStore();
    const a = await start(handler({ sessionStore, authenticator: oneGroup, webSocket: false }));
    const b = await start(handler({ sessionStore, authenticator: oneGroup, webSocket: false }));
    let next = 0;
    const hits = [0, 0];
    const balancer = http.createServer((req, res) => {
      const i = next++ % 2;
      hits[i]!++;
      const target = [a, b][i]!;
      const out = http.request({ host: "127.0.0.1", port: target.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      req.pipe(out);
    });
    await new Promise<void>((resolve) => balancer.listen(0, "127.0.0.1", resolve));
    try {
      const page = await open(`http://127.0.0.1:${(balancer.address() as AddressInfo).port}/`);
      const ids = ["x", "y", "z", "w", "v"];
      for (const [n, id] of ids.entries()) {
        await page.fill("#add input[name=id]", id);
        await page.click("#add button");
        await until(async () => (await page.locator("#items li").count()) >= n + 1, `row ${id}`);
      }
      await new Promise((r) => setTimeout(r, 300));
      expect(await page.locator("#items li").evaluateAll((els) => els.map((e) => e.getAttribute("data-key")))).toEqual(ids);
      expect(hits[0]).toBeGreaterThan(1);
      expect(hits[1]).toBeGreaterThan(1);
    } finally {
      balancer.closeAllConnections();
      await new Promise<void>((resolve) => balancer.close(() => resolve()));
    }
  });
});
