/**
 * Test fixtures for several app instances sharing one Redis: a real `redis-server` on a free
 * port, app instances as child processes (test/redis/instance.ts bundled once with esbuild), and
 * a WebSocket tab that applies every update with the published client's renderer.
 */
import { fork, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { TreeRenderer } from "@livetemplate/client/dist/state/tree-renderer.js";
import { createLogger } from "@livetemplate/client/dist/utils/logger.js";

/** Counters of an instance's session store (see `RedisSessionStore.stats`). */
export interface StoreStats {
  saves: number;
  conflicts: number;
  failures: number;
}

export const REDIS_SERVER = "/usr/bin/redis-server";
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BUNDLE = `${ROOT}node_modules/.cache/lt-redis-test/instance.mjs`;

/** Whether the Redis tests can run; with LT_REQUIRE_EXTERNAL=1 a missing server is an error. */
export function redisAvailable(): boolean {
  const present = existsSync(REDIS_SERVER);
  if (!present && process.env["LT_REQUIRE_EXTERNAL"] === "1") {
    throw new Error(`${REDIS_SERVER} is required (LT_REQUIRE_EXTERNAL=1) but missing`);
  }
  return present;
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** Polls `check` until it returns true (or throws after `ms`, with `what` in the message). */
export async function until(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A redis-server child without persistence; `stop()` kills it like a crash. */
export class RedisServer {
  private proc: ChildProcess | undefined;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const proc = spawn(REDIS_SERVER, ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.proc = proc;
    let out = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
      proc.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("Ready to accept connections")) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${String(code)}: ${out}`));
      });
    });
  }

  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void {
    this.proc?.kill("SIGSTOP");
  }

  /** Thaws a paused server (SIGCONT): it then runs every command sent meanwhile. */
  resume(): void {
    this.proc?.kill("SIGCONT");
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (proc === undefined || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    proc.kill("SIGKILL");
    await exited;
  }
}

/** Bundles the instance script once per run (sources, so no build of dist/ is needed). */
export async function bundleInstance(): Promise<string> {
  const esbuild = await import("esbuild");
  await esbuild.build({
    entryPoints: [`${ROOT}test/redis/instance.ts`],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    outfile: BUNDLE,
    logLevel: "error",
  });
  return BUNDLE;
}

/** One app instance in a child process. */
export class Instance {
  port = 0;
  stderr = "";
  exitCode: number | null = null;
  private proc: ChildProcess | undefined;
  private nextId = 0;
  private readonly replies = new Map<number, (reply: { ok?: boolean; stats?: StoreStats }) => void>();

  constructor(
    private readonly script: string,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `ws://127.0.0.1:${this.port}/`;
  }

  /** True while the process runs (a crash sets `exitCode`). */
  get alive(): boolean {
    return this.proc !== undefined && this.exitCode === null;
  }

  async start(): Promise<void> {
    this.exitCode = null;
    const proc = fork(this.script, [], { env: { ...process.env, ...this.env }, stdio: ["ignore", "ignore", "pipe", "ipc"] });
    this.proc = proc;
    proc.stderr?.on("data", (d: Buffer) => (this.stderr += d.toString()));
    proc.on("exit", (code, signal) => (this.exitCode = code ?? (signal === null ? -1 : 128)));
    proc.on("message", (m: { ready?: number; id?: number; ok?: boolean; stats?: StoreStats }) => {
      if (m.ready !== undefined) this.port = m.ready;
      if (m.id !== undefined) this.replies.get(m.id)?.(m);
    });
    await until(() => this.port !== 0 || this.exitCode !== null, "instance start");
    if (this.exitCode !== null) throw new Error(`instance exited: ${this.stderr}`);
  }

  /** Asks the instance to broadcast; resolves when its handler finished. */
  broadcast(cmd: { kind: "all" | "users" | "group"; ids?: string[]; group?: string; banner?: string }): Promise<boolean> {
    const id = ++this.nextId;
    return new Promise((resolve) => {
      this.replies.set(id, (m) => resolve(m.ok === true));
      this.proc?.send({ id, cmd: "broadcast", ...cmd });
    });
  }

  /** The instance's session store counters. */
  stats(): Promise<StoreStats> {
    const id = ++this.nextId;
    return new Promise((resolve) => {
      this.replies.set(id, (m) => resolve(m.stats ?? { saves: 0, conflicts: 0, failures: 0 }));
      this.proc?.send({ id, cmd: "stats" });
    });
  }

  /** Kills the process without letting it clean up. */
  async kill(): Promise<void> {
    const proc = this.proc;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    proc.kill("SIGKILL");
    await exited;
    this.port = 0;
  }
}

/** A live tab: a WebSocket client that renders every update it gets. */
export class Tab {
  html = "";
  frames = 0;
  private readonly renderer = new TreeRenderer(createLogger({ level: "silent" }));
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const msg = JSON.parse(String(data)) as { tree?: Record<string, unknown> };
      if (msg.tree !== undefined) this.html = this.renderer.applyUpdate(msg.tree).html;
      this.frames++;
    });
    ws.on("error", () => {});
  }

  static async open(url: string, user: string, group: string): Promise<Tab> {
    const ws = new WebSocket(url, { headers: { "x-user": user, "x-group": group } });
    const tab = new Tab(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    await until(() => tab.frames > 0, "first render");
    return tab;
  }

  get count(): number {
    return Number(/count=<b>(-?\d+)<\/b>/.exec(this.html)?.[1] ?? Number.NaN);
  }

  get banner(): string {
    return /banner=<i>([^<]*)<\/i>/.exec(this.html)?.[1] ?? "";
  }

  send(action: string): void {
    this.ws.send(JSON.stringify({ action, data: {} }));
  }

  close(): void {
    this.ws.close();
  }
}
