/**
 * Dev mode: the page a browser gets when the page itself cannot be rendered (a template error on
 * the first GET), in place of a bare 500: the error's message, the template's name, line, column
 * and source line, and the stack. Production keeps the plain 500.
 */
import type { ServerResponse } from "node:http";
import { devDetail, type SourceLines } from "../session/dev-detail.js";

const escape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Writes the dev error page for `err` (status 500). */
export function sendDevErrorPage(res: ServerResponse, err: unknown, source: SourceLines | undefined): void {
  const d = devDetail("render", err, source);
  const t = d.template;
  const where = t === undefined ? "" : `<div class="lvt-dev-position">${escape(`${t.name}:${t.line}:${t.column}`)}</div>`;
  const src =
    t?.source === undefined
      ? ""
      : `<pre class="lvt-dev-source">${escape(`${t.line} | ${t.source}\n${" ".repeat(String(t.line).length)} | ${" ".repeat(Math.max(0, t.column - 1))}^`)}</pre>`;
  const body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>livetemplate: render failed</title>
<style>body{font:14px/1.5 ui-monospace,monospace;background:#1e1e1e;color:#eee;padding:2rem}h1{color:#ff8a8a;font-size:18px}pre{white-space:pre-wrap}.lvt-dev-position{color:#9cdcfe}.lvt-dev-source{background:#111;padding:.5rem}.lvt-dev-stack{color:#aaa}</style>
</head><body><div id="lvt-dev-overlay" role="alert"><h1>The page could not be rendered</h1><pre class="lvt-dev-message">${escape(d.message)}</pre>${where}${src}${
    d.stack === undefined ? "" : `<pre class="lvt-dev-stack">${escape(d.stack)}</pre>`
  }<p>dev mode only: in production this is a plain 500</p></div></body></html>`;
  res.writeHead(500, { "Content-Type": "text/html; charset=utf-8", "Content-Length": Buffer.byteLength(body), "Cache-Control": "no-store" });
  res.end(body);
}
