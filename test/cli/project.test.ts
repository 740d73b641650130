/**
 * `lvt new` as a user runs it: a project made in a temporary directory against this checkout
 * (the `npm pack` tarball), installed from the registry, its own tests run, served by `lvt serve`
 * and driven in Chromium: live updates, a template edit, a TypeScript edit, a broken template,
 * then `lvt gen resource` with both storages (the SQLite rows read back from the database file).
 *
 * Needs dist/ (npm test builds it first) and the npm registry. better-sqlite3 compiles natively,
 * which takes minutes; it is built once into a cache under the system's temp directory and
 * copied into the project instead of being installed there.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { Browser, Page } from "playwright-core";
import { chromiumAvailable, launchBrowser, until } from "../browser/harness.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const run = chromiumAvailable() && existsSync(join(root, "dist/cli/bin.js"));
if (!run && process.env["LT_REQUIRE_EXTERNAL"] === "1") throw new Error("dist/cli/bin.js is required: run npm run build");

function sh(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(" ")} failed in ${cwd}:\n${stdout}\n${stderr}`));
      else resolve(stdout + stderr);
    });
  });
}

// npm's own variables (npm test runs us) would point the nested npm at this package.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("npm_")));
const npm = (args: readonly string[], cwd: string): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile("npm", [...args], { cwd, env: cleanEnv, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`npm ${args.join(" ")} failed in ${cwd}:\n${stdout}\n${stderr}`));
      else resolve(stdout + stderr);
    });
  });

/** better-sqlite3@12, built once per machine. */
async function betterSqlite(): Promise<string> {
  const cache = join(tmpdir(), "livetemplate-cli-test-cache", "better-sqlite3-12");
  const modules = join(cache, "node_modules");
  if (!existsSync(join(modules, "better-sqlite3/build/Release/better_sqlite3.node"))) {
    rmSync(cache, { recursive: true, force: true });
    mkdirSync(cache, { recursive: true });
    writeFileSync(join(cache, "package.json"), '{"private":true}\n');
    await npm(["install", "--no-audit", "--no-fund", "better-sqlite3@12"], cache);
  }
  return modules;
}

