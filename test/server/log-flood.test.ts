/**
 * Lines a client can cause (a refused Origin, an action that throws) are rate limited: the
 * handler's logger sees at most `logLimit.perInterval` of each kind per window.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createLiveHandler } from "../../src/server/live-handler.js";
import { DEFAULTS, type LiveHandlerOptions } from "../../src/server/options.js";
import type { Logger } from "../../src/session/types.js";
import { Counter, counterView } from "./fixtures.js";
import { serve, type Served } from "./harness.js";

let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

function recorder(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const rec = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, debug: rec("debug"), info: rec("info"), warn: rec("warn"), error: rec("error") };
}

async function start(logger: Logger, options: LiveHandlerOptions = {}): Promise<Served> {
  served = await serve(createLiveHandler(counterView(), () => new Counter(), { logger, rateLimit: false, ...options }));
  return served;
}

const post = (url: string, action: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ action }) });

describe("log flooding", () => {
  it("logs at most the default number of refused-Origin warnings per window", async () => {
    const logger = recorder();
    const s = await start(logger);
    for (let i = 0; i < 60; i++) expect((await post(s.url, "increment", { origin: `http://evil${i}.example` })).status).toBe(403);
    const warnings = logger.lines.filter((l) => l.includes("LT_ERR_AUTH_ORIGIN"));
    expect(warnings).toHaveLength(DEFAULTS.logLimit.perInterval);
  });

  it("logs at most the default number of unexpected action errors per window", async () => {
    const logger = recorder();
    const s = await start(logger);
    for (let i = 0; i < 40; i++) expect((await post(s.url, "boom")).status).toBe(200);
    expect(logger.lines.filter((l) => l.includes("LT_ERR_ACTION_FAILED"))).toHaveLength(DEFAULTS.logLimit.perInterval);
  });

  it("takes its limit from logLimit, and logLimit: false turns it off", async () => {
    const limited = recorder();
    const s = await start(limited, { logLimit: { perInterval: 2, intervalMs: 60_000 } });
    for (let i = 0; i < 5; i++) await post(s.url, "increment", { origin: "http://evil.example" });
    expect(limited.lines.filter((l) => l.includes("LT_ERR_AUTH_ORIGIN"))).toHaveLength(2);
    await s.stop();
    const all = recorder();
    const t = await start(all, { logLimit: false });
    for (let i = 0; i < 15; i++) await post(t.url, "increment", { origin: "http://evil.example" });
    expect(all.lines.filter((l) => l.includes("LT_ERR_AUTH_ORIGIN"))).toHaveLength(15);
  });
});
