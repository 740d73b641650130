// The LiveViewJS side of bench/server.bench.mjs: the benchmark page (a counter and a keyed list of
// ROWS rows) served by LiveViewJS 0.8.1 on Express 4 + express-session + ws, in its own process.
// Started by the bench with `fork()`; talks to it over IPC (see bench/server-ipc.mjs).
import http from "node:http";
import { serveIpc } from "./server-ipc.mjs";

// LiveViewJS downloads a MIME table from the internet when it loads; the benchmark must not depend
// on the network, so answer that request with an empty table.
globalThis.fetch = async () => new Response("{}", { status: 200, headers: { "content-type": "application/json" } });

const { createLiveView, html } = await import("liveviewjs");
const { NodeExpressLiveViewServer } = await import("@liveviewjs/express");
const { default: express } = await import("express");
const { default: session } = await import("express-session");
const { WebSocketServer } = await import("ws");

const ROWS = Number(process.env["ROWS"] ?? 10);

const benchView = createLiveView({
  mount(socket) {
    const rows = [];
    for (let i = 0; i < ROWS; i++) rows.push({ id: i, name: `Row ${i}`, value: 0 });
    socket.assign({ count: 0, rows });
  },
  handleEvent(event, socket) {
    const { count, rows } = socket.context;
    if (event.type === "increment") socket.assign({ count: count + 1 });
    else if (event.type === "bump") {
      const id = Number(event.id);
      socket.assign({ rows: rows.map((r) => (r.id === id ? { ...r, value: r.value + 1 } : r)) });
    }
  },
  render(ctx) {
    return html`<h1>${ctx.count}</h1>
<button phx-click="increment">+</button>
<ul>${ctx.rows.map((r) => html`<li data-key="${r.id}">${r.name}: ${r.value}</li>`)}</ul>`;
  },
});

const pageRenderer = (_title, csrfToken, content) => html`<!DOCTYPE html>
<html>
  <head><meta charset="utf-8" /><meta name="csrf-token" content="${csrfToken}" /><title>bench</title></head>
  <body>${content}</body>
</html>`;

const liveServer = new NodeExpressLiveViewServer({ "/bench": benchView }, pageRenderer, { title: "bench" }, {
  serDeSigningSecret: "bench-secret",
});

const app = express();
app.use(session({ secret: "bench-secret", resave: false, saveUninitialized: true }));
app.use(liveServer.httpMiddleware());

const server = http.createServer(app);
const wss = new WebSocketServer({ server, path: "/live/websocket" });
liveServer.wsMiddleware()(wss);

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  serveIpc({ port: typeof address === "object" && address ? address.port : 0, path: "/bench" });
});
