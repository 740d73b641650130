import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, LiveTemplateError } from "./errors.js";

describe("error registry", () => {
  const doc = readFileSync(new URL("../docs/errors.md", import.meta.url), "utf8");
  it.each(Object.keys(ERROR_CODES))("documents %s in docs/errors.md", (code) => {
    expect(doc).toContain("`" + code + "`");
  });
  it("gives every error a code and the subclass name", () => {
    class ParseError extends LiveTemplateError {}
    const e = new ParseError("LT_ERR_TEMPLATE_PARSE", "template: x:1:2: bad");
    expect(e.code).toBe("LT_ERR_TEMPLATE_PARSE");
    expect(e.name).toBe("ParseError");
    expect(e).toBeInstanceOf(Error);
  });
});
