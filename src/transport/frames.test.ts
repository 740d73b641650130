import { once } from "node:events";
import http from "node:http";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { createRequire } from "node:module";
import { EncodedFrame } from "../session/frame.js";
import { LiveConnection, wireFrame } from "./frames.js";

/** Any JSON value as a frame. */
const encode = (v: unknown): EncodedFrame => new EncodedFrame(Buffer.from(JSON.stringify(v), "utf8"));

describe("the ws version the fast path was checked against", () => {
  it("is the installed one (re-check Sender.frame and _socket before changing it)", () => {
    const { version } = createRequire(import.meta.url)("ws/package.json") as { version: string };
    expect(version).toBe("8.23.0");
  });
});

/** A stand-in for a `ws` socket: records what goes through ws.send() and through the raw socket. */
function fakeWs(socket: unknown, extensions = ""): { ws: WebSocket; sent: Buffer[]; written: Buffer[] } {
  const sent: Buffer[] = [];
  const written: Buffer[] = [];
  if (typeof socket === "object" && socket !== null && "write" in socket && (socket as { write: unknown }).write === true) {
    (socket as { write: unknown }).write = (b: Buffer) => {
      written.push(b);
      return true;
    };
  }
  const ws = {
    OPEN: 1,
    readyState: 1,
    bufferedAmount: 0,
    extensions,
    _socket: socket,
    send: (data: Buffer) => void sent.push(data),
    close: () => {},
    terminate: () => {},
  };
  return { ws: ws as unknown as WebSocket, sent, written };
}

const connect = (ws: WebSocket, maxBufferedBytes = 1 << 20): LiveConnection =>
  new LiveConnection("c1", "g", "u", ws, {} as IncomingMessage, maxBufferedBytes, false, () => {});

describe("LiveConnection.deliver", () => {
  const fallbacks: [string, unknown, string][] = [
    ["there is no raw socket", undefined, ""],
    ["the raw socket has no write method", { writable: true }, ""],
    ["the raw socket is no longer writable", { writable: false, write: true }, ""],
    ["an extension (compression) was negotiated", { writable: true, write: true }, "permessage-deflate"],
  ];
  it.each(fallbacks)("falls back to ws.send() when %s", (_title, socket, extensions) => {
    const { ws, sent, written } = fakeWs(socket, extensions);
    const frame = encode({ tree: { 0: "x" } });
    expect(connect(ws).deliver(frame)).toBe(true);
    expect(sent).toEqual([frame.payload]);
    expect(written).toEqual([]);
  });

  it("writes the prebuilt frame to the raw socket when it can", () => {
    const { ws, sent, written } = fakeWs({ writable: true, write: true });
    const frame = encode({ tree: { 0: "x" } });
    expect(connect(ws).deliver(frame)).toBe(true);
    expect(sent).toEqual([]);
    expect(written).toEqual([wireFrame(frame)]);
    // An unmasked, final text frame carrying the payload.
    expect(written[0]![0]).toBe(0x81);
    expect(written[0]!.subarray(written[0]!.length - frame.length)).toEqual(frame.payload);
  });

  it("falls back to ws.send() when this version of ws cannot build frames", async () => {
    vi.resetModules();
    vi.doMock("ws", async (importOriginal) => {
      const real = await importOriginal<typeof import("ws")>();
      return { ...real, Sender: undefined, default: { ...real.default, Sender: undefined } };
    });
    try {
      const session = await import("../session/frame.js");
      const live = await import("./frames.js");
      const frame = session.encode({ tree: {}, meta: { success: true, errors: {} } });
      expect(live.wireFrame(frame)).toBeUndefined();
      const { ws, sent, written } = fakeWs({ writable: true, write: true });
      const conn = new live.LiveConnection("c1", "g", "u", ws, {} as IncomingMessage, 1 << 20, false, () => {});
      expect(conn.deliver(frame)).toBe(true);
      expect(sent).toEqual([frame.payload]);
      expect(written).toEqual([]);
    } finally {
      vi.doUnmock("ws");
      vi.resetModules();
    }
  });
});

describe("LiveConnection send queue bound on a real socket", () => {
  let server: http.Server | undefined;
  let wss: WebSocketServer | undefined;
  let peer: net.Socket | undefined;
  afterEach(async () => {
    peer?.destroy();
    wss?.close();
    if (server !== undefined) await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = wss = peer = undefined;
  });

  it("counts frames written past ws against maxBufferedBytes and closes with 1013 once above it", async () => {
    const srv = (server = http.createServer());
    const sockets = (wss = new WebSocketServer({ server: srv, perMessageDeflate: false }));
    srv.listen(0, "127.0.0.1");
    await once(srv, "listening");
    const accepted = once(sockets, "connection") as Promise<[WebSocket]>;
    // A peer that completes the handshake and then reads nothing.
    const raw = (peer = net.connect((srv.address() as AddressInfo).port, "127.0.0.1"));
    await once(raw, "connect");
    raw.pause();
    raw.write(
      "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Key: ${Buffer.from("fedcba9876543210").toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    const [ws] = await accepted;
    const send = vi.spyOn(ws, "send");
    const max = 256 * 1024;
    let slow = 0;
    const conn = new LiveConnection("c1", "g", "u", ws, {} as IncomingMessage, max, false, () => slow++);
    const frame = encode({ tree: { 0: "z".repeat(64 * 1024) } });
    let written = 0;
    let highest = 0;
    while (written < 10_000 && conn.deliver(frame)) {
      written++;
      highest = Math.max(highest, ws.bufferedAmount);
      // Let the kernel take what it can, as between broadcasts.
      if (written % 8 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(send).not.toHaveBeenCalled(); // every frame went through the fast path
    expect(written).toBeLessThan(10_000);
    expect(highest).toBeLessThanOrEqual(max);
    expect(conn.closed).toBe(true);
    expect(conn.closeCode).toBe(1013);
    expect(slow).toBe(1);
    expect(conn.deliver(frame)).toBe(false);
  });
});
