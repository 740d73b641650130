// The floor for bench/server.bench.mjs's broadcast fan-out: a bare `ws` server (no live handler)
// that writes one pre-built WebSocket frame to every open socket, as directly as Node allows. It
// speaks just enough of the page protocol for the bench client (a page GET that sets a cookie, a
// first frame with a tree), so the same clients, on the same cores, measure it.
import http from "node:http";
import { Sender, WebSocketServer } from "ws";
import { serveIpc } from "./server-ipc.mjs";

const sockets = new Set();
const wss = new WebSocketServer({ noServer: true });
const server = http.createServer((_req, res) => {
  res.writeHead(200, { "Content-Type": "text/html", "Set-Cookie": "raw=1; Path=/" });
  res.end("<html><body>raw</body></html>");
});
server.on("upgrade", (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => {
    sockets.add(ws);
    ws.once("close", () => sockets.delete(ws));
    ws.send(JSON.stringify({ tree: { 0: "0" }, meta: { success: true, errors: {} } }));
  });
});

let ticks = 0;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  serveIpc(
    { port: typeof address === "object" && address ? address.port : 0, path: "/bench" },
    {
      broadcast() {
        const cpu0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        ticks++;
        // A frame the size of the live handler's broadcast diff, framed once.
        const payload = Buffer.from(JSON.stringify({ tree: { 1: String(ticks) }, meta: { success: true, errors: {} } }));
        const wire = Buffer.concat(Sender.frame(payload, { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false }));
        for (const ws of sockets) ws._socket.write(wire);
        const t1 = process.hrtime.bigint();
        const cpu = process.cpuUsage(cpu0);
        return { t0: String(t0), t1: String(t1), cpuUs: cpu.user + cpu.system };
      },
    },
  );
});
