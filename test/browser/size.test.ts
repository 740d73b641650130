/**
 * The client's size budget: the minified IIFE must stay under 12 KB gzipped (zlib, default level).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { clientBundle } from "./harness.js";

const BUDGET = 12 * 1024;
const dist = fileURLToPath(new URL("../../dist/client/livetemplate.min.js", import.meta.url));

describe("client size", () => {
  it("keeps the minified bundle built from the sources under 12 KB gzipped", async () => {
    const size = gzipSync(Buffer.from(await clientBundle())).length;
    console.log(`client bundle: ${size} bytes min+gzip (budget ${BUDGET})`);
    expect(size).toBeGreaterThan(1000);
    expect(size).toBeLessThanOrEqual(BUDGET);
  });

  it.skipIf(!existsSync(dist))("keeps dist/client/livetemplate.min.js under 12 KB gzipped (skipped before a build)", () => {
    expect(gzipSync(readFileSync(dist)).length).toBeLessThanOrEqual(BUDGET);
  });
});