describe.skipIf(!run)("a project made by lvt new", () => {
  let dir: string;
  let app: string;
  let browser: Browser;
  let serve: ChildProcess | undefined;
  let url = "";
  let sqlite: Promise<string>;
  const restore: Array<() => void> = [];
  /** What lvt serve printed. */
  let log = "";
  const reloads = (): number => (log.match(/lvt serve: (reloaded|the app has an error)/g) ?? []).length;
  /**
   * Waits until lvt serve has served `path` and not reloaded for a second: a change often comes
   * as several writes (lvt gen writes files one by one), each of which may restart the app.
   */
  const settled = async (path: string): Promise<void> => {
    const end = Date.now() + 30_000;
    for (;;) {
      const before = reloads();
      await new Promise((r) => setTimeout(r, 1000));
      if (reloads() === before && (await fetch(url + path)).status === 200) return;
      if (Date.now() > end) throw new Error(`lvt serve did not settle on ${path}:\n${log}`);
    }
  };
  const lvt = (args: readonly string[]): Promise<string> => sh(process.execPath, [join(app, "node_modules/livetemplate/dist/cli/bin.js"), ...args], app);

  beforeAll(async () => {
    sqlite = betterSqlite();
    sqlite.catch(() => undefined);
    dir = mkdtempSync(join(tmpdir(), "lvt-new-"));
    await npm(["pack", "--pack-destination", dir], root);
    const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
    if (tarball === undefined) throw new Error("npm pack made no tarball");
    await sh(process.execPath, [join(root, "dist/cli/bin.js"), "new", "my-app", "--livetemplate", join(dir, tarball)], dir);
    app = join(dir, "my-app");
    await npm(["install", "--no-audit", "--no-fund"], app);
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    serve?.kill("SIGTERM");
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("passes its own tests and type check right after npm install", async () => {
    const out = await npm(["test"], app);
    expect(out).toMatch(/# pass 3/);
    expect(out).toMatch(/# fail 0/);
    await npm(["run", "check"], app);
    expect(readFileSync(join(app, "README.md"), "utf8")).toContain("npm install && npm run dev");
  }, 60_000);

  it("serves its page live under lvt serve, through template edits, TypeScript edits and template errors", async () => {
    onTestFinished(() => {
      // The later tests run the project's own tests, which expect the files as lvt new wrote them.
      for (const undo of restore.splice(0)) undo();
    });
    serve = spawn(process.execPath, [join(app, "node_modules/livetemplate/dist/cli/bin.js"), "serve", "--port", "0"], { cwd: app, stdio: ["ignore", "pipe", "pipe"] });
    serve.stdout?.on("data", (c: Buffer) => (log += c.toString()));
    serve.stderr?.on("data", (c: Buffer) => (log += c.toString()));
    await until(() => /lvt serve: (http:\S+)/.test(log), "lvt serve to listen", 20_000);
    url = /lvt serve: (http:\S+)/.exec(log)![1]!;

    const page = await browser.newPage();
    await page.goto(url + "/");
    await page.waitForSelector("[data-lvt-id].lvt-connected");
    await page.click("#increment");
    await until(async () => (await page.textContent("#count")) === "1", "count 1");
    // Survives only as long as the page is not reloaded.
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));
    const marker = (): Promise<unknown> => page.evaluate(() => (globalThis as unknown as { marker?: number }).marker);

    // A template edit: the open tab shows it, keeps its count, and was not reloaded.
    const tmpl = join(app, "src/pages/home.tmpl");
    const original = readFileSync(tmpl, "utf8");
    restore.push(() => writeFileSync(tmpl, original));
    writeFileSync(tmpl, original.replace("Hello from livetemplate", "Hello, edited"));
    await until(async () => (await page.textContent("h1")) === "Hello, edited", "the edited heading", 20_000);
    expect(await page.textContent("#count")).toBe("1");
    expect(await marker()).toBe(42);

    // A TypeScript edit restarts the app; the tab reconnects with its state and the new code.
    const store = join(app, "src/pages/home.ts");
    const storeSource = readFileSync(store, "utf8");
    restore.push(() => writeFileSync(store, storeSource));
    writeFileSync(store, storeSource.replace("this.Count++;", "this.Count += 10;"));
    // The old process goes, the client notices and reconnects to the new one. (A click while
    // disconnected would be queued and sent after the reconnect: click only once connected.)
    await page.waitForSelector("[data-lvt-id].lvt-disconnected", { timeout: 20_000 });
    await page.waitForSelector("[data-lvt-id].lvt-connected", { timeout: 20_000 });
    expect(await page.textContent("#count")).toBe("1");
    await page.click("#increment");
    await until(async () => (await page.textContent("#count")) === "11", "count 11 from the new code and the kept state", 20_000);
    expect(await marker()).toBe(42);

    // A broken template: the tab shows where, the server keeps running; fixing it clears it.
    writeFileSync(tmpl, original.replace("{{.Count}}", "{{.Count"));
    const overlay = page.locator("#lvt-dev-error pre");
    await overlay.waitFor({ timeout: 20_000 });
    const text = (await overlay.textContent()) ?? "";
    expect(text).toMatch(/src\/pages\/home\.tmpl:9:\d+: /);
    expect(text).toContain('<p>Count: <output id="count">{{.Count</output></p>');
    const fresh = await (await fetch(url + "/")).text();
    expect(fresh).toContain("Count"); // the old app still serves
    writeFileSync(tmpl, original);
    await page.locator("#lvt-dev-error").waitFor({ state: "detached", timeout: 20_000 });
    // The overlay goes once the new app is up; the tab's reconnect brings the page a moment later.
    await until(async () => (await page.textContent("h1")) === "Hello from livetemplate", "the restored heading", 20_000);
    expect(await marker()).toBe(42);
    await page.close();
  }, 120_000);

  /** Create (after a validation error), edit, delete and paginate on a generated CRUD page. */
  async function driveResource(page: Page, path: string, fill: (page: Page, form: string, title: string) => Promise<void>): Promise<void> {
    await page.goto(url + path);
    await page.waitForSelector("[data-lvt-id].lvt-connected");
    const rows = page.locator("tbody tr[data-key]");
    await page.click("#create-form button:not([name])");
    await page.waitForSelector("#title-error");
    expect(await page.textContent("#title-error")).toBe("Title is required");
    await fill(page, "#create-form", "First");
    await page.click("#create-form button:not([name])");
    await until(async () => (await rows.count()) === 1, "the first row");
    expect(await page.locator("#title-error").count()).toBe(0);

    await rows.first().locator("button[name=edit]").click();
    await page.locator("#edit-title").fill("");
    await page.click("#edit-form button[name=update]");
    await page.waitForSelector("#edit-title-error");
    expect(await page.textContent("#edit-title-error")).toBe("Title is required");
    expect(await page.locator("#title-error").count()).toBe(0); // not in the create form
    await page.locator("#edit-title").fill("First, edited");
    await page.click("#edit-form button[name=update]");
    await until(async () => ((await rows.first().textContent()) ?? "").includes("First, edited"), "the edited row");

    await rows.first().locator("button[name=remove]").click();
    await page.waitForSelector("text=Yes, delete");
    await page.click("text=Yes, delete");
    await until(async () => (await rows.count()) === 0, "the row deleted");

    for (let i = 1; i <= 12; i++) {
      await fill(page, "#create-form", `Item ${i}`);
      await page.click("#create-form button:not([name])");
      // The total leads the line ("3 posts · page 1 of 1"); waiting for it also waits for the
      // form's reset after the success, which would otherwise clear the next title.
      await until(async () => ((await page.textContent("#pages")) ?? "").trim().startsWith(`${i} `), `item ${i}`);
    }
    expect(await rows.count()).toBe(10);
    await page.click("#next");
    await page.waitForURL(/page=2/);
    await page.waitForSelector("[data-lvt-id].lvt-connected");
    expect(await rows.count()).toBe(2);
    expect(await rows.allTextContents()).toEqual([expect.stringContaining("Item 2"), expect.stringContaining("Item 1")]);
    await page.fill("input[name=q]", "Item 1");
    await page.click("#search button");
    await page.waitForURL(/q=Item/);
    // Item 1, 10, 11, 12.
    expect(await rows.count()).toBe(4);
  }

  it("gen resource (in memory): create with validation, edit, delete and paginate in Chromium", async () => {
    await lvt(["gen", "resource", "post", "title:string:required", "views:int", "published:bool"]);
    const page = await browser.newPage();
    await settled("/posts");
    await driveResource(page, "/posts", async (p, form, title) => {
      await p.fill(`${form} input[name=title]`, title);
      await p.fill(`${form} input[name=views]`, "3");
    });
    await page.close();
    const out = await npm(["test"], app);
    expect(out).toMatch(/# fail 0/);
    await npm(["run", "check"], app); // lvt check and tsc on the generated code
  }, 120_000);

  it("gen resource --db sqlite: the same in Chromium, the rows in the database file", async () => {
    const modules = await sqlite;
    for (const m of ["better-sqlite3", "bindings", "file-uri-to-path"]) cpSync(join(modules, m), join(app, "node_modules", m), { recursive: true });
    await lvt(["gen", "resource", "task", "title:string:required:unique", "done:bool", "--db", "sqlite"]);
    expect(readFileSync(join(app, "migrations/001_create_tasks.sql"), "utf8")).toContain("CREATE TABLE tasks");
    const page = await browser.newPage();
    await settled("/tasks");
    await driveResource(page, "/tasks", async (p, form, title) => {
      await p.fill(`${form} input[name=title]`, title);
      if (title.endsWith("2")) await p.check(`${form} input[name=done]`);
    });
    await page.close();

    const Database = createRequire(join(app, "package.json"))("better-sqlite3") as new (file: string, o: object) => {
      prepare(sql: string): { all(): unknown[] };
      close(): void;
    };
    const db = new Database(join(app, "app.db"), { readonly: true });
    const rows = db.prepare("SELECT title, done FROM tasks ORDER BY id").all() as { title: string; done: number }[];
    db.close();
    expect(rows).toHaveLength(12);
    expect(rows[0]).toEqual({ title: "Item 1", done: 0 });
    expect(rows.find((r) => r.title === "Item 2")?.done).toBe(1);
    expect(rows.find((r) => r.title === "Item 12")?.done).toBe(1);

    const out = await npm(["test"], app);
    expect(out).toMatch(/# fail 0/);
  }, 300_000);
});
