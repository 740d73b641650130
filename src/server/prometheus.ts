/**
 * The Prometheus text exposition format (version 0.0.4) of live handlers' metrics, written out
 * here rather than through prom-client: a dozen series need no dependency, and the numbers come
 * from `handler.metrics()` as they are. Serve it with {@link prometheusHandler} (docs/operations.md).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HandlerMetrics } from "./metrics.js";

/** Anything with `metrics()`: a live handler. */
export interface MetricsSource {
  metrics(): HandlerMetrics;
}

const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Escapes a label value (backslash, double quote, newline). */
function label(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/**
 * The metrics of `handlers` (by name: the name becomes the `handler` label) in the Prometheus text
 * format. Durations are summaries in seconds over the latest samples.
 */
export function prometheusText(handlers: Readonly<Record<string, MetricsSource>>): string {
  const snaps = Object.entries(handlers).map(([name, h]) => [label(name), h.metrics()] as const);
  const lines: string[] = [];
  const family = (name: string, type: string, help: string, rows: (m: HandlerMetrics, h: string) => string[]): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [h, m] of snaps) lines.push(...rows(m, h));
  };
  const one = (name: string, value: (m: HandlerMetrics) => number) => (m: HandlerMetrics, h: string) => [`${name}{handler="${h}"} ${value(m)}`];
  family("livetemplate_connections", "gauge", "Open live (WebSocket) connections.", one("livetemplate_connections", (m) => m.connections));
  family("livetemplate_session_groups", "gauge", "Session groups held in memory.", one("livetemplate_session_groups", (m) => m.groups));
  family("livetemplate_actions_total", "counter", "Actions handled.", one("livetemplate_actions_total", (m) => m.actions));
  family("livetemplate_renders_total", "counter", "Renders (tree updates and pages).", one("livetemplate_renders_total", (m) => m.renders));
  family("livetemplate_bytes_out_total", "counter", "Bytes of frames written to live connections.", one("livetemplate_bytes_out_total", (m) => m.bytesOut));
  family("livetemplate_http_bytes_out_total", "counter", "Bytes of HTTP page and JSON reply bodies.", one("livetemplate_http_bytes_out_total", (m) => m.httpBytesOut));
  family("livetemplate_errors_total", "counter", "Failed actions by error code.", (m, h) =>
    Object.entries(m.errors).map(([code, n]) => `livetemplate_errors_total{handler="${h}",code="${label(code)}"} ${n}`),
  );
  const summary = (name: string, help: string, pick: (m: HandlerMetrics) => HandlerMetrics["actionMicros"]): void =>
    family(name, "summary", help, (m, h) => {
      const d = pick(m);
      return [
        ...([["0.5", d.p50], ["0.9", d.p90], ["0.99", d.p99]] as const).map(([q, v]) => `${name}{handler="${h}",quantile="${q}"} ${v / 1e6}`),
        `${name}_count{handler="${h}"} ${d.count}`,
      ];
    });
  summary("livetemplate_action_duration_seconds", "Time from an action's arrival to its reply.", (m) => m.actionMicros);
  summary("livetemplate_render_duration_seconds", "Time of one render.", (m) => m.renderMicros);
  return lines.join("\n") + "\n";
}

/**
 * A request listener that answers every request with {@link prometheusText} of `handlers`; mount
 * it where your scraper looks (`/metrics`), behind your own access control.
 *
 * @example
 * ```ts
 * const metrics = prometheusHandler({ counter, todos });
 * http.createServer((req, res) => (req.url === "/metrics" ? metrics(req, res) : app(req, res)));
 * ```
 */
export function prometheusHandler(handlers: Readonly<Record<string, MetricsSource>>): (req: IncomingMessage, res: ServerResponse) => void {
  return (_req, res) => {
    const body = prometheusText(handlers);
    res.writeHead(200, { "content-type": CONTENT_TYPE, "content-length": Buffer.byteLength(body) });
    res.end(body);
  };
}
