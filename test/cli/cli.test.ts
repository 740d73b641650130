/**
 * The `lvt` commands in-process: help and usage errors, `lvt check` on good and broken templates,
 * `lvt new` and `lvt gen` writing files (what they write is run for real in project.test.ts).
 */
import { createServer } from "node:net";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { names } from "../../src/cli/names.js";
import { parseField } from "../../src/cli/generate/fields.js";
import { dependencySpec } from "../../src/cli/new-project.js";

let dir: string;
let out: string[];
let err: string[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "lvt-cli-"));
  out = [];
  err = [];
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const lvt = (...argv: string[]): Promise<number> => main(argv, dir);

describe("lvt help and usage", () => {
  it.each([[[]], [["--help"]], [["new", "--help"]], [["gen", "--help"]], [["serve", "--help"]], [["check", "--help"]]])(
    "prints usage for %j and exits 0",
    async (argv) => {
      expect(await lvt(...argv)).toBe(0);
      expect(out.join("\n")).toMatch(/^Usage: lvt/);
    },
  );

  it.each([
    [["frobnicate"], /unknown command "frobnicate"/],
    [["new"], /needs the project's name/],
    [["new", "My App"], /not a valid npm package name/],
    [["new", "app", "--nope"], /unknown option --nope/],
    [["new", "app", "--livetemplate", "./missing.tgz"], /no such file or directory/],
    [["gen", "widget", "x"], /unknown generator "widget"/],
    [["gen", "page", "about"], /no src\/routes.ts/],
    [["check", "nowhere"], /nowhere: not a directory/],
  ])("rejects %j with a message that says what to do, exit 2", async (argv, message) => {
    expect(await lvt(...argv)).toBe(2);
    expect(err.join("\n")).toMatch(message);
    expect(err.join("\n")).toContain("Usage: lvt");
  });
});

describe("lvt serve errors", () => {
  it("says to run it in the project's root when there is no src/main.ts", async () => {
    expect(await lvt("serve", "--port", "0")).toBe(2);
    expect(err.join("\n")).toMatch(/no src\/main.ts in .*: run lvt serve in the project's root, or pass --entry/);
  });

  it("says what to do when the port is taken", async () => {
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src/main.ts"), "");
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      expect(await lvt("serve", "--port", String(port))).toBe(1);
      expect(err.join("\n")).toContain(`port ${port} is in use (another lvt serve?): stop it, or pass --port with another port`);
    } finally {
      taken.close();
    }
  });
});

describe("lvt check", () => {
  const write = (rel: string, text: string): void => {
    mkdirSync(join(dir, rel, ".."), { recursive: true });
    writeFileSync(join(dir, rel), text);
  };

  it("passes good templates, layouts of partials included", async () => {
    write("src/pages/layout.tmpl", '{{define "head"}}<meta charset="utf-8">{{end}}');
    write("src/pages/home.tmpl", '<html><head>{{template "head"}}</head><body><a href="{{.URL}}">{{.Name}}</a></body></html>');
    expect(await lvt("check")).toBe(0);
    expect(out.join("\n")).toBe("2 templates in src: ok");
  });

  it("reports a parse error as file:line:col with the source line, exit 1", async () => {
    write("src/pages/home.tmpl", "<p>\n{{if .X}}\n  <b>{{.Name</b>\n{{end}}\n");
    expect(await lvt("check")).toBe(1);
    const text = err.join("\n");
    expect(text).toMatch(/^src\/pages\/home\.tmpl:3:\d+: /);
    expect(text).toContain("3 |   <b>{{.Name</b>");
    expect(out.join("\n")).toBe("1 error in 1 template under src");
  });

  it("reports escaping errors and calls of undefined templates, one per file", async () => {
    write("tpl/a.tmpl", '<p>\n{{template "missing"}}</p>');
    write("tpl/b.tmpl", "<a href='{{.U}}>x");
    write("tpl/c.tmpl", "<p>{{.Fine}}</p>");
    expect(await lvt("check", "tpl")).toBe(1);
    const text = err.join("\n");
    expect(text).toMatch(/tpl\/a\.tmpl:2:\d+: no such template "missing"/);
    expect(text).toMatch(/tpl\/b\.tmpl: ends in a non-text context/);
    expect(text).not.toContain("c.tmpl");
  });
});

describe("lvt new and lvt gen", () => {
  it("writes a project whose routes lvt gen extends", async () => {
    expect(await lvt("new", "shop", "--livetemplate", "^1.0.0")).toBe(0);
    const app = join(dir, "shop");
    const pkg = JSON.parse(readFileSync(join(app, "package.json"), "utf8")) as { dependencies: Record<string, string>; scripts: Record<string, string> };
    expect(pkg.dependencies["livetemplate"]).toBe("^1.0.0");
    expect(pkg.scripts).toMatchObject({ dev: "lvt serve", test: expect.any(String) });
    expect(await main(["gen", "page", "about-us"], app)).toBe(0);
    expect(await main(["gen", "resource", "blog-post", "title:string:required", "views:int", "--db", "sqlite"], app)).toBe(0);
    const routes = readFileSync(join(app, "src/routes.ts"), "utf8");
    expect(routes).toContain('{ path: "/about-us", template: "about-us.tmpl", store: () => new AboutUsPage() }');
    expect(routes).toContain('{ path: "/blog-posts", template: "blog-posts.tmpl", store: () => new BlogPostsPage() }');
    expect(readFileSync(join(app, "migrations/001_create_blog_posts.sql"), "utf8")).toContain("views INTEGER");
    expect(existsSync(join(app, "test/blog-posts.test.ts"))).toBe(true);
    expect(JSON.parse(readFileSync(join(app, "package.json"), "utf8")).dependencies["better-sqlite3"]).toMatch(/^\^12\./);
    expect(await main(["check"], app)).toBe(0);
    // A second resource of the same name would overwrite files: refused.
    expect(await main(["gen", "resource", "blog-post", "title:string"], app)).toBe(2);
    expect(err.join("\n")).toMatch(/already exists/);
  });

  it("turns a path or tarball into an absolute file: dependency", () => {
    writeFileSync(join(dir, "lt.tgz"), "");
    expect(dependencySpec("./lt.tgz", dir)).toBe(`file:${join(dir, "lt.tgz")}`);
    expect(dependencySpec("github:livetemplate/livetemplate-node", dir)).toBe("github:livetemplate/livetemplate-node");
    expect(dependencySpec(undefined, dir)).toMatch(/^\^\d+\.\d+\.\d+/);
  });
});

describe("names and fields", () => {
  it.each([
    ["post", "posts", "Post", "posts"],
    ["BlogPost", "blog-posts", "BlogPost", "blog_posts"],
    ["categories", "categories", "Category", "categories"],
    ["box", "boxes", "Box", "boxes"],
  ])("spells %s as files %s, class %s, table %s", (name, kebabPlural, pascal, table) => {
    expect(names(name, "resource")).toMatchObject({ kebabPlural, pascal, table });
  });

  it.each([
    ["title:string:required:unique", { name: "title", type: "string", required: true, unique: true }],
    ["due_date:date", { name: "dueDate", column: "due_date", label: "due date", type: "date" }],
    ["views:int", { name: "views", column: "views" }],
    ["body", { type: "string", required: false }],
  ])("parses %s", (arg, expected) => {
    expect(parseField(arg)).toMatchObject(expected);
  });

  it.each([
    ["title:varchar", /unknown type "varchar" \(types: string, text, int, float, bool, date\)/],
    ["title:string:indexed", /unknown modifier "indexed"/],
    ["id:int", /reserved/],
    ["order:int", /"order" is an SQL keyword, which the generated SQL cannot use as a column: choose another name/],
    ["done:bool:required", /a bool field cannot be required/],
  ])("rejects %s", (arg, message) => {
    expect(() => parseField(arg)).toThrow(message);
  });
});
