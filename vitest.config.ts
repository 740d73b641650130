import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const json = process.env["LT_VITEST_JSON"];

export default defineConfig({
  resolve: {
    // Examples import the public package name; in tests it resolves to the sources.
    alias: [
      { find: /^livetemplate$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
      { find: /^livetemplate\/adapter$/, replacement: fileURLToPath(new URL("./src/adapter.ts", import.meta.url)) },
      { find: /^livetemplate\/testing$/, replacement: fileURLToPath(new URL("./src/testing/index.ts", import.meta.url)) },
      { find: /^livetemplate\/redis$/, replacement: fileURLToPath(new URL("./src/adapters/redis/index.ts", import.meta.url)) },
    ],
  },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "examples/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: json ? ["default", ["json", { outputFile: json }]] : ["default"],
  },
});
