// Type-checks the TypeScript snippets of docs/*.md and README.md: every ```ts block that imports
// from "livetemplate" (or a subpath) is a complete module and must compile against the sources,
// under the project's strict settings. A block without such an import is a fragment of the page
// around it and is not checked; a snippet names what the page around it provides with `declare`
// lines. Run after `npm run build` (the client's declarations are built). Writes the blocks to .doc-snippets/ (removed afterwards), runs
// tsc once, prints each error with the file and line of the Markdown, exits 1 on any error.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const out = join(root, ".doc-snippets");
rmSync(out, { recursive: true, force: true });
mkdirSync(out);
const sources = [...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`), "README.md"];
const origin = new Map();
let n = 0;
for (const file of sources) {
  const text = readFileSync(join(root, file), "utf8");
  for (const m of text.matchAll(/```ts\n([\s\S]*?)```/g)) {
    const body = m[1];
    if (!/from "livetemplate(\/[a-z]+)?"/.test(body)) continue;
    const line = text.slice(0, m.index).split("\n").length + 1;
    const name = `${/from "livetemplate\/client"/.test(body) ? "browser" : "server"}-${++n}.ts`;
    origin.set(name, { file, line });
    writeFileSync(join(out, name), body + "\nexport {};\n");
  }
}
// Browser snippets (`livetemplate/client`, typed by the build's dist/client/types) compile with
// the DOM library and nothing of Node; the others as server code, like the sources. A snippet
// may declare what it does not use (it shows one step of a program), so unused names pass.
const snippetRules = { noUnusedLocals: false, noUnusedParameters: false };
const projects = {
  server: { extends: "../tsconfig.json", compilerOptions: { noEmit: true, rootDir: "..", ...snippetRules }, include: ["./server-*.ts"] },
  browser: {
    extends: "../tsconfig.base.json",
    compilerOptions: { noEmit: true, lib: ["ES2022", "DOM", "DOM.Iterable"], types: [], ...snippetRules },
    include: ["./browser-*.ts"],
  },
};
let failed = false;
for (const [kind, config] of Object.entries(projects)) {
  if (![...origin.keys()].some((name) => name.startsWith(kind))) continue;
  writeFileSync(join(out, `tsconfig.${kind}.json`), JSON.stringify(config));
  try {
    execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(out, `tsconfig.${kind}.json`)], { cwd: root, encoding: "utf8" });
  } catch (err) {
    failed = true;
    const text = String(err.stdout ?? "") + String(err.stderr ?? "");
    console.error(
      text.replace(/\.doc-snippets\/((?:server|browser)-\d+\.ts)\((\d+),(\d+)\)/g, (_, name, l) => {
        const o = origin.get(name);
        return `${o.file}:${o.line + Number(l) - 1}`;
      }),
    );
  }
}
rmSync(out, { recursive: true, force: true });
console.log(`check-doc-snippets: ${n} snippets${failed ? ", errors above" : " compile"}`);
process.exit(failed ? 1 : 0);
