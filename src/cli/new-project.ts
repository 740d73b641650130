/**
 * `lvt new NAME`: writes a ready project into ./NAME.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { UsageError, flag, parseArgs } from "./args.js";
import { projectFiles } from "./generate/project-files.js";
import { packageVersion } from "./version.js";

export const NEW_USAGE = `Usage: lvt new NAME [--livetemplate SPEC]

Creates the directory NAME with a TypeScript app: one live page, a test, and a README.

Options:
  --livetemplate SPEC  what the project depends on for livetemplate: a version range (default:
                       this CLI's version, ^VERSION), a path to a checkout or an \`npm pack\`
                       tarball (.tgz), or a git URL
  -h, --help           show this help

Then:
  cd NAME && npm install && npm run dev`;

/**
 * Turns a `--livetemplate` value into a package.json dependency: paths (and tarballs) become
 * absolute `file:` specs, since the project is not where the command ran.
 */
export function dependencySpec(spec: string | undefined, cwd: string): string {
  if (spec === undefined) return `^${packageVersion()}`;
  if (spec.startsWith("file:")) {
    const path = spec.slice("file:".length);
    return isAbsolute(path) ? spec : `file:${resolve(cwd, path)}`;
  }
  const looksLikePath = spec.startsWith(".") || spec.startsWith("/") || spec.endsWith(".tgz") || spec.endsWith(".tar.gz");
  if (looksLikePath) {
    const path = resolve(cwd, spec);
    if (!existsSync(path)) throw new UsageError(`--livetemplate ${spec}: no such file or directory (${path})`);
    return `file:${path}`;
  }
  return spec;
}

/** Runs `lvt new`; returns the exit code. */
export function runNew(argv: readonly string[], cwd: string, out: (line: string) => void): number {
  const args = parseArgs(argv, ["livetemplate"]);
  if (args.flags["help"]) {
    out(NEW_USAGE);
    return 0;
  }
  const [name, ...rest] = args.positionals;
  if (name === undefined) throw new UsageError("lvt new needs the project's name, e.g. `lvt new my-app`");
  if (rest.length > 0) throw new UsageError(`lvt new takes one name, got also: ${rest.join(" ")}`);
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) {
    throw new UsageError(`"${name}" is not a valid npm package name: use lower-case letters, digits, "-", "." and "_"`);
  }
  const root = join(cwd, name);
  if (existsSync(root) && readdirSync(root).length > 0) {
    throw new UsageError(`${root} already exists and is not empty: choose another name or remove it`);
  }
  const files = projectFiles({ name, livetemplate: dependencySpec(flag(args, "livetemplate"), cwd) });
  for (const [rel, text] of Object.entries(files)) {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  out(`Created ${name}/ (${Object.keys(files).length} files). Next:\n\n  cd ${name}\n  npm install && npm run dev\n  npm test`);
  return 0;
}
