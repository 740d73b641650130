import { describe, expect, it } from "vitest";
import type { Logger } from "../session/types.js";
import { logKey, rateLimitLogger, type LogClock } from "./log-limiter.js";

/** A clock the test moves by hand; scheduled functions run when their time is reached. */
function manualClock(): LogClock & { advance(ms: number): void } {
  let t = 0;
  const timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => t,
    schedule: (fn, ms) => void timers.push({ at: t + ms, fn }),
    advance(ms) {
      t += ms;
      for (const timer of timers.filter((x) => x.at <= t)) {
        timers.splice(timers.indexOf(timer), 1);
        timer.fn();
      }
    },
  };
}

function recorder(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const rec = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, debug: rec("debug"), info: rec("info"), warn: rec("warn"), error: rec("error") };
}

describe("rateLimitLogger", () => {
  it("passes N similar lines per window, then reports how many it suppressed when the window ends", () => {
    const out = recorder();
    const clock = manualClock();
    const log = rateLimitLogger(out, { perInterval: 3, intervalMs: 10_000 }, clock);
    for (let i = 0; i < 50; i++) log.warn(`LT_ERR_AUTH_ORIGIN: rejected upgrade from origin http://evil${i}.example`);
    expect(out.lines).toEqual([
      "warn LT_ERR_AUTH_ORIGIN: rejected upgrade from origin http://evil0.example",
      "warn LT_ERR_AUTH_ORIGIN: rejected upgrade from origin http://evil1.example",
      "warn LT_ERR_AUTH_ORIGIN: rejected upgrade from origin http://evil2.example",
    ]);
    clock.advance(9_999);
    expect(out.lines).toHaveLength(3);
    clock.advance(1);
    expect(out.lines.at(-1)).toBe("warn LT_ERR_AUTH_ORIGIN (suppressed 47 similar messages in the last 10 s)");
    log.warn("LT_ERR_AUTH_ORIGIN: rejected upgrade from origin http://again.example");
    expect(out.lines.at(-1)).toBe("warn LT_ERR_AUTH_ORIGIN: rejected upgrade from origin http://again.example");
  });

  it("limits each key and each level on its own", () => {
    const out = recorder();
    const log = rateLimitLogger(out, { perInterval: 1, intervalMs: 1000 }, manualClock());
    log.warn("LT_ERR_AUTH_ORIGIN: a");
    log.warn("LT_ERR_AUTH_ORIGIN: b");
    log.error("LT_ERR_AUTH_ORIGIN: c");
    log.error("LT_ERR_ACTION_FAILED: d");
    log.error("request failed");
    log.error("request failed");
    expect(out.lines).toEqual(["warn LT_ERR_AUTH_ORIGIN: a", "error LT_ERR_AUTH_ORIGIN: c", "error LT_ERR_ACTION_FAILED: d", "error request failed"]);
  });

  it("reports suppressed lines when the next line of the key comes after the window, before its timer ran", () => {
    const out = recorder();
    let t = 0;
    const log = rateLimitLogger(out, { perInterval: 1, intervalMs: 1000 }, { now: () => t, schedule: () => {} });
    log.error("LT_ERR_ACTION_FAILED: x");
    log.error("LT_ERR_ACTION_FAILED: y");
    t = 1000;
    log.error("LT_ERR_ACTION_FAILED: z");
    expect(out.lines).toEqual([
      "error LT_ERR_ACTION_FAILED: x",
      "error LT_ERR_ACTION_FAILED (suppressed 1 similar message in the last 1 s)",
      "error LT_ERR_ACTION_FAILED: z",
    ]);
  });

  it("keeps a bounded number of keys", () => {
    const out = recorder();
    const log = rateLimitLogger(out, { perInterval: 1, intervalMs: 1000 }, manualClock());
    for (let i = 0; i < 5000; i++) log.debug(`word${"x".repeat(i % 3000)} b c`);
    expect(out.lines.length).toBeLessThanOrEqual(1001);
  });

  it.each([
    ["LT_ERR_AUTH_ORIGIN: rejected POST from origin x", "LT_ERR_AUTH_ORIGIN"],
    ["message handling failed on c12", "message handling failed"],
    ["connection c5 error", "connection c# error"],
    ["request failed", "request failed"],
  ])("keys %j as %j", (message, key) => {
    expect(logKey(message)).toBe(key);
  });
});
