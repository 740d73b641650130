import { once } from "node:events";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createLiveHandler } from "../../src/server/live-handler.js";
import type { LiveConnection } from "../../src/transport/frames.js";
import type { LiveHandlerOptions } from "../../src/server/options.js";
import { silentLogger } from "../../src/server/options.js";
import { namedStores } from "../../src/session/store-set.js";
import { Counter, counterView } from "./fixtures.js";
import { serve, sessionCookie, TestClient, type Served } from "./harness.js";

let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

async function start(options: LiveHandlerOptions = {}, store: object = new Counter(), view = counterView()): Promise<Served> {
  served = await serve(createLiveHandler(view, store, { logger: silentLogger, ...options }));
  return served;
}

/** Resolves with the HTTP status of a refused upgrade. */
function refusedStatus(c: TestClient): Promise<number> {
  return new Promise((resolve, reject) => {
    c.ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    c.ws.on("open", () => reject(new Error("upgrade was accepted")));
  });
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("origin check", () => {
  it("rejects a cross-origin upgrade with 403 and accepts the same origin", async () => {
    const s = await start();
    const host = new URL(s.url).host;
    expect(await refusedStatus(new TestClient(s.wsUrl, { headers: { origin: "http://evil.example" } }))).toBe(403);
    const ok = await TestClient.open(s.wsUrl, { headers: { origin: `http://${host}` } });
    expect((await ok.next())["tree"]).toBeDefined();
  });

  it("refuses a cross-origin POST with 403 and accepts same-origin and Origin-less posts", async () => {
    const s = await start();
    const post = (headers: Record<string, string>) =>
      fetch(s.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ action: "increment" }) });
    const evil = await post({ origin: "http://evil.example" });
    expect(evil.status).toBe(403);
    expect(await evil.json()).toMatchObject({ type: "error", code: "LT_ERR_AUTH_ORIGIN" });
    expect((await post({ origin: `http://${new URL(s.url).host}` })).status).toBe(200);
    expect((await post({})).status).toBe(200);
  });

  it("uses a custom origin validator", async () => {
    const s = await start({ originValidator: (origin) => origin === "https://app.example" });
    expect(await refusedStatus(new TestClient(s.wsUrl, { headers: { origin: `http://${new URL(s.url).host}` } }))).toBe(403);
    await TestClient.open(s.wsUrl, { headers: { origin: "https://app.example" } });
  });
});

describe("message checks", () => {
  it("closes with 1009 on a frame larger than maxMessageBytes", async () => {
    const s = await start({ maxMessageBytes: 1024 });
    const c = await TestClient.open(s.wsUrl);
    await c.next();
    c.send({ action: "save", data: { title: "x".repeat(2000) } });
    expect(await c.closed).toBe(1009);
  });

  it("refuses an oversized POST body with 413", async () => {
    const s = await start({ maxMessageBytes: 1024 });
    const res = await fetch(s.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ action: "save", data: { title: "x".repeat(2000) } }) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ type: "error", code: "LT_ERR_PROTOCOL_TOO_LARGE" });
  });

  it.each([
    ["invalid JSON", "{nope", "LT_ERR_PROTOCOL_MALFORMED"],
    ["a message without action", JSON.stringify({ data: {} }), "LT_ERR_PROTOCOL_MALFORMED"],
    ["an array", "[1,2]", "LT_ERR_PROTOCOL_MALFORMED"],
    ["non-object data", JSON.stringify({ action: "increment", data: 5 }), "LT_ERR_PROTOCOL_MALFORMED"],
    ["an action no store handles", JSON.stringify({ action: "ghost.walk" }), "LT_ERR_PROTOCOL_UNKNOWN_ACTION"],
  ])("answers %s with a coded error envelope and keeps the connection and state", async (_, frame, code) => {
    const s = await start({}, namedStores({ counter: new Counter() }), counterView((d) => (d as { counter: Counter }).counter));
    const c = await TestClient.open(s.wsUrl);
    await c.next();
    await c.action("counter.increment");
    c.send(frame);
    expect(await c.next()).toMatchObject({ type: "error", code, message: expect.any(String) });
    expect(await c.action("counter.increment")).toMatchObject({ tree: { 0: "2" }, meta: { success: true } });
  });
});

describe("rate limit", () => {
  it("answers messages beyond the bucket with meta.errors._rate_limit", async () => {
    const s = await start({ rateLimit: { perSecond: 0.001, burst: 3 } });
    const c = await TestClient.open(s.wsUrl);
    await c.next();
    for (let i = 0; i < 5; i++) c.send({ action: "increment" });
    const replies = await Promise.all([1, 2, 3, 4, 5].map(() => c.next()));
    const limited = replies.filter((r) => (r["meta"] as { errors: Record<string, string> }).errors["_rate_limit"] !== undefined);
    expect(limited).toHaveLength(2);
    expect(limited[0]).toEqual({ tree: {}, meta: { success: false, errors: { _rate_limit: expect.any(String) }, action: "increment" } });
    expect(await c.action("__ping__")).toEqual({ pong: true });
  });
});

