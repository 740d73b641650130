/**
 * The files of a new project (`lvt new`): one live page (a counter), the server that serves the
 * pages listed in `src/routes.ts`, a test, and a README. The text here is what the user reads
 * and edits from then on, so it is written as they would write it.
 */

export interface ProjectSpec {
  /** npm package name of the project (the directory name). */
  readonly name: string;
  /** The `livetemplate` dependency: a version range, `file:` path or tarball, or git URL. */
  readonly livetemplate: string;
}

/** Markers in src/routes.ts where `lvt gen` inserts a page's import and its route. */
export const IMPORTS_MARKER = "// lvt:imports";
export const ROUTES_MARKER = "  // lvt:routes";

/** The new project's files by path relative to its root. */
export function projectFiles(spec: ProjectSpec): Record<string, string> {
  const pkg = {
    name: spec.name,
    version: "0.1.0",
    private: true,
    type: "module",
    engines: { node: ">=20" },
    scripts: {
      dev: "lvt serve",
      start: "tsx src/main.ts",
      test: "tsx --test test/*.test.ts",
      check: "lvt check src && tsc --noEmit",
    },
    dependencies: { livetemplate: spec.livetemplate, tsx: "^4.23.0" },
    devDependencies: { "@types/node": "^20.19.0", typescript: "^5.9.3" },
  };
  return {
    "package.json": JSON.stringify(pkg, null, 2) + "\n",
    ".gitignore": "node_modules/\n.lvt/\n*.db\n*.db-shm\n*.db-wal\n",
    "tsconfig.json": TSCONFIG,
    "README.md": readme(spec.name),
    "src/main.ts": MAIN,
    "src/app.ts": APP,
    "src/routes.ts": ROUTES,
    "src/pages/layout.tmpl": LAYOUT,
    "src/pages/home.ts": HOME_STORE,
    "src/pages/home.tmpl": HOME_TEMPLATE,
    "test/helpers.ts": TEST_HELPERS,
    "test/home.test.ts": HOME_TEST,
  };
}

const TSCONFIG = `{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "verbatimModuleSyntax": true,
    "skipLibCheck": true,
    "noEmit": true,
    "types": ["node"]
  },
  "include": ["src", "test"]
}
`;

function readme(name: string): string {
  return `# ${name}

A [livetemplate](https://github.com/livetemplate/livetemplate) app: pages are Go-syntax HTML
templates in \`src/pages/\`, their state and actions plain TypeScript classes beside them.

\`\`\`sh
npm install && npm run dev
\`\`\`

opens the app on http://127.0.0.1:3000 and restarts it as you edit templates or TypeScript: the
open tabs follow without a page reload and keep their session state, and a broken template shows
its error in the page.

\`\`\`sh
npm test
\`\`\`

runs the tests in \`test/\`.

## Layout

- \`src/routes.ts\`: the pages, each a path, a template and a store.
- \`src/pages/\`: a \`.tmpl\` and a \`.ts\` per page; \`layout.tmpl\` holds what every page shares.
- \`src/app.ts\`: the HTTP server; \`src/main.ts\` starts it (\`npm start\`, PORT and HOST).

## Adding pages

\`\`\`sh
npx lvt gen page about
npx lvt gen resource post title:string:required body:text published:bool
npx lvt gen resource task title:string:required done:bool --db sqlite
\`\`\`

\`npx lvt check\` parses every template and reports errors as \`file:line:col: message\`.
`;
}

const MAIN = `/**
 * \`npm start\`: serves the app on PORT (default 3000) and HOST (default 127.0.0.1).
 */
import { createApp } from "./app.js";

const app = await createApp({
  port: Number(process.env["PORT"] ?? 3000),
  host: process.env["HOST"] ?? "127.0.0.1",
});
console.log(\`listening on \${app.url}\`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
`;

const APP = `/**
 * The HTTP server: every route of src/routes.ts is one live handler on its own path.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { Template } from "livetemplate";
import type { LiveHandler } from "livetemplate";
import { routes } from "./routes.js";

export interface AppOptions {
  /** Port to listen on; 0 picks a free one (what tests use). Default 3000. */
  port?: number;
  /** Interface to listen on. Default "127.0.0.1". */
  host?: string;
}

export interface App {
  readonly server: http.Server;
  /** Base URL, e.g. \`http://127.0.0.1:3000\`. */
  readonly url: string;
  /** Closes the live connections and the server. */
  close(): Promise<void>;
}

const pages = new URL("./pages/", import.meta.url);

/** Parses a page's template together with the layout every page shares. */
export function loadTemplate(file: string): Template {
  const path = (name: string): string => fileURLToPath(new URL(name, pages));
  return new Template(file).parseFiles(path(file), path("layout.tmpl"));
}

/** Starts the app and resolves once it listens. */
export async function createApp(options: AppOptions = {}): Promise<App> {
  const handlers = new Map<string, LiveHandler>();
  for (const route of routes) {
    handlers.set(route.path, loadTemplate(route.template).handle(route.store, { path: route.path }));
  }

  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url ?? "/", "http://localhost");
    const handler = handlers.get(pathname);
    if (handler) return handler(req, res);
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not found\\n");
  });
  for (const handler of handlers.values()) handler.attach(server);

  await new Promise<void>((resolve) => server.listen(options.port ?? 3000, options.host ?? "127.0.0.1", resolve));
  const { address, port } = server.address() as AddressInfo;
  return {
    server,
    url: \`http://\${address}:\${port}\`,
    async close() {
      await Promise.all([...handlers.values()].map((h) => h.close()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
`;

