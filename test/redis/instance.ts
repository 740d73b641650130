/**
 * One app instance for the multi-instance tests and the benchmark, run as a child process
 * (bundled by esbuild, see cluster.ts). A counter page whose session groups live in Redis and
 * whose notices travel over the Redis bus.
 *
 * Environment: REDIS_URL, PREFIX (session key prefix), PORT (default 0), UNAVAILABLE
 * (`serve-from-memory`, or `wait` by default, with WAIT_MS and SETTLE_MS).
 * The user is the `x-user` header, the session group the `x-group` header.
 * IPC: the parent sends `{ id, cmd: "broadcast", kind, ids?, group?, banner? }` and gets
 * `{ id, ok: true }` back; `{ id, cmd: "stats" }` gets the session store's counters in `stats`; on start the child sends `{ ready: port }`.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { IncomingMessage } from "node:http";
import { Template } from "../../src/live/template.js";
import type { Authenticator } from "../../src/server/authenticator.js";
import type { BroadcastUpdate } from "../../src/server/live-handler.js";
import type { Logger } from "../../src/session/types.js";
import { RedisBroadcastBus, RedisSessionStore, type UnavailablePolicy } from "../../src/adapters/redis/index.js";
import { Counter, COUNTER_TEMPLATE } from "./counter.js";

const auth: Authenticator = {
  identify: (req: IncomingMessage) => String(req.headers["x-user"] ?? ""),
  getSessionGroup: (req: IncomingMessage, user: string) => String(req.headers["x-group"] ?? `solo-${user}`),
};

const say = (level: string) => (message: string, ...details: unknown[]) =>
  process.stderr.write(`[${level}] ${message} ${details.map((d) => (d instanceof Error ? d.message : String(d))).join(" ")}\n`);
const logger: Logger = { debug() {}, info() {}, warn: say("warn"), error: say("error") };

process.on("unhandledRejection", (err) => {
  process.stderr.write(`UNHANDLED REJECTION ${String(err)}\n`);
  process.exit(70);
});
process.on("uncaughtException", (err) => {
  process.stderr.write(`UNCAUGHT EXCEPTION ${String(err)}\n`);
  process.exit(71);
});

const url = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379";
const unavailable: UnavailablePolicy =
  process.env["UNAVAILABLE"] === "serve-from-memory"
    ? { mode: "serve-from-memory" }
    : { mode: "wait", waitMs: Number(process.env["WAIT_MS"] ?? 3000), settleMs: Number(process.env["SETTLE_MS"] ?? 3000) };
const sessionStore = new RedisSessionStore({
  redis: url,
  prefix: process.env["PREFIX"] ?? "lt:test:",
  timeoutMs: 500,
  maxRetryMs: 500,
  logger,
  unavailable,
});
const bus = new RedisBroadcastBus({ redis: url, timeoutMs: 500, logger });
const handler = new Template("counter").parse(COUNTER_TEMPLATE).handle(Counter, {
  sessionStore,
  broadcastBus: bus,
  authenticator: auth,
  rateLimit: false,
  heartbeatMs: 0,
  clientScript: { inject: false },
  maxConnections: 100_000,
  logger,
});
const server = http.createServer(handler);
handler.attach(server);
server.listen(Number(process.env["PORT"] ?? 0), "127.0.0.1", () => {
  process.send?.({ ready: (server.address() as AddressInfo).port });
});

interface Command {
  id: number;
  cmd: "broadcast" | "exit" | "stats";
  kind?: "all" | "users" | "group";
  ids?: string[];
  group?: string;
  banner?: string;
}

process.on("message", (raw: unknown) => {
  const m = raw as Command;
  if (m.cmd === "stats") {
    process.send?.({ id: m.id, ok: true, stats: sessionStore.stats });
    return;
  }
  if (m.cmd === "exit") {
    void handler.close().then(async () => {
      await sessionStore.close();
      await bus.close();
      server.close();
      process.exit(0);
    });
    return;
  }
  const update: BroadcastUpdate | undefined =
    m.banner === undefined ? undefined : (data) => void ((data as Counter).Banner = m.banner ?? "");
  const done =
    m.kind === "users"
      ? handler.broadcastToUsers(m.ids ?? [], update)
      : m.kind === "group"
        ? handler.broadcastToGroup(m.group ?? "", update)
        : handler.broadcast(update);
  done.then(
    () => process.send?.({ id: m.id, ok: true }),
    (err: unknown) => process.send?.({ id: m.id, ok: false, error: String(err) }),
  );
});
