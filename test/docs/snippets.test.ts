/**
 * The TypeScript snippets of docs/ and README.md compile (scripts/check-doc-snippets.mjs): a
 * renamed option or a changed signature breaks the docs' build as it breaks the sources'.
 * Needs the build's client declarations (`npm test` builds first).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../..", import.meta.url).pathname;

describe("docs snippets", () => {
  it("compile under the project's strict settings", () => {
    expect(existsSync(`${root}dist/client/types/client/index.d.ts`), "run npm run build first").toBe(true);
    let out = "";
    try {
      out = execFileSync(process.execPath, [`${root}scripts/check-doc-snippets.mjs`], { cwd: root, encoding: "utf8", stdio: "pipe" });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      expect.fail(`${e.stderr ?? ""}${e.stdout ?? ""}`);
    }
    expect(out).toMatch(/\d+ snippets compile/);
  }, 120_000);
});
