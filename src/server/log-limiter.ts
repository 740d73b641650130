/**
 * A logger wrapper that rate limits repeated lines. Many log lines are caused by clients (a
 * refused Origin, an action that throws, a bad upload), so without a limit anyone can fill the
 * log and drown the lines that matter. Lines with the same key (level plus error code, or the
 * first words of the message) are passed through `perInterval` times per window of `intervalMs`;
 * the rest are counted and reported in one line when the window ends.
 */
import type { Logger } from "../session/types.js";

/** How many similar lines pass per window. */
export interface LogLimit {
  /** Lines with the same key passed through per window. */
  perInterval: number;
  /** Length of a window, ms; it starts with the first line of its key. */
  intervalMs: number;
}

/** Time source of the limiter (tests inject one). */
export interface LogClock {
  now(): number;
  /** Runs `fn` once after `ms`; the timer must not keep the process alive. */
  schedule(fn: () => void, ms: number): void;
}

const systemClock: LogClock = {
  now: () => Date.now(),
  schedule: (fn, ms) => void setTimeout(fn, ms).unref(),
};

/** More keys than this are not tracked one by one (they share one window). */
const MAX_KEYS = 1000;

type Level = keyof Logger;

interface Window {
  readonly start: number;
  passed: number;
  suppressed: number;
}

/**
 * The key lines are grouped by: the `LT_ERR_*` code a message starts with, else its first three
 * words, with digits folded so that ids (`connection c12`) do not make every line unique.
 */
export function logKey(message: string): string {
  const code = /^LT_ERR_[A-Z_]+/.exec(message);
  if (code !== null) return code[0];
  return message.split(/\s+/).slice(0, 3).join(" ").replace(/:$/, "").replace(/\d+/g, "#");
}

/**
 * Wraps `logger` so that each key logs at most `limit.perInterval` lines per `limit.intervalMs`;
 * when a window in which lines were dropped ends, one line `<key> (suppressed K similar messages
 * in the last S s)` is logged at the same level.
 */
export function rateLimitLogger(logger: Logger, limit: LogLimit, clock: LogClock = systemClock): Logger {
  const windows = new Map<string, Window>();

  const report = (level: Level, key: string, w: Window): void => {
    if (w.suppressed === 0) return;
    const n = w.suppressed;
    w.suppressed = 0;
    logger[level](`${key} (suppressed ${n} similar message${n === 1 ? "" : "s"} in the last ${Math.round(limit.intervalMs / 1000)} s)`);
  };

  const prune = (now: number): void => {
    for (const [k, w] of windows) {
      if (now - w.start < limit.intervalMs) continue;
      report(k.slice(0, k.indexOf(" ")) as Level, k.slice(k.indexOf(" ") + 1), w);
      windows.delete(k);
    }
  };

  const log =
    (level: Level) =>
    (message: string, ...details: unknown[]): void => {
      const now = clock.now();
      let key = logKey(message);
      let id = `${level} ${key}`;
      if (!windows.has(id) && windows.size >= MAX_KEYS) {
        prune(now);
        if (windows.size >= MAX_KEYS) {
          key = "(other messages)";
          id = `${level} ${key}`;
        }
      }
      let w = windows.get(id);
      if (w !== undefined && now - w.start >= limit.intervalMs) {
        report(level, key, w);
        w = undefined;
      }
      if (w === undefined) {
        w = { start: now, passed: 0, suppressed: 0 };
        windows.set(id, w);
      }
      if (w.passed < limit.perInterval) {
        w.passed++;
        logger[level](message, ...details);
        return;
      }
      w.suppressed++;
      if (w.suppressed > 1) return;
      const current = w;
      clock.schedule(
        () => {
          report(level, key, current);
          if (windows.get(id) === current) windows.delete(id);
        },
        Math.max(0, current.start + limit.intervalMs - now),
      );
    };

  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}
