/**
 * A tiny live server for browser tests of the client: node:http + ws, speaking the wire protocol
 * (PROTOCOL.md) with trees written by hand in each test. It records every message it receives, so
 * tests can count what the client sent.
 */
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";
import type { ClientMessage, ResponseMeta } from "../../src/protocol/messages.js";
import { TreeState } from "../../src/client/tree.js";

/** A reply to one client message. */
export interface Reply {
  tree: object;
  meta?: Partial<ResponseMeta>;
}

/** The page's behaviour: the full tree, and how it answers actions. */
export interface TestApp {
  /** The full tree with statics, sent on connect and JSON GET. */
  tree(): object;
  /** Answers one action; the diff must be relative to the previous state. */
  handle?(msg: ClientMessage, server: TestServer): Reply | undefined;
}

export interface TestServerOptions {
  app: TestApp;
  /** The client script served at /client.js. */
  script: string;
  /** Offer WebSocket (default true). */
  websocket?: boolean;
  /** Mark the wrapper as loading (default true). */
  loading?: boolean;
  /** Awaited before the first tree goes out on a new socket (to observe the loading state). */
  firstTreeGate?: () => Promise<void>;
  /** More scripts served at their path and loaded after the client (`.mjs` as modules). */
  scripts?: Record<string, string>;
  /** Extra attributes for the wrapper div. */
  wrapperAttrs?: string;
  /** Extra HTML for <head>. */
  head?: string;
  /** Serves this many bytes of blank space after the wrapper (for scrolling). */
  after?: string;
}

export interface TestServer {
  url: string;
  port: number;
  /** Every action received (pings excluded), in order. */
  received: ClientMessage[];
  /** How each received action arrived, parallel to `received`. */
  via: Array<"ws" | "http">;
  /** While set, replies wait for it. */
  hold: Promise<void> | null;
  /** While true, WebSocket upgrades are refused. */
  refuseUpgrade: boolean;
  /** While true, pings get no answer (a half-dead connection). */
  ignorePings: boolean;
  /** WebSocket connections accepted so far. */
  connections: number;
  /** Pings received. */
  pings: number;
  /** Open sockets. */
  sockets: Set<WebSocket>;
  /** Sends a tree update to every open socket. */
  push(tree: object, meta?: Partial<ResponseMeta>): void;
  /** Resolves once `n` actions have been received. */
  waitFor(n: number): Promise<void>;
  /** Stops listening and drops every socket (as a crashed server would). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

const ok: ResponseMeta = { success: true, errors: {} };

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (data += c));
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}

/** Starts a server on 127.0.0.1 with a free port. */
export async function startTestServer(opts: TestServerOptions): Promise<TestServer> {
  const wsHeader = opts.websocket === false ? "disabled" : "enabled";
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  let http: Server;
  let wss: WebSocketServer;

  const record = (msg: ClientMessage, via: "ws" | "http"): void => {
    if (msg.action === "__ping__") {
      self.pings++;
      return;
    }
    self.received.push(msg);
    self.via.push(via);
    for (const w of waiters.slice()) {
      if (self.received.length >= w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };

  const answer = async (msg: ClientMessage): Promise<string> => {
    if (msg.action === "__ping__") return self.ignorePings ? "" : JSON.stringify({ pong: true });
    if (self.hold) await self.hold;
    const r = opts.app.handle?.(msg, self) ?? { tree: {} };
    return JSON.stringify({ tree: r.tree, meta: { ...ok, ...r.meta, action: msg.action } });
  };

  const page = (): string => {
    const t = new TreeState();
    t.apply(opts.app.tree());
    const loading = opts.loading === false ? "" : ' data-lvt-loading="true"';
    return `<!DOCTYPE html><html><head><meta charset="utf-8">${opts.head ?? ""}</head><body><div data-lvt-id="lvt-0123456789abcdef"${loading} ${opts.wrapperAttrs ?? ""}>${t.render()}</div>${opts.after ?? ""}<script src="/client.js"></script>${Object.keys(opts.scripts ?? {}).map((p) => `<script ${p.endsWith(".mjs") ? 'type="module" ' : ""}src="${p}"></script>`).join("")}</body></html>`;
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.setHeader("X-LiveTemplate-WebSocket", wsHeader);
    // The client must work without eval, new Function or inline handlers.
    res.setHeader("Content-Security-Policy", "script-src 'self'");
    const script = req.url === "/client.js" ? opts.script : opts.scripts?.[req.url ?? ""];
    if (script !== undefined) {
      res.setHeader("Content-Type", "text/javascript");
      res.end(script);
      return;
    }
    const json = (req.headers.accept ?? "").startsWith("application/json");
    if (req.method === "HEAD") {
      res.end();
    } else if (req.method === "GET" && json) {
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ tree: opts.app.tree(), meta: ok }));
    } else if (req.method === "GET") {
      res.setHeader("Content-Type", "text/html; charset=utf-8");
      res.end(page());
    } else if (req.method === "POST") {
      const msg = JSON.parse(await body(req)) as ClientMessage;
      record(msg, "http");
      const text = await answer(msg);
      res.setHeader("Content-Type", "application/json");
      res.end(text);
    } else {
      res.statusCode = 405;
      res.end();
    }
  };

  const listen = async (port: number): Promise<number> => {
    http = createServer((req, res) => void onRequest(req, res));
    wss = new WebSocketServer({ noServer: true });
    http.on("upgrade", (req, socket, head) => {
      if (opts.websocket === false || self.refuseUpgrade) return socket.destroy();
      wss.handleUpgrade(req, socket, head, (ws) => {
        self.sockets.add(ws);
        self.connections++;
        ws.on("close", () => self.sockets.delete(ws));
        // Replies go out in order, as a real server's per-connection queue does.
        let queue = (opts.firstTreeGate?.() ?? Promise.resolve()).then(() =>
          ws.send(JSON.stringify({ tree: opts.app.tree(), meta: { ...ok, capabilities: [] } })),
        );
        ws.on("message", (data) => {
          const msg = JSON.parse(String(data)) as ClientMessage;
          record(msg, "ws");
          queue = queue.then(async () => {
            const text = await answer(msg);
            if (text) ws.send(text);
          });
        });
      });
    });
    await new Promise<void>((resolve) => http.listen(port, "127.0.0.1", resolve));
    return (http.address() as AddressInfo).port;
  };

  const stop = async (): Promise<void> => {
    for (const ws of self.sockets) ws.terminate();
    self.sockets.clear();
    wss.close();
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  };

  const self: TestServer = {
    url: "",
    port: 0,
    received: [],
    via: [],
    hold: null,
    refuseUpgrade: false,
    ignorePings: false,
    connections: 0,
    pings: 0,
    sockets: new Set(),
    push(tree, meta) {
      const text = JSON.stringify({ tree, meta: { ...ok, ...meta } });
      for (const ws of self.sockets) ws.send(text);
    },
    waitFor(n) {
      if (self.received.length >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    stop,
    async restart() {
      await listen(self.port);
    },
    close: stop,
  };
  self.port = await listen(0);
  self.url = `http://127.0.0.1:${self.port}/`;
  return self;
}
