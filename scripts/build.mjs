// Builds dist/: the library (tsc), the browser client (esbuild: ESM + minified IIFE) and the
// examples (tsc, with their non-TypeScript files copied beside them).
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const tsc = join(root, "node_modules/typescript/bin/tsc");
const run = (args) => execFileSync(process.execPath, args, { cwd: root, stdio: "inherit" });

rmSync(join(root, "dist"), { recursive: true, force: true });
// Compiled JavaScript beside the sources would shadow them in tests (Vite resolves `./x.js` to a
// real x.js before x.ts): remove any that a stray compiler run left there.
const removeStrayJs = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) removeStrayJs(p);
    else if (/\.js(\.map)?$/.test(name) && existsSync(p.replace(/\.js(\.map)?$/, ".ts"))) rmSync(p);
  }
};
removeStrayJs(join(root, "src"));
run([tsc, "-p", "tsconfig.build.json"]);

const clientEntry = join(root, "src/client/index.ts");
if (existsSync(clientEntry)) {
  const esbuild = await import("esbuild");
  const common = { entryPoints: [clientEntry], bundle: true, target: "es2020", legalComments: "none", define: { DEV_MODE: "false" } };
  mkdirSync(join(root, "dist/client"), { recursive: true });
  await esbuild.build({ ...common, format: "esm", outfile: join(root, "dist/client/livetemplate.esm.js") });
  await esbuild.build({ ...common, format: "iife", minify: true, outfile: join(root, "dist/client/livetemplate.min.js") });
  // The dev-mode error overlay, a script of its own that only dev-mode pages load.
  await esbuild.build({ ...common, entryPoints: [join(root, "src/client/dev-overlay.ts")], format: "iife", minify: true, outfile: join(root, "dist/client/livetemplate.dev.js") });
  // On-demand parts of the client (src/client/chunks.ts): every src/client/<name>/chunk.ts becomes
  // dist/client/livetemplate.chunk-<name>.js.
  for (const name of readdirSync(join(root, "src/client"))) {
    const entry = join(root, "src/client", name, "chunk.ts");
    if (!existsSync(entry)) continue;
    await esbuild.build({ ...common, entryPoints: [entry], format: "iife", minify: true, outfile: join(root, `dist/client/livetemplate.chunk-${name}.js`) });
  }
  // Declarations of the ES module build (`livetemplate/client` types): dist/client/types/client/index.d.ts.
  run([tsc, "-p", "src/client/tsconfig.json", "--noEmit", "false", "--emitDeclarationOnly", "--sourceMap", "false", "--rootDir", "src", "--outDir", "dist/client/types"]);
}

const hasTs = (dir) =>
  existsSync(dir) &&
  readdirSync(dir).some((n) => (statSync(join(dir, n)).isDirectory() ? hasTs(join(dir, n)) : n.endsWith(".ts")));
if (hasTs(join(root, "examples"))) {
  run([tsc, "-p", "tsconfig.examples.json"]);
  // Templates, CSS and other assets of the examples go beside the compiled JavaScript.
  const copyAssets = (dir) => {
    for (const name of readdirSync(join(root, dir))) {
      const rel = join(dir, name);
      if (statSync(join(root, rel)).isDirectory()) copyAssets(rel);
      else if (!name.endsWith(".ts")) cpSync(join(root, rel), join(root, "dist", rel));
    }
  };
  copyAssets("examples");
}
