/**
 * What a live handler measures about itself (`handler.metrics()`, docs/operations.md): actions
 * and their outcome codes, action and render durations, bytes written to live connections and in
 * HTTP responses. The
 * engine reports through {@link EngineObserver}; renders are timed by wrapping the view
 * ({@link measuredView}), so the engine and the template know nothing of metrics. Also the one
 * debug log line per action.
 */
import { isErrorMessage, type ServerMessage } from "../protocol/messages.js";
import { ERROR_GENERAL, ERROR_RATE_LIMIT } from "../protocol/wire.js";
import type { Reply } from "../session/events.js";
import type { LiveView, Logger } from "../session/types.js";

/** What the engine tells an observer; every method must be cheap and must not throw. */
export interface EngineObserver {
  /** An action (or form post) was handled in `micros`, with this reply. */
  action(action: string, groupId: string, micros: number, reply: Reply): void;
  /** A frame of `bytes` was written to a live connection. */
  bytes(bytes: number): void;
}

/** Percentiles of the latest samples (up to 2048), microseconds. */
export interface Durations {
  /** Samples taken since the handler started. */
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** A snapshot of a handler's metrics (`handler.metrics()`). */
export interface HandlerMetrics {
  /** Open live (WebSocket) connections. */
  readonly connections: number;
  /** Session groups held in memory. */
  readonly groups: number;
  /** Actions handled since start (WebSocket messages, JSON and form posts; pings excluded). */
  readonly actions: number;
  /** Actions per second over the last 10 seconds. */
  readonly actionsPerSecond: number;
  /** Time from an action's arrival at the engine to its reply, µs. */
  readonly actionMicros: Durations;
  /** Time of each render (tree update or page), µs. */
  readonly renderMicros: Durations;
  /** Renders since start. */
  readonly renders: number;
  /** Bytes of frames written to live connections since start. */
  readonly bytesOut: number;
  /** Bytes of HTTP response bodies since start: pages and JSON replies (not the client script). */
  readonly httpBytesOut: number;
  /**
   * Failed actions by code since start: `LT_ERR_ACTION_VALIDATION` (field errors),
   * `LT_ERR_ACTION_FAILED` (`_general`), `LT_ERR_PROTOCOL_RATE_LIMIT`, and the code of every error
   * envelope (`LT_ERR_PROTOCOL_UNKNOWN_ACTION`, ...).
   */
  readonly errors: Readonly<Record<string, number>>;
  /** Seconds since the handler was created. */
  readonly uptimeSeconds: number;
}

const SAMPLES = 2048;

/** A ring of the latest samples with percentiles on demand. */
class Reservoir {
  private readonly ring = new Float64Array(SAMPLES);
  private n = 0;

  add(v: number): void {
    this.ring[this.n % SAMPLES] = v;
    this.n++;
  }

  get count(): number {
    return this.n;
  }

  snapshot(): Durations {
    const k = Math.min(this.n, SAMPLES);
    if (k === 0) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0 };
    const sorted = this.ring.slice(0, k).sort();
    const at = (q: number): number => Math.round(sorted[Math.min(k - 1, Math.floor(q * k))]!);
    return { count: this.n, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: Math.round(sorted[k - 1]!) };
  }
}

/** Per-second counts of the last minute, for a rate over the latest seconds. */
class Rate {
  private readonly counts = new Float64Array(60);
  private readonly stamps = new Float64Array(60);

  add(now: number): void {
    const s = Math.floor(now / 1000);
    const i = s % 60;
    if (this.stamps[i] !== s) {
      this.stamps[i] = s;
      this.counts[i] = 0;
    }
    this.counts[i]!++;
  }

  /** Average per second over the `window` seconds before now (the current second included). */
  perSecond(now: number, window = 10): number {
    const s = Math.floor(now / 1000);
    let sum = 0;
    for (let k = 0; k < window; k++) {
      const i = (s - k) % 60;
      if (this.stamps[i] === s - k) sum += this.counts[i]!;
    }
    return sum / window;
  }
}

/** A handler's counters; the handler owns one and reads it for `metrics()`. */
export class Metrics implements EngineObserver {
  private readonly started = Date.now();
  private actionCount = 0;
  private readonly rate = new Rate();
  private readonly actionTimes = new Reservoir();
  private readonly renderTimes = new Reservoir();
  private bytesOut = 0;
  private httpBytesOut = 0;
  private readonly errorCounts = new Map<string, number>();

  /** `logger` gets the debug line of every action; pass the unlimited one (it is opt-in by level). */
  constructor(private readonly logger: Logger) {}

  action(action: string, groupId: string, micros: number, reply: Reply): void {
    this.actionCount++;
    this.rate.add(Date.now());
    this.actionTimes.add(micros);
    const message = reply.kind === "message" ? reply.message : undefined;
    const code = message === undefined ? undefined : failureCode(message);
    if (code !== undefined) this.errorCounts.set(code, (this.errorCounts.get(code) ?? 0) + 1);
    const bytes = message === undefined ? 0 : reply.kind === "message" && reply.bytes !== undefined ? reply.bytes : Buffer.byteLength(JSON.stringify(message));
    // The outcome names the code without its `LT_ERR_` prefix: filters for error lines that
    // match on the code (and the log rate limit, which keys on it) see only the real warnings.
    const outcome = code === undefined ? "ok" : code.replace(/^LT_ERR_/, "");
    this.logger.debug(`action ${action} group=${groupId} ${Math.round(micros)}µs ${bytes}B ${outcome}`);
  }

  bytes(bytes: number): void {
    this.bytesOut += bytes;
  }

  /** An HTTP response body of `bytes` was written (a page or a JSON reply). */
  httpBytes(bytes: number): void {
    this.httpBytesOut += bytes;
  }

  render(micros: number): void {
    this.renderTimes.add(micros);
  }

  snapshot(connections: number, groups: number): HandlerMetrics {
    return {
      connections,
      groups,
      actions: this.actionCount,
      actionsPerSecond: this.rate.perSecond(Date.now()),
      actionMicros: this.actionTimes.snapshot(),
      renderMicros: this.renderTimes.snapshot(),
      renders: this.renderTimes.count,
      bytesOut: this.bytesOut,
      httpBytesOut: this.httpBytesOut,
      errors: Object.fromEntries(this.errorCounts),
      uptimeSeconds: Math.round((Date.now() - this.started) / 1000),
    };
  }
}

/** The code a reply counts under when the action failed, else undefined. */
function failureCode(m: ServerMessage): string | undefined {
  if (isErrorMessage(m)) return m.code;
  if (!("meta" in m)) return undefined;
  const errors = m.meta.errors;
  if (ERROR_RATE_LIMIT in errors) return "LT_ERR_PROTOCOL_RATE_LIMIT";
  if (ERROR_GENERAL in errors) return "LT_ERR_ACTION_FAILED";
  for (const _ in errors) return "LT_ERR_ACTION_VALIDATION";
  return undefined;
}

/** `view`, with every render timed into `metrics` (its clones too). */
export function measuredView(view: LiveView, metrics: Metrics): LiveView {
  return {
    executeUpdates(data, options) {
      const t0 = performance.now();
      try {
        return view.executeUpdates(data, options);
      } finally {
        metrics.render((performance.now() - t0) * 1000);
      }
    },
    executeToHTML(data, options) {
      const t0 = performance.now();
      try {
        return view.executeToHTML(data, options);
      } finally {
        metrics.render((performance.now() - t0) * 1000);
      }
    },
    clone() {
      return measuredView(view.clone(), metrics);
    },
  };
}
