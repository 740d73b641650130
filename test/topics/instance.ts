/**
 * One instance of the room page (test/topics/room.ts) for the multi-instance topics tests, run
 * as a child process (bundled by esbuild, see cluster.test.ts): session groups in memory,
 * topics and presence over a Redis bus.
 *
 * Environment: REDIS_URL, HEARTBEAT_MS, EXPIRY_MS, CHANNEL, SHARED_STORE (1: session groups in a
 * shared Redis session store instead of memory). The user is the `x-user` header.
 * IPC: `{ id, cmd: "presence", topic }` gets `{ id, keys }` (each key with its number of metas,
 * `key:n`); `{ id, cmd: "publish", topic, text }` publishes `{ text }` and gets `{ id, ok }`.
 * On start the child sends `{ ready: port }`.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { RedisBroadcastBus, RedisSessionStore } from "../../src/adapters/redis/index.js";
import type { Logger } from "../../src/session/types.js";
import { roomHandler } from "./room.js";

const say = (level: string) => (message: string, ...details: unknown[]) =>
  process.stderr.write(`[${level}] ${message} ${details.map((d) => (d instanceof Error ? d.message : String(d))).join(" ")}\n`);
const logger: Logger = { debug() {}, info() {}, warn: say("warn"), error: say("error") };

process.on("unhandledRejection", (err) => {
  process.stderr.write(`UNHANDLED REJECTION ${String(err)}\n`);
  process.exit(70);
});

const bus = new RedisBroadcastBus({ redis: process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379", timeoutMs: 500, logger });
const redisUrl = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379";
const shared = process.env["SHARED_STORE"] === "1" ? { sessionStore: new RedisSessionStore({ redis: redisUrl, prefix: `${process.env["CHANNEL"] ?? "rooms"}:s:`, logger }) } : {};
const handler = roomHandler({
  ...shared,
  broadcastBus: bus,
  channel: process.env["CHANNEL"] ?? "rooms",
  maxConnections: 100_000,
  logger,
  topics: { heartbeatMs: Number(process.env["HEARTBEAT_MS"] ?? 200), expiryMs: Number(process.env["EXPIRY_MS"] ?? 1000) },
});
const server = http.createServer(handler);
handler.attach(server);
server.listen(0, "127.0.0.1", () => process.send?.({ ready: (server.address() as AddressInfo).port }));

interface Command {
  id: number;
  cmd: "presence" | "publish";
  topic: string;
  text?: string;
}

process.on("message", (raw: unknown) => {
  const m = raw as Command;
  if (m.cmd === "presence") {
    process.send?.({ id: m.id, keys: handler.presence(m.topic).map((e) => `${e.key}:${e.metas.length}`) });
    return;
  }
  handler.publish(m.topic, { text: m.text ?? "" });
  process.send?.({ id: m.id, ok: true });
});