describe("connection limits", () => {
  it("refuses upgrades beyond maxConnections with 503", async () => {
    const s = await start({ maxConnections: 1 });
    await TestClient.open(s.wsUrl);
    expect(await refusedStatus(new TestClient(s.wsUrl))).toBe(503);
  });

  /**
   * Opens a handler with a small send queue, a normal tab and a raw socket that completes the
   * handshake and then reads nothing: once the kernel buffers are full, everything the server
   * writes to it piles up in its send queue. Broadcasts large renders until the server gives up.
   */
  async function overflow(): Promise<{ s: Served; fast: TestClient; slow: net.Socket; conn: LiveConnection; warnings: string[] }> {
    const warnings: string[] = [];
    const s = await start({ maxBufferedBytes: 256 * 1024, rateLimit: false, logger: { ...silentLogger, warn: (m: string) => void warnings.push(m) } });
    const cookie = await sessionCookie(s.url);
    const fast = await TestClient.open(s.wsUrl, { headers: { cookie } });
    await fast.next();
    const before = new Set(s.handler.registry.all());
    const slow = net.connect(Number(new URL(s.url).port), "127.0.0.1");
    await once(slow, "connect");
    slow.pause();
    slow.write(
      "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Key: ${Buffer.from("0123456789abcdef").toString("base64")}\r\nSec-WebSocket-Version: 13\r\n` +
        `Cookie: ${cookie}\r\n\r\n`,
    );
    await until(() => s.handler.connectionCount === 2);
    const conn = s.handler.registry.all().find((c) => !before.has(c))!;
    let pushes = 0;
    while (!conn.closed && pushes < 500) {
      await s.handler.broadcast((data) => {
        (data as Counter).title = "y".repeat(100_000) + String(pushes);
      });
      await fast.next();
      pushes++;
    }
    return { s, fast, slow, conn, warnings };
  }

  /** Reads a raw socket to its end; returns the opcodes of the server's frames and the close code, if any. */
  async function drain(slow: net.Socket): Promise<{ opcodes: number[]; closeCode: number | undefined }> {
    const chunks: Buffer[] = [];
    slow.on("data", (c: Buffer) => chunks.push(c));
    slow.on("error", () => {});
    const ended = new Promise<void>((resolve) => slow.once("close", () => resolve()));
    slow.resume();
    await ended;
    const all = Buffer.concat(chunks);
    let at = all.indexOf("\r\n\r\n") + 4;
    const opcodes: number[] = [];
    let closeCode: number | undefined;
    while (at + 2 <= all.length) {
      const opcode = all[at]! & 0x0f;
      let len = all[at + 1]! & 0x7f;
      let head = 2;
      if (len === 126) {
        len = all.readUInt16BE(at + 2);
        head = 4;
      } else if (len === 127) {
        len = Number(all.readBigUInt64BE(at + 2));
        head = 10;
      }
      if (at + head + len > all.length) break; // cut off by the terminated socket
      opcodes.push(opcode);
      if (opcode === 8 && len >= 2) closeCode = all.readUInt16BE(at + head);
      at += head + len;
    }
    return { opcodes, closeCode };
  }

  it("closes a reader that never reads with 1013 on its side while the others keep receiving", async () => {
    const { s, fast, slow, conn, warnings } = await overflow();
    expect(conn.closed).toBe(true);
    expect(conn.closeCode).toBe(1013);
    expect(warnings.some((w) => w.includes(`connection ${conn.id} closed with 1013`))).toBe(true);
    // The close frame waits behind the unread data; the socket is terminated after the grace
    // period, so this peer sees the connection end without a close frame (1006 for a browser).
    await until(() => s.handler.connectionCount === 1);
    expect(s.handler.registry.all().includes(conn)).toBe(false);
    const seen = await drain(slow);
    expect(seen.opcodes.length).toBeGreaterThan(0);
    expect(seen.closeCode).toBeUndefined();
    await s.handler.broadcast((data) => void ((data as Counter).count = 7));
    expect((await fast.next())["tree"]).toEqual({ 0: "7" });
  });

  it("sends the 1013 close frame to a slow reader that catches up", async () => {
    const { slow, conn } = await overflow();
    expect(conn.closeCode).toBe(1013);
    // Reading again right away: the queued frames drain and the last one is the close frame.
    const seen = await drain(slow);
    expect(seen.opcodes.at(-1)).toBe(8);
    expect(seen.closeCode).toBe(1013);
  });
});

describe("close", () => {
  it("closes every connection with 1001 and resolves", async () => {
    const s = await start();
    const a = await TestClient.open(s.wsUrl);
    const b = await TestClient.open(s.wsUrl);
    await a.next();
    await b.next();
    await s.handler.close();
    expect(await a.closed).toBe(1001);
    expect(await b.closed).toBe(1001);
    expect(s.handler.connectionCount).toBe(0);
  });
});

describe("heartbeat", () => {
  it("terminates a peer that stops answering pings", async () => {
    const s = await start({ heartbeatMs: 50 });
    const c = await TestClient.open(s.wsUrl, { autoPong: false });
    await c.next();
    await until(() => s.handler.connectionCount === 0);
    expect(await c.closed).toBe(1006);
  });
});

describe("diagnostics", () => {
  it("points at the snapshot option when a #private member breaks journal tracking", async () => {
    class Secretive {
      #hidden = 1;
      count = 0;
      bump(): void {
        this.count += this.#hidden;
      }
    }
    const logged: string[] = [];
    const logger = { ...silentLogger, error: (m: string) => void logged.push(m) };
    const s = await start({ logger }, () => new Secretive(), counterView((d) => ({ ...new Counter(), count: (d as Secretive).count })));
    const c = await TestClient.open(s.wsUrl);
    await c.next();
    expect((await c.action("bump"))["meta"]).toMatchObject({ success: false });
    expect(logged.join("\n")).toContain('tracking: "snapshot"');
    await s.stop();
    served = undefined;
    const snap = await start({ tracking: "snapshot" }, () => new Secretive(), counterView((d) => ({ ...new Counter(), count: (d as Secretive).count })));
    const c2 = await TestClient.open(snap.wsUrl);
    await c2.next();
    expect(await c2.action("bump")).toMatchObject({ tree: { 0: "1" }, meta: { success: true } });
  });
});
