/**
 * The gallery server: an index page and live demos (counter, todos, chat, and the three pages
 * of books), each one live handler mounted on its own path of a single node:http server.
 *
 * `createGallery()` is what main.ts runs and what tests start in-process on port 0.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Template, MemorySessionStore, prometheusHandler } from "livetemplate";
import type { LiveHandler, LiveHandlerOptions, SessionStore } from "livetemplate";
import { Counter } from "./counter.js";
import { Todos } from "./todos.js";
import { ChatRooms, ChatSession } from "./chat.js";
import { BookDetail, BookList, Library, NewBook } from "./books.js";
import { UPLOADS, UploadsDemo } from "./uploads.js";

/** The demos, by path (without the leading slash). */
export type DemoName = "counter" | "todos" | "chat" | "books" | "book" | "books/new" | "uploads";

const DEMOS: ReadonlySet<string> = new Set<DemoName>(["counter", "todos", "chat", "books", "book", "books/new", "uploads"]);

export interface GalleryOptions {
  /** Port to listen on; 0 picks a free one. Default 8080. */
  port?: number;
  /** Interface to listen on. Default "127.0.0.1"; use "0.0.0.0" to serve the network. */
  host?: string;
  /**
   * The session store of each demo (each demo needs its own: session group ids are the same
   * cookie for every demo). Default: a `MemorySessionStore` per demo.
   */
  sessionStore?: (demo: DemoName) => SessionStore;
  /**
   * More handler options for every demo, merged over the gallery's own. This is the hook for
   * running several instances: a shared `broadcastBus` (and `sessionStore` above) built from
   * `REDIS_URL`, see main.ts.
   */
  handlerOptions?: LiveHandlerOptions;
  /** Serve the pages without WebSocket, so clients use the HTTP fallback. */
  disableWebSocket?: boolean;
  /** URL of the browser client script put in every page (default: the handler's own client). */
  clientScriptUrl?: string;
  /** File the handler serves as the client script (default: the built dist/client bundle). */
  clientScriptFile?: string;
  /**
   * Chat presence updates (joins, leaves, renames) reach each browser at most once per this many
   * ms (the chat handler's `topics.presenceBatchMs`; the window also grows with the room).
   * Default 250.
   */
  chatPresenceMs?: number;
  /**
   * Where the uploads demo keeps the files it stored (named by SHA-256; its staging directory is
   * `<dir>/.staging`). Default: a fresh temporary directory, removed by `close()`.
   */
  uploadsDir?: string;
}

export interface Gallery {
  readonly server: http.Server;
  readonly handlers: Readonly<Record<DemoName, LiveHandler>>;
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** Where the uploads demo stores files (one file per stored upload, named by its SHA-256). */
  readonly uploadsDir: string;
  /** Stops accepting connections, closes the live connections and the server. */
  close(): Promise<void>;
}

function loadTemplate(name: string): Template {
  const read = (file: string) => readFileSync(new URL(file, import.meta.url), "utf8");
  // Every page uses the shared partials (`head` with the styles, `flash`, `player`) of layout.tmpl.
  return new Template(name).parse(read(`${name}.tmpl`) + read("layout.tmpl"));
}

/**
 * Starts the gallery and resolves once it listens.
 *
 * @example
 * ```ts
 * const gallery = await createGallery({ port: 0 });
 * console.log(`open ${gallery.url}/counter`);
 * await gallery.close();
 * ```
 */
export async function createGallery(options: GalleryOptions = {}): Promise<Gallery> {
  const sessionStores: SessionStore[] = [];
  const handlerOptions = (demo: DemoName): LiveHandlerOptions => {
    const sessionStore = options.sessionStore?.(demo) ?? new MemorySessionStore();
    sessionStores.push(sessionStore);
    const clientScript: NonNullable<LiveHandlerOptions["clientScript"]> = {};
    if (options.clientScriptUrl !== undefined) clientScript.src = options.clientScriptUrl;
    if (options.clientScriptFile !== undefined) clientScript.file = options.clientScriptFile;
    return {
      sessionStore,
      path: `/${demo}`,
      webSocket: options.disableWebSocket !== true,
      clientScript,
      channel: `gallery-${demo.replace("/", "-")}`,
      ...options.handlerOptions,
    };
  };

  const ownUploadsDir = options.uploadsDir === undefined;
  const uploadsDir = options.uploadsDir ?? mkdtempSync(join(tmpdir(), "lt-gallery-uploads-"));
  mkdirSync(uploadsDir, { recursive: true });
  const rooms = new ChatRooms();
  const library = new Library();
  const handlers: Record<DemoName, LiveHandler> = {
    counter: loadTemplate("counter").handle(() => new Counter(), handlerOptions("counter")),
    todos: loadTemplate("todos").handle(() => new Todos(), handlerOptions("todos")),
    chat: loadTemplate("chat").handle(() => new ChatSession(rooms.id), {
      ...handlerOptions("chat"),
      topics: { presenceBatchMs: options.chatPresenceMs ?? 250, ...options.handlerOptions?.topics },
    }),
    books: loadTemplate("books").handle(() => new BookList(library), handlerOptions("books")),
    book: loadTemplate("book").handle(() => new BookDetail(library), handlerOptions("book")),
    "books/new": loadTemplate("book-new").handle(() => new NewBook(library), handlerOptions("books/new")),
    uploads: loadTemplate("uploads").handle(() => new UploadsDemo(uploadsDir), {
      ...handlerOptions("uploads"),
      uploads: UPLOADS,
      uploadStaging: { dir: join(uploadsDir, ".staging") },
    }),
  };
  // Chat messages, typing notices and presence travel on each room's topic (see chat.ts); the
  // typing timers publish through the handler.
  rooms.publish = (topic, event) => handlers.chat.publish(topic, event);

  const metrics = prometheusHandler(handlers);
  const index = readFileSync(new URL("index.html", import.meta.url));
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const demo = path.slice(1);
    if (DEMOS.has(demo)) {
      handlers[demo as DemoName](req, res);
      return;
    }
    if (path === "/metrics") {
      metrics(req, res);
      return;
    }
    if (path === "/healthz") {
      void Promise.all(Object.values(handlers).map((h) => h.health())).then((reports) => {
        const ok = reports.every((r) => r.ok);
        const body = JSON.stringify({ ok, demos: Object.fromEntries(Object.keys(handlers).map((k, i) => [k, reports[i]])) });
        res.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
        res.end(body);
      });
      return;
    }
    if (path === "/" && (req.method === "GET" || req.method === "HEAD")) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": index.length });
      res.end(req.method === "HEAD" ? undefined : index);
      return;
    }
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
    res.end("not found\n");
  });
  for (const h of Object.values(handlers)) h.attach(server);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8080, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;

  return {
    server,
    handlers,
    url: `http://${host}:${port}`,
    uploadsDir,
    async close() {
      await Promise.all(Object.values(handlers).map((h) => h.close()));
      rooms.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      for (const s of sessionStores) await s.close?.();
      if (ownUploadsDir) rmSync(uploadsDir, { recursive: true, force: true });
    },
  };
}
