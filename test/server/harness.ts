/**
 * Test harness: a real node:http server on 127.0.0.1 with a live handler, plus a `ws` client
 * that queues the messages it receives.
 */
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import WebSocket from "ws";
import type { LiveHandler } from "../../src/server/live-handler.js";

export interface Served {
  handler: LiveHandler;
  server: http.Server;
  url: string;
  wsUrl: string;
  stop(): Promise<void>;
}

export async function serve(handler: LiveHandler, path = "/"): Promise<Served> {
  const server = http.createServer(handler);
  handler.attach(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  return {
    handler,
    server,
    url: `http://127.0.0.1:${port}${path}`,
    wsUrl: `ws://127.0.0.1:${port}${path}`,
    async stop() {
      await handler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A WebSocket client that keeps every message it receives, parsed. */
export class TestClient {
  readonly ws: WebSocket;
  private readonly inbox: unknown[] = [];
  private readonly waiters: ((m: unknown) => void)[] = [];
  closeCode: number | undefined;
  readonly closed: Promise<number>;

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, options);
    this.ws.on("message", (data) => {
      const m: unknown = JSON.parse(String(data));
      const w = this.waiters.shift();
      if (w) w(m);
      else this.inbox.push(m);
    });
    this.closed = new Promise((resolve) =>
      this.ws.on("close", (code) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
    this.ws.on("error", () => {});
  }

  static async open(url: string, options: WebSocket.ClientOptions = {}): Promise<TestClient> {
    const c = new TestClient(url, options);
    await once(c.ws, "open");
    return c;
  }

  /** The next message (waits up to `ms`). */
  next(ms = 5000): Promise<Record<string, unknown>> {
    const queued = this.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued as Record<string, unknown>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no message within " + ms + " ms")), ms);
      this.waiters.push((m) => {
        clearTimeout(timer);
        resolve(m as Record<string, unknown>);
      });
    });
  }

  /**
   * True when the server sent nothing since the last message read. Deterministic: a ping is sent
   * and the server answers it after everything it queued before; messages that arrived first stay
   * queued for `next()`.
   */
  async idle(): Promise<boolean> {
    this.send({ action: "__ping__" });
    const seen: unknown[] = [];
    for (;;) {
      const m = await this.next();
      if ((m as { pong?: boolean }).pong === true) break;
      seen.push(m);
    }
    this.inbox.unshift(...seen);
    return seen.length === 0;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  async action(action: string, data: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    this.send({ action, data });
    return this.next();
  }

  close(): void {
    this.ws.close();
  }
}

/** GET the page and return the anonymous session cookie it set. */
export async function sessionCookie(url: string): Promise<string> {
  const res = await fetch(url);
  await res.text();
  const set = res.headers.get("set-cookie") ?? "";
  const m = /livetemplate-id=([^;]+)/.exec(set);
  if (!m) throw new Error("no session cookie in " + set);
  return `livetemplate-id=${m[1]}`;
}