const ROUTES = `/**
 * The app's pages. Each route serves one template (a file in src/pages/) with a store that
 * holds the page's state: the factory gives every browser session a store of its own.
 * \`lvt gen page\` and \`lvt gen resource\` add their routes here.
 */
import type { StoreSource } from "livetemplate";
import { Home } from "./pages/home.js";
${IMPORTS_MARKER}

export interface Route {
  /** URL path of the page. */
  readonly path: string;
  /** Template file in src/pages/. */
  readonly template: string;
  /** The page's store: a factory, a class or an instance (copied per session). */
  readonly store: StoreSource;
}

export const routes: Route[] = [
  { path: "/", template: "home.tmpl", store: () => new Home() },
${ROUTES_MARKER}
];
`;

const LAYOUT = `{{define "head"}}<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
  a { color: #0a5; }
  button { font: inherit; padding: .3rem .8rem; border: 1px solid #bbb; border-radius: .3rem; background: #f6f6f6; cursor: pointer; }
  input, textarea { font: inherit; padding: .3rem .5rem; border: 1px solid #bbb; border-radius: .3rem; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #eee; }
  label { display: block; margin: .5rem 0; }
  .error { color: #c00; font-size: .9rem; }
  .row { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; margin: .5rem 0; }
</style>
{{end}}
`;

const HOME_STORE = `/**
 * The home page's state: one number and the actions that change it. An action is a method named
 * after it: \`lvt-on:click="increment"\` (and a no-JS \`<button name="increment">\`) calls \`increment()\`.
 */
export class Home {
  Count = 0;

  increment(): void {
    this.Count++;
  }

  decrement(): void {
    this.Count--;
  }
}
`;

const HOME_TEMPLATE = `<!DOCTYPE html>
<html lang="en">
<head>
<title>Home</title>
{{template "head"}}
</head>
<body>
<h1>Hello from livetemplate</h1>
<p>Count: <output id="count">{{.Count}}</output></p>
<form method="post" class="row">
  <button name="decrement" id="decrement">−1</button>
  <button name="increment" id="increment">+1</button>
</form>
<p>Edit <code>src/pages/home.tmpl</code> and watch this tab follow.</p>
</body>
</html>
`;

const TEST_HELPERS = `/**
 * What the tests share: starting the app on a free port and talking to it like a browser
 * without JavaScript (plain GETs and form POSTs, carrying the session cookie).
 */
import { after } from "node:test";
import { createApp } from "../src/app.js";
import type { App } from "../src/app.js";

/** Starts the app for the current test file and closes it when the file's tests are done. */
export async function startApp(): Promise<App> {
  const app = await createApp({ port: 0 });
  after(() => app.close());
  return app;
}

/** A browser session: a cookie jar of one cookie. */
export class Visitor {
  private cookie = "";

  constructor(private readonly base: string) {}

  /** GETs a page and returns its status and HTML. */
  async get(path: string): Promise<{ status: number; html: string }> {
    return this.send(path, { method: "GET" });
  }

  /** POSTs a form as a browser without JavaScript does (the action in \`lvt-action\`). */
  async post(path: string, fields: Record<string, string>): Promise<{ status: number; html: string }> {
    return this.send(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
  }

  private async send(path: string, init: RequestInit): Promise<{ status: number; html: string }> {
    const headers = new Headers(init.headers);
    headers.set("accept", "text/html");
    if (this.cookie !== "") headers.set("cookie", this.cookie);
    const res = await fetch(this.base + path, { ...init, headers, redirect: "manual" });
    const set = res.headers.getSetCookie()[0];
    if (set !== undefined) this.cookie = set.split(";")[0] ?? "";
    return { status: res.status, html: await res.text() };
  }
}
`;

const HOME_TEST = `import { test } from "node:test";
import assert from "node:assert/strict";
import { startApp, Visitor } from "./helpers.js";

const app = await startApp();

test("the home page starts at zero", async () => {
  const page = await new Visitor(app.url).get("/");
  assert.equal(page.status, 200);
  assert.match(page.html, /<output id="count">0<\\/output>/);
});

test("increment and decrement change the count of this session only", async () => {
  const me = new Visitor(app.url);
  await me.get("/");
  assert.equal((await me.post("/", { "lvt-action": "increment" })).status, 303);
  await me.post("/", { "lvt-action": "increment" });
  await me.post("/", { "lvt-action": "decrement" });
  assert.match((await me.get("/")).html, /<output id="count">1<\\/output>/);
  assert.match((await new Visitor(app.url).get("/")).html, /<output id="count">0<\\/output>/);
});

test("an unknown path is a 404", async () => {
  assert.equal((await new Visitor(app.url).get("/nowhere")).status, 404);
});
`;
