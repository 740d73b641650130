/**
 * The app under `lvt serve`: a child process (`node --import tsx src/main.ts`) on a private port,
 * started again on every change. Its state is saved by the dev session store (a file) and its
 * session cookies stay valid across restarts (a session secret fixed for the project).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, connect } from "node:net";
import { DEV_SESSION_FILE_ENV } from "./session-store.js";

export interface AppProcessOptions {
  readonly cwd: string;
  /** The entry module, relative to cwd (default src/main.ts). */
  readonly entry: string;
  readonly sessionFile: string;
  readonly sessionSecret: string;
  /** Called with each line the app writes (stdout and stderr). */
  readonly log: (line: string) => void;
}

/** What the last start gave: the port it listens on, or why it did not start. */
export type AppState = { readonly kind: "ready"; readonly port: number } | { readonly kind: "failed"; readonly output: string };

export class AppProcess {
  private child: ChildProcess | undefined;
  private current: Promise<AppState> | undefined;

  constructor(private readonly o: AppProcessOptions) {}

  /** The state of the running (or starting) app; starts it when it never was. */
  state(): Promise<AppState> {
    return (this.current ??= this.start());
  }

  /** Stops the app and starts it again; resolves when it listens or has failed. */
  restart(): Promise<AppState> {
    const next = this.stop().then(() => this.start());
    this.current = next;
    return next;
  }

  /** Stops the app (SIGTERM, then SIGKILL after 3 s). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  }

  private async start(): Promise<AppState> {
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", this.o.entry], {
      cwd: this.o.cwd,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: "127.0.0.1",
        [DEV_SESSION_FILE_ENV]: this.o.sessionFile,
        LT_SESSION_SECRET: process.env["LT_SESSION_SECRET"] ?? this.o.sessionSecret,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    let output = "";
    const collect = (chunk: Buffer): void => {
      const text = chunk.toString();
      output = (output + text).slice(-20_000);
      for (const line of text.split("\n")) if (line.trim() !== "") this.o.log(line);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    const exited = new Promise<AppState>((resolve) => {
      child.once("exit", (code, signal) => resolve({ kind: "failed", output: output || `the app exited (${signal ?? `code ${String(code)}`})` }));
      child.once("error", (err) => resolve({ kind: "failed", output: `could not start node: ${err.message}` }));
    });
    const listening = waitForPort(port, () => child.exitCode !== null || child.signalCode !== null).then(
      (ok): AppState => (ok ? { kind: "ready", port } : { kind: "failed", output }),
    );
    const state = await Promise.race([listening, exited]);
    if (state.kind === "failed") return { kind: "failed", output: explain(output || state.output) };
    // A crash after startup (e.g. an error thrown later) shows like a startup failure.
    void exited.then((s) => {
      if (this.child === child) this.current = Promise.resolve({ kind: "failed", output: explain(s.kind === "failed" ? s.output : "") });
    });
    return state;
  }
}

/** Adds the fix to errors with a known cause. */
function explain(output: string): string {
  if (/Cannot find package 'tsx'|ERR_MODULE_NOT_FOUND.*tsx/.test(output)) {
    return output + "\n\nlvt serve runs TypeScript with tsx: npm install tsx";
  }
  return output;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Polls until something accepts connections on `port`; false when `gone()` first. */
async function waitForPort(port: number, gone: () => boolean): Promise<boolean> {
  for (;;) {
    if (gone()) return false;
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
}
