/**
 * `lvt check [DIR]`: parses and escapes every `.tmpl`/`.html` template under DIR the way the app
 * will, and reports each error as `file:line:col: message`. Exit code 1 when there is one.
 *
 * The templates of one directory are checked as one set (pages call the partials that
 * `layout.tmpl` defines), each file named after its base name as `parseFiles` names it.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { HtmlTemplate } from "../template/template.js";
import { UsageError, parseArgs } from "./args.js";
import { formatWithSource, locate, type Located } from "./template-errors.js";

export const CHECK_USAGE = `Usage: lvt check [DIR]

Parses and escapes every template (*.tmpl, *.gohtml) under DIR (default: src, else the current
directory) and prints each error as file:line:col: message. Exits with 1 when a template has an
error, so CI can run it.

Options:
  -h, --help  show this help`;

const TEMPLATE_FILE = /\.(tmpl|gohtml)$/;
const SKIP_DIR = new Set(["node_modules", "dist", "coverage"]);

/** Every template file under `dir`, sorted. */
export function templateFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        if (!SKIP_DIR.has(name) && !name.startsWith(".")) walk(p);
      } else if (TEMPLATE_FILE.test(name)) found.push(p);
    }
  };
  walk(dir);
  return found;
}

/** Checks the templates of one directory; returns their errors. */
export function checkDirectory(files: readonly string[]): Located[] {
  const errors: Located[] = [];
  const byName = new Map(files.map((f) => [basename(f), f]));
  const parsed: string[] = [];
  for (const file of files) {
    try {
      new HtmlTemplate(basename(file)).parse(readFileSync(file, "utf8"));
      parsed.push(file);
    } catch (err) {
      errors.push(locate(err, byName, file));
    }
  }
  if (parsed.length === 0) return errors;
  // One set per file: a file's escaping error must not hide another's, and escaping the set
  // once fixes it for good.
  for (const file of parsed) {
    const name = basename(file);
    try {
      const set = new HtmlTemplate(name).parseFiles(file, ...parsed.filter((f) => f !== file));
      if (isOnlyDefinitions(readFileSync(file, "utf8"))) continue;
      set.prepare();
    } catch (err) {
      errors.push(locate(err, byName, file));
    }
  }
  return errors;
}

/** A file of `{{define}}`s and whitespace only (a layout of partials) is not a page to execute. */
function isOnlyDefinitions(text: string): boolean {
  return text.replace(/\{\{-?\s*define\b[\s\S]*?\{\{-?\s*end\s*-?\}\}/g, "").trim() === "";
}

/** Runs `lvt check`; returns the exit code. */
export function runCheck(argv: readonly string[], cwd: string, out: (line: string) => void): number {
  const args = parseArgs(argv, []);
  if (args.flags["help"]) {
    out(CHECK_USAGE);
    return 0;
  }
  if (args.positionals.length > 1) throw new UsageError("lvt check takes at most one directory");
  const given = args.positionals[0];
  const dir = resolve(cwd, given ?? (isDir(join(cwd, "src")) ? "src" : "."));
  if (!isDir(dir)) throw new UsageError(`${given ?? dir}: not a directory`);
  const files = templateFiles(dir);
  const byDir = new Map<string, string[]>();
  for (const f of files) byDir.set(dirname(f), [...(byDir.get(dirname(f)) ?? []), f]);
  const errors = [...byDir.values()].flatMap((group) => checkDirectory(group));
  for (const e of errors) console.error(formatWithSource({ ...e, file: relative(cwd, e.file) || e.file }) + "\n");
  const shown = relative(cwd, dir) || ".";
  if (errors.length === 0) {
    out(`${files.length} template${files.length === 1 ? "" : "s"} in ${shown}: ok`);
    return 0;
  }
  out(`${errors.length} error${errors.length === 1 ? "" : "s"} in ${files.length} template${files.length === 1 ? "" : "s"} under ${shown}`);
  return 1;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
