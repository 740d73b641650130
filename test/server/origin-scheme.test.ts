/**
 * The default origin check compares the whole origin (scheme, host, port), not only the host: the
 * scheme of the request comes from the socket (TLS or not), or from `X-Forwarded-Proto` only when
 * the application says it runs behind a proxy (`trustProxy`).
 */
import type { IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createLiveHandler } from "../../src/server/live-handler.js";
import { sameOrigin, silentLogger, type LiveHandlerOptions } from "../../src/server/options.js";
import { Counter, counterView } from "./fixtures.js";
import { serve, TestClient, type Served } from "./harness.js";

let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

async function start(options: LiveHandlerOptions = {}): Promise<Served> {
  served = await serve(createLiveHandler(counterView(), () => new Counter(), { logger: silentLogger, ...options }));
  return served;
}

/** Resolves with the HTTP status of the upgrade (101 when accepted). */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const c = new TestClient(url, { headers });
    c.ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    c.ws.on("open", () => {
      resolve(101);
      c.close();
    });
  });
}

const postStatus = async (url: string, headers: Record<string, string>): Promise<number> =>
  (await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: '{"action":"increment"}' })).status;

function fakeRequest(headers: Record<string, string>, encrypted: boolean): IncomingMessage {
  return { headers, socket: encrypted ? { encrypted: true } : {} } as unknown as IncomingMessage;
}

describe("origin scheme", () => {
  it("refuses an https Origin on a plain-http server, for upgrades and POSTs", async () => {
    const s = await start();
    const host = new URL(s.url).host;
    expect(await upgradeStatus(s.wsUrl, { origin: `https://${host}` })).toBe(403);
    expect(await postStatus(s.url, { origin: `https://${host}` })).toBe(403);
    expect(await upgradeStatus(s.wsUrl, { origin: `http://${host}` })).toBe(101);
    expect(await postStatus(s.url, { origin: `http://${host}` })).toBe(200);
  });

  it("still lets an upgrade and a POST without Origin pass", async () => {
    const s = await start();
    expect(await upgradeStatus(s.wsUrl, {})).toBe(101);
    expect(await postStatus(s.url, {})).toBe(200);
  });

  it("ignores X-Forwarded-Proto unless trustProxy is set", async () => {
    const s = await start();
    const host = new URL(s.url).host;
    expect(await upgradeStatus(s.wsUrl, { origin: `https://${host}`, "x-forwarded-proto": "https" })).toBe(403);
  });

  it("uses X-Forwarded-Proto (and X-Forwarded-Host) behind a proxy when trustProxy is set", async () => {
    const s = await start({ trustProxy: true });
    const host = new URL(s.url).host;
    expect(await upgradeStatus(s.wsUrl, { origin: `https://${host}`, "x-forwarded-proto": "https" })).toBe(101);
    expect(await upgradeStatus(s.wsUrl, { origin: `http://${host}`, "x-forwarded-proto": "https" })).toBe(403);
    expect(await postStatus(s.url, { origin: "https://app.example", "x-forwarded-proto": "https", "x-forwarded-host": "app.example" })).toBe(200);
    expect(await postStatus(s.url, { origin: "https://evil.example", "x-forwarded-proto": "https", "x-forwarded-host": "app.example" })).toBe(403);
    // Without the header the socket decides, as without a proxy.
    expect(await upgradeStatus(s.wsUrl, { origin: `http://${host}` })).toBe(101);
  });

  it.each([
    ["an https origin on a TLS socket", "https://app.example", { host: "app.example" }, true, false, true],
    ["an http origin on a TLS socket", "http://app.example", { host: "app.example" }, true, false, false],
    ["the default port spelled out", "https://app.example:443", { host: "app.example" }, true, false, true],
    ["another port", "http://app.example:8081", { host: "app.example:8080" }, false, false, false],
    ["a host differing only in case", "http://APP.example", { host: "app.EXAMPLE" }, false, false, true],
    ["the first of several forwarded protos", "https://app.example", { host: "app.example", "x-forwarded-proto": "https, http" }, false, true, true],
    ["an opaque origin", "null", { host: "app.example" }, false, false, false],
    ["a request without Host", "http://app.example", {}, false, false, false],
  ])("sameOrigin: %s", (_, origin, headers, encrypted, trustProxy, want) => {
    expect(sameOrigin(origin, fakeRequest(headers, encrypted), trustProxy)).toBe(want);
  });
});
