import { afterEach, describe, expect, it } from "vitest";
import { resolveOptions } from "./options.js";

const saved = process.env["NODE_ENV"];
afterEach(() => {
  if (saved === undefined) delete process.env["NODE_ENV"];
  else process.env["NODE_ENV"] = saved;
});

describe("dev mode default", () => {
  it.each([
    ["development", undefined, true],
    ["production", undefined, false],
    [undefined, undefined, false],
    ["test", undefined, false],
    ["development", false, false],
    ["production", true, true],
  ] as const)("NODE_ENV=%s with dev: %s gives dev %s", (env, dev, want) => {
    if (env === undefined) delete process.env["NODE_ENV"];
    else process.env["NODE_ENV"] = env;
    expect(resolveOptions(dev === undefined ? {} : { dev }).dev).toBe(want);
  });
});
