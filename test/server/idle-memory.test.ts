/**
 * What a connection keeps while it is open: its upgrade request only as method, URL and headers
 * in a plain object (the request itself is let go), the same one for `onConnect` and
 * `onDisconnect`.
 */
import { IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { Template } from "../../src/live/template.js";
import { silentLogger } from "../../src/server/options.js";
import type { LiveHandler } from "../../src/server/live-handler.js";
import type { ConnectContext } from "../../src/session/types.js";
import { serve, sessionCookie, TestClient, type Served } from "./harness.js";

let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

describe("what an open connection keeps", () => {
  it("hands onConnect and onDisconnect one request: a plain method, URL and headers", async () => {
    const seen: { connect?: ConnectContext; disconnect?: ConnectContext } = {};
    class Hooks {
      Count = 0;
      onConnect(ctx: ConnectContext): void {
        seen.connect = ctx;
      }
      onDisconnect(ctx: ConnectContext): void {
        seen.disconnect = ctx;
      }
    }
    const handler = new Template("t").parse("<p>{{.Count}}</p>").handle(Hooks, {
      rateLimit: false,
      heartbeatMs: 0,
      clientScript: { inject: false },
      logger: silentLogger,
    }) as unknown as LiveHandler;
    served = await serve(handler);
    const cookie = await sessionCookie(served.url);
    const client = await TestClient.open(`${served.wsUrl}?tab=2`, { headers: { cookie, "x-app": "kept" } });
    await client.next();
    const request = seen.connect?.request as { method?: string; url?: string; headers: Record<string, unknown> };
    expect(request).not.toBeInstanceOf(IncomingMessage);
    expect(Object.getPrototypeOf(request)).toBe(Object.prototype);
    expect(request.method).toBe("GET");
    expect(request.url).toBe("/?tab=2");
    expect(request.headers["x-app"]).toBe("kept");
    expect(request.headers["cookie"]).toBe(cookie);
    client.close();
    await client.closed;
    await expect.poll(() => seen.disconnect).toBeDefined();
    expect(seen.disconnect?.connectionId).toBe(seen.connect?.connectionId);
    expect(seen.disconnect?.request).toBe(seen.connect?.request);
  });
});
