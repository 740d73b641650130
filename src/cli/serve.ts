/**
 * `lvt serve`: runs the app behind a small proxy and reloads it on change.
 *
 * - The app runs as a child process (see dev/app-process.ts) on a private port; the proxy on
 *   PORT forwards HTTP and WebSocket traffic to it and adds the dev script to pages.
 * - On a change under src/ (or migrations/) the templates are checked first. A broken template
 *   does not restart anything: the running app keeps serving and every open tab shows the error
 *   (file:line:col and the source line) until it is fixed.
 * - Otherwise the app restarts (TypeScript needs a new process; templates are parsed at startup),
 *   and the open tabs' live connections reconnect by themselves. Session state survives: the app
 *   keeps it in the dev session store, a file under .lvt/, with a session secret fixed for the
 *   project, so the reconnecting tabs get their own state rendered with the new code, without a
 *   page reload.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, watch, writeFileSync, type FSWatcher } from "node:fs";
import http from "node:http";
import { connect } from "node:net";
import { join, relative } from "node:path";
import type { Duplex } from "node:stream";
import { UsageError, flag, parseArgs } from "./args.js";
import { checkDirectory, templateFiles } from "./check.js";
import { formatWithSource } from "./template-errors.js";
import { AppProcess } from "./dev/app-process.js";
import { DEV_EVENTS_PATH, DEV_SCRIPT, DEV_SCRIPT_PATH, errorPage, injectDevScript } from "./dev/overlay.js";

export const SERVE_USAGE = `Usage: lvt serve [--port PORT] [--host HOST] [--entry FILE]

Runs the app (node --import tsx FILE) and reloads it on every change under src/ and migrations/:
templates are checked and the app restarts; open tabs reconnect and keep their session state.
A template error shows in the open tabs (file:line:col and the source line) until it is fixed.
This is the project's \`npm run dev\`.

Options:
  --port PORT   where to listen (default: $PORT, else 3000)
  --host HOST   interface to listen on (default 127.0.0.1)
  --entry FILE  the app's entry module (default src/main.ts); it must listen on $PORT and $HOST
  -h, --help    show this help`;

const WATCHED = /\.(ts|mts|tmpl|gohtml|sql|json)$/;

/** A running dev server (what tests drive). */
export interface DevServer {
  readonly url: string;
  /** Resolves after the next reload triggered by a change has finished. */
  nextReload(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the dev server in `cwd`. */
export async function startDevServer(
  cwd: string,
  options: { port: number; host: string; entry: string; log?: (line: string) => void },
): Promise<DevServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  if (!existsSync(join(cwd, options.entry))) throw new UsageError(`no ${options.entry} in ${cwd}: run lvt serve in the project's root, or pass --entry`);
  const dot = join(cwd, ".lvt");
  mkdirSync(dot, { recursive: true });
  const app = new AppProcess({
    cwd,
    entry: options.entry,
    sessionFile: join(dot, "sessions.json"),
    sessionSecret: projectSecret(join(dot, "session-secret")),
    log: (line) => log(`[app] ${line}`),
  });

  const events = new Set<http.ServerResponse>();
  let problem: string | undefined;
  const announce = (): void => {
    const frame = problem === undefined ? "event: app-ok\ndata: {}\n\n" : `event: app-error\ndata: ${JSON.stringify({ text: problem })}\n\n`;
    for (const res of events) res.write(frame);
  };
  const templateProblems = (): string | undefined => {
    const src = join(cwd, "src");
    if (!existsSync(src)) return undefined;
    const byDir = new Map<string, string[]>();
    for (const f of templateFiles(src)) {
      const dir = f.slice(0, f.lastIndexOf("/"));
      byDir.set(dir, [...(byDir.get(dir) ?? []), f]);
    }
    const errors = [...byDir.values()].flatMap((files) => checkDirectory(files));
    return errors.length === 0 ? undefined : errors.map((e) => formatWithSource({ ...e, file: relative(cwd, e.file) })).join("\n\n");
  };

  let reloads: Array<() => void> = [];
  const reload = async (first: boolean): Promise<void> => {
    problem = templateProblems();
    if (problem === undefined) {
      const state = await (first ? app.state() : app.restart());
      if (state.kind === "failed") problem = state.output;
    }
    if (problem !== undefined) log(`lvt serve: the app has an error:\n${problem}`);
    else if (!first) log("lvt serve: reloaded");
    announce();
    const waiting = reloads;
    reloads = [];
    for (const w of waiting) w();
  };
  await reload(true);

  // Changes come in bursts (an editor writes a file and its backup, git checks out many).
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const changed = (file: string | null): void => {
    if (file !== null && !WATCHED.test(file)) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(() => reload(false));
    }, 60);
  };
  const watchers: FSWatcher[] = [];
  for (const dir of ["src", "migrations"]) {
    if (existsSync(join(cwd, dir))) watchers.push(watch(join(cwd, dir), { recursive: true }, (_e, f) => changed(f)));
  }

  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === DEV_SCRIPT_PATH) {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" }).end(DEV_SCRIPT);
      return;
    }
    if (path === DEV_EVENTS_PATH) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
      res.write(problem === undefined ? ": connected\n\n" : `event: app-error\ndata: ${JSON.stringify({ text: problem })}\n\n`);
      events.add(res);
      req.on("close", () => events.delete(res));
      return;
    }
    void app.state().then((state) => {
      if (state.kind === "failed") {
        res.writeHead(500, { "content-type": "text/html; charset=utf-8" }).end(errorPage(problem ?? state.output));
        return;
      }
      proxyRequest(req, res, state.port);
    });
  });
  server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    void app.state().then((state) => {
      if (state.kind !== "ready") {
        socket.end("HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\n\r\n");
        return;
      }
      proxyUpgrade(req, socket, head, state.port);
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.host, () => resolve());
    });
  } catch (err) {
    for (const w of watchers) w.close();
    await app.stop();
    if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new Error(`port ${options.port} is in use (another lvt serve?): stop it, or pass --port with another port`);
    }
    throw err;
  }
  const addr = server.address();
  const port = typeof addr === "object" && addr !== null ? addr.port : options.port;
  const url = `http://${options.host}:${port}`;
  log(`lvt serve: ${url} (watching src/ for changes)`);

  return {
    url,
    nextReload: () => new Promise<void>((resolve) => reloads.push(resolve)),
    async close() {
      clearTimeout(timer);
      for (const w of watchers) w.close();
      for (const res of events) res.end();
      await running;
      await app.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Forwards one request to the app; HTML pages get the dev script. */
function proxyRequest(req: http.IncomingMessage, res: http.ServerResponse, port: number): void {
  const upstream = http.request({ host: "127.0.0.1", port, method: req.method, path: req.url, headers: req.headers }, (up) => {
    const type = String(up.headers["content-type"] ?? "");
    if (!type.startsWith("text/html") || up.headers["content-encoding"] !== undefined) {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
      return;
    }
    const chunks: Buffer[] = [];
    up.on("data", (c: Buffer) => chunks.push(c));
    up.on("end", () => {
      const body = Buffer.from(injectDevScript(Buffer.concat(chunks).toString("utf8")));
      const headers = { ...up.headers, "content-length": String(body.length) };
      res.writeHead(up.statusCode ?? 502, headers).end(body);
    });
  });
  upstream.on("error", (err) => {
    if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain; charset=utf-8" });
    res.end(`lvt serve: the app did not answer (${err.message})\n`);
  });
  req.pipe(upstream);
}

/** Forwards a WebSocket upgrade to the app: the raw request, then bytes both ways. */
function proxyUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, port: number): void {
  const upstream = connect(port, "127.0.0.1", () => {
    let raw = `${req.method ?? "GET"} ${req.url ?? "/"} HTTP/1.1\r\n`;
    for (let i = 0; i < req.rawHeaders.length; i += 2) raw += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
    upstream.write(raw + "\r\n");
    if (head.length > 0) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  const end = (): void => {
    upstream.destroy();
    socket.destroy();
  };
  upstream.on("error", end);
  socket.on("error", end);
  upstream.on("close", end);
  socket.on("close", end);
}

/** A random session secret kept in the project's .lvt/, so cookies stay valid across restarts. */
function projectSecret(file: string): string {
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const secret = randomBytes(32).toString("hex");
  writeFileSync(file, secret + "\n", { mode: 0o600 });
  return secret;
}

/** Runs `lvt serve` until SIGINT/SIGTERM; returns the exit code. */
export async function runServe(argv: readonly string[], cwd: string, out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, ["port", "host", "entry"]);
  if (args.flags["help"]) {
    out(SERVE_USAGE);
    return 0;
  }
  if (args.positionals.length > 0) throw new UsageError(`lvt serve takes no arguments, got: ${args.positionals.join(" ")}`);
  const portText = flag(args, "port") ?? process.env["PORT"] ?? "3000";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${portText}: not a port number`);
  const dev = await startDevServer(cwd, { port, host: flag(args, "host") ?? "127.0.0.1", entry: flag(args, "entry") ?? "src/main.ts", log: out });
  await new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
  });
  await dev.close();
  return 0;
}
