/**
 * handler.metrics(), the Prometheus endpoint scraped over HTTP, handler.health(), and the debug
 * line per action. Actions come through the in-process test API and through a JSON POST.
 */
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { MemorySessionStore, prometheusHandler, Template, ValidationError, type ActionContext, type Logger } from "livetemplate";
import type { BroadcastBus } from "livetemplate/adapter";
import { liveTest } from "livetemplate/testing";

class Counter {
  count = 0;
  increment(ctx: ActionContext): void {
    if (ctx.data.has("by") && ctx.data.getInt("by") < 0) throw new ValidationError("by", "must be positive");
    this.count++;
  }
}
const tmpl = () => new Template("m").parse(`<p>{{.count}}</p><button lvt-click="increment">+</button>`);
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

/** `name{labels} value` lines of a scrape, as a map. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const i = line.lastIndexOf(" ");
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

describe("handler metrics", () => {
  it("counts connections, groups, actions, renders, bytes and failures by code", async () => {
    const handler = tmpl().handle(Counter, { logger: quiet });
    stops.push(() => handler.close());
    const page = await liveTest(handler);
    const tab = await page.tab();
    for (let i = 0; i < 5; i++) await page.click("button");
    await page.send("increment", { by: -1 });
    await page.send("nope");
    const m = handler.metrics();
    expect(m).toMatchObject({ connections: 2, groups: 1, actions: 7 });
    expect(m.errors).toEqual({ LT_ERR_ACTION_VALIDATION: 1, LT_ERR_PROTOCOL_UNKNOWN_ACTION: 1 });
    expect(m.actionsPerSecond).toBeGreaterThan(0);
    expect(m.actionMicros.count).toBe(7);
    expect(m.actionMicros.p50).toBeGreaterThan(0);
    expect(m.actionMicros.p99).toBeGreaterThanOrEqual(m.actionMicros.p50);
    expect(m.renders).toBeGreaterThanOrEqual(7);
    // Both tabs got every successful update: at least 2 × 5 frames of `{"tree":{"0":n},...}`.
    expect(m.bytesOut).toBeGreaterThan(10 * 30);
    await tab.closeTab();
    expect(handler.metrics().connections).toBe(1);
    await page.close();
  });

  it("serves the Prometheus text format whose counters move with the traffic", async () => {
    const counter = tmpl().handle(Counter, { logger: quiet });
    const metrics = prometheusHandler({ counter });
    const server = http.createServer((req, res) => (req.url === "/metrics" ? metrics(req, res) : counter(req, res)));
    counter.attach(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    stops.push(async () => {
      await counter.close();
      server.close();
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const scrape = async (): Promise<Map<string, number>> => {
      const res = await fetch(`${base}/metrics`);
      expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      const text = await res.text();
      expect(text).toContain("# TYPE livetemplate_actions_total counter");
      return samples(text);
    };
    const before = await scrape();
    expect(before.get('livetemplate_actions_total{handler="counter"}')).toBe(0);

    const page = await liveTest(counter);
    await page.click("button");
    await page.click("button");
    // A JSON POST (the HTTP transport) counts too.
    const get = await fetch(`${base}/`, { headers: { accept: "application/json" } });
    const cookie = get.headers.get("set-cookie")!.split(";")[0]!;
    const post = await fetch(`${base}/`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: JSON.stringify({ action: "increment", data: { by: -5 } }),
    });
    expect(post.status).toBe(200);
    const getBody = Buffer.byteLength(await get.text());
    const postBody = Buffer.byteLength(await post.text());
    const page2 = await fetch(`${base}/`, { headers: { cookie } });
    const pageBody = Buffer.byteLength(await page2.text());

    const after = await scrape();
    // HTTP bodies are counted apart from frames: exactly the JSON GET, the JSON POST and the page.
    expect(before.get('livetemplate_http_bytes_out_total{handler="counter"}')).toBe(0);
    expect(after.get('livetemplate_http_bytes_out_total{handler="counter"}')).toBe(getBody + postBody + pageBody);
    expect(counter.metrics().httpBytesOut).toBe(getBody + postBody + pageBody);
    expect(after.get('livetemplate_actions_total{handler="counter"}')).toBe(3);
    expect(after.get('livetemplate_connections{handler="counter"}')).toBe(1);
    expect(after.get('livetemplate_errors_total{handler="counter",code="LT_ERR_ACTION_VALIDATION"}')).toBe(1);
    expect(after.get('livetemplate_bytes_out_total{handler="counter"}')).toBeGreaterThan(before.get('livetemplate_bytes_out_total{handler="counter"}')!);
    expect(after.get('livetemplate_action_duration_seconds_count{handler="counter"}')).toBe(3);
    expect(after.get('livetemplate_action_duration_seconds{handler="counter",quantile="0.5"}')).toBeGreaterThan(0);
    expect(after.get('livetemplate_renders_total{handler="counter"}')).toBeGreaterThan(before.get('livetemplate_renders_total{handler="counter"}')!);
    await page.close();
  });

  it("logs one debug line per action with the action, group, µs and bytes", async () => {
    const lines: string[] = [];
    const logger: Logger = { ...quiet, debug: (m) => void lines.push(m) };
    const handler = tmpl().handle(Counter, { logger });
    stops.push(() => handler.close());
    const page = await liveTest(handler);
    await page.click("button");
    await page.send("increment", { by: -1 });
    // Not rate limited like warnings: a debug logger gets every action.
    for (let i = 0; i < 20; i++) await page.click("button");
    const actions = lines.filter((l) => l.startsWith("action "));
    expect(actions).toHaveLength(22);
    expect(actions[0]).toMatch(new RegExp(`^action increment group=${page.groupId} \\d+µs \\d+B ok$`));
    expect(actions[1]).toMatch(/ ACTION_VALIDATION$/);
  });
});

describe("handler health", () => {
  it("names the session store and the bus and says they answer", async () => {
    const pinged: string[] = [];
    const bus: BroadcastBus & { ping(): Promise<void> } = {
      publish() {},
      subscribe: () => () => {},
      ping: async () => void pinged.push("bus"),
    };
    const handler = tmpl().handle(Counter, { logger: quiet, broadcastBus: bus });
    stops.push(() => handler.close());
    const h = await handler.health();
    expect(h).toMatchObject({ ok: true, sessionStore: { name: "MemorySessionStore", ok: true, checked: true }, bus: { ok: true, checked: true } });
    expect(pinged).toEqual(["bus"]);
    const single = tmpl().handle(Counter, { logger: quiet });
    stops.push(() => single.close());
    expect((await single.health()).bus).toBeUndefined();
  });

  it("reports an unreachable store and a bus that does not answer in time", async () => {
    class DownStore extends MemorySessionStore {
      override get(): never {
        throw new Error("connection refused");
      }
    }
    const bus: BroadcastBus = { publish() {}, subscribe: () => () => {}, ping: () => new Promise(() => {}) };
    const handler = tmpl().handle(Counter, { logger: quiet, sessionStore: new DownStore(), broadcastBus: bus });
    stops.push(() => handler.close());
    const h = await handler.health(50);
    expect(h.ok).toBe(false);
    expect(h.sessionStore).toMatchObject({ name: "DownStore", ok: false, error: "connection refused" });
    expect(h.bus).toMatchObject({ ok: false, error: "no answer within 50 ms" });
  });

  it("says a bus without ping is not checked", async () => {
    const handler = tmpl().handle(Counter, { logger: quiet, broadcastBus: { publish() {}, subscribe: () => () => {} } });
    stops.push(() => handler.close());
    expect((await handler.health()).bus).toMatchObject({ name: "custom", ok: true, checked: false });
  });
});
