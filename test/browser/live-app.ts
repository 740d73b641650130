/**
 * A live handler served for Chromium under `Content-Security-Policy: script-src 'self'`, with our
 * client and its chunks built from the sources, and a few static scripts of the test's own (hooks,
 * listeners), since inline script is refused.
 */
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LiveHandler } from "../../src/index.js";
import { writeClientFiles } from "./harness.js";

export interface LiveApp {
  url: string;
  close(): Promise<void>;
}

/** The client files, written once per test file. */
let files: Promise<string> | undefined;
export function clientFile(): Promise<string> {
  files ??= writeClientFiles(mkdtempSync(join(tmpdir(), "lt-live-app-")));
  return files;
}

/** Serves `handler` on 127.0.0.1 with a strict script CSP; `scripts` are served at their paths. */
export async function serveLive(handler: LiveHandler, scripts: Record<string, string> = {}): Promise<LiveApp> {
  const server = http.createServer((req, res) => {
    res.setHeader("Content-Security-Policy", "script-src 'self'");
    const path = (req.url ?? "/").split("?")[0]!;
    const script = scripts[path];
    if (script !== undefined) {
      res.setHeader("Content-Type", "text/javascript");
      res.end(script);
      return;
    }
    void handler(req, res);
  });
  handler.attach(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    async close() {
      await handler.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A static script that counts CSP violations (`window.cspViolations`). */
export const CSP_WATCH = `window.cspViolations = 0; document.addEventListener("securitypolicyviolation", function () { window.cspViolations++; });`;
