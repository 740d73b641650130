/**
 * `lvt gen page NAME` and `lvt gen resource NAME field:type...`: write a page's files into the
 * project and add its route to src/routes.ts.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { UsageError, flag, parseArgs } from "./args.js";
import { names } from "./names.js";
import { FIELD_MODIFIERS, FIELD_TYPES, parseField } from "./generate/fields.js";
import { IMPORTS_MARKER, ROUTES_MARKER } from "./generate/project-files.js";
import { pageFiles } from "./generate/page-files.js";
import { createTableMigration, dataModule, DB_MODULE, type Storage } from "./generate/resource-data.js";
import { pageStore, pageTemplate, pageTest } from "./generate/resource-page.js";

export const GEN_USAGE = `Usage: lvt gen page NAME
       lvt gen resource NAME FIELD:TYPE[:MODIFIER...]... [--db memory|sqlite]

page      a live page: src/pages/NAME.ts (its store), NAME.tmpl, test/NAME.test.ts, a route /NAME
resource  a CRUD page on /PLURAL: a list (keyed table, search and pagination by query), a form
          to create with validation errors, edit in place, delete with a confirmation; its data
          module src/data/PLURAL.ts and a test

Field types: ${FIELD_TYPES.join(", ")}; modifiers: ${FIELD_MODIFIERS.join(", ")}
  e.g. lvt gen resource post title:string:required body:text views:int published:bool

Options:
  --db memory|sqlite  where a resource is kept (default memory). sqlite adds better-sqlite3 to
                      package.json (run npm install after), src/db.ts and migrations/*.sql
  -h, --help          show this help

Run it in the project's root (where package.json and src/routes.ts are).`;

/** Runs `lvt gen`; returns the exit code. */
export function runGen(argv: readonly string[], cwd: string, out: (line: string) => void): number {
  const args = parseArgs(argv, ["db"]);
  const [kind, name, ...rest] = args.positionals;
  if (args.flags["help"] || kind === undefined) {
    out(GEN_USAGE);
    return kind === undefined && !args.flags["help"] ? 2 : 0;
  }
  if (kind !== "page" && kind !== "resource") throw new UsageError(`unknown generator "${kind}": use "page" or "resource"`);
  if (name === undefined) throw new UsageError(`lvt gen ${kind} needs a name, e.g. lvt gen ${kind} ${kind === "page" ? "about" : "post title:string"}`);
  const routesFile = join(cwd, "src/routes.ts");
  if (!existsSync(routesFile)) throw new UsageError(`no src/routes.ts in ${cwd}: run lvt gen in a project made by lvt new`);
  const storage = flag(args, "db") ?? "memory";
  if (storage !== "memory" && storage !== "sqlite") throw new UsageError(`--db ${storage}: use memory or sqlite`);

  const written: string[] = [];
  const write = (rel: string, text: string): void => {
    const path = join(cwd, rel);
    if (existsSync(path)) throw new UsageError(`${rel} already exists: remove it or choose another name`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    written.push(rel);
  };

  if (kind === "page") {
    if (rest.length > 0) throw new UsageError(`lvt gen page takes only a name (fields are for lvt gen resource)`);
    const n = names(name, "page");
    const files = pageFiles(n);
    for (const rel of Object.keys(files)) checkFree(cwd, rel);
    for (const [rel, text] of Object.entries(files)) write(rel, text);
    addRoute(routesFile, `/${n.kebab}`, `${n.kebab}.tmpl`, n.pascal + "Page", `./pages/${n.kebab}.js`);
    out(`Added the page /${n.kebab}:\n${written.map((f) => `  ${f}`).join("\n")}\n  src/routes.ts (route)`);
    return 0;
  }

  if (rest.length === 0) throw new UsageError(`lvt gen resource ${name} needs fields, e.g. title:string:required`);
  const n = names(name, "resource");
  const fields = rest.map(parseField);
  const dup = fields.find((f, i) => fields.findIndex((g) => g.name === f.name) !== i);
  if (dup) throw new UsageError(`field "${dup.name}" is given twice`);
  const files: Record<string, string> = {
    [`src/data/${n.kebabPlural}.ts`]: dataModule(n, fields, storage as Storage),
    [`src/pages/${n.kebabPlural}.ts`]: pageStore(n),
    [`src/pages/${n.kebabPlural}.tmpl`]: pageTemplate(n, fields),
    [`test/${n.kebabPlural}.test.ts`]: pageTest(n, fields, storage as Storage),
  };
  if (storage === "sqlite") {
    const migrations = join(cwd, "migrations");
    const count = existsSync(migrations) ? readdirSync(migrations).filter((f) => f.endsWith(".sql")).length : 0;
    files[`migrations/${String(count + 1).padStart(3, "0")}_create_${n.table}.sql`] = createTableMigration(n, fields);
  }
  for (const rel of Object.keys(files)) checkFree(cwd, rel);
  for (const [rel, text] of Object.entries(files)) write(rel, text);
  if (storage === "sqlite") {
    if (!existsSync(join(cwd, "src/db.ts"))) write("src/db.ts", DB_MODULE);
    addDependencies(join(cwd, "package.json"), { "better-sqlite3": "^12.4.1" }, { "@types/better-sqlite3": "^7.6.13" });
  }
  addRoute(routesFile, `/${n.kebabPlural}`, `${n.kebabPlural}.tmpl`, n.pascalPlural + "Page", `./pages/${n.kebabPlural}.js`);
  out(
    `Added the resource /${n.kebabPlural}:\n${written.map((f) => `  ${f}`).join("\n")}\n  src/routes.ts (route)` +
      (storage === "sqlite" ? "\n  package.json (better-sqlite3): run npm install" : ""),
  );
  return 0;
}

function checkFree(cwd: string, rel: string): void {
  if (existsSync(join(cwd, rel))) throw new UsageError(`${rel} already exists: remove it or choose another name`);
}

/** Inserts the page's import and route at the markers `lvt new` put in src/routes.ts. */
function addRoute(file: string, path: string, template: string, cls: string, module: string): void {
  let text = readFileSync(file, "utf8");
  if (!text.includes(IMPORTS_MARKER) || !text.includes(ROUTES_MARKER)) {
    throw new UsageError(
      `src/routes.ts has lost its "${IMPORTS_MARKER}" or "${ROUTES_MARKER.trim()}" line; add the route yourself:\n` +
        `  import { ${cls} } from "${module}";\n  { path: "${path}", template: "${template}", store: () => new ${cls}() },`,
    );
  }
  text = text.replace(IMPORTS_MARKER, `import { ${cls} } from "${module}";\n${IMPORTS_MARKER}`);
  text = text.replace(ROUTES_MARKER, `  { path: "${path}", template: "${template}", store: () => new ${cls}() },\n${ROUTES_MARKER}`);
  writeFileSync(file, text);
}

function addDependencies(file: string, deps: Record<string, string>, devDeps: Record<string, string>): void {
  const pkg = JSON.parse(readFileSync(file, "utf8")) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  pkg.dependencies = { ...pkg.dependencies, ...deps };
  pkg.devDependencies = { ...pkg.devDependencies, ...devDeps };
  writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
}
