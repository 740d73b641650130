import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ActionData } from "./action-context.js";
import { errorsFromThrown, MultiError, ValidationError } from "./action-errors.js";

const data = new ActionData({ s: "hi", n: 42.7, ns: " 12 ", b: true, on: "on", off: "false", zero: 0, obj: { a: 1 } });

describe("ActionData", () => {
  it.each([
    ["getString of a string", () => data.getString("s"), "hi"],
    ["getString of a number", () => data.getString("n"), "42.7"],
    ["getString of an object", () => data.getString("obj"), ""],
    ["getString of a missing key", () => data.getString("nope"), ""],
    ["getInt of a float", () => data.getInt("n"), 42],
    ["getInt of a numeric string", () => data.getInt("ns"), 12],
    ["getInt of a word", () => data.getInt("s"), 0],
    ["getFloat of a number", () => data.getFloat("n"), 42.7],
    ["getBool of true", () => data.getBool("b"), true],
    ["getBool of a checked checkbox", () => data.getBool("on"), true],
    ["getBool of \"false\"", () => data.getBool("off"), false],
    ["getBool of 0", () => data.getBool("zero"), false],
    ["has of a present key", () => data.has("zero"), true],
    ["has of a missing key", () => data.has("nope"), false],
    ["has of an inherited name", () => data.has("toString"), false],
  ])("%s", (_, get, want) => {
    expect(get()).toEqual(want);
  });

  it("binds a copy that does not alias the data", () => {
    const bound = data.bind<{ obj: { a: number } }>();
    bound.obj.a = 9;
    expect((data.get("obj") as { a: number }).a).toBe(1);
  });

  it("returns parsed output when a Standard Schema validator accepts the data", async () => {
    const out = await new ActionData({ title: "Milk", qty: "2" }).bindAndValidate(
      z.object({ title: z.string().min(1), qty: z.coerce.number() }),
    );
    expect(out).toEqual({ title: "Milk", qty: 2 });
  });

  it("throws a MultiError with field names when validation fails", async () => {
    const schema = z.object({ title: z.string().min(1, "title is required"), email: z.string().email("bad email") });
    const err = await new ActionData({ title: "", email: "x" }).bindAndValidate(schema).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MultiError);
    expect(errorsFromThrown(err, false).errors).toEqual({ title: "title is required", email: "bad email" });
  });
});

describe("errorsFromThrown", () => {
  it.each([
    ["a field error", new ValidationError("title", "required"), false, { title: "required" }, false],
    ["an error without field", new ValidationError("", "nope"), false, { _general: "nope" }, false],
    ["an unexpected error in production", new Error("db down"), false, { _general: "internal error" }, true],
    ["an unexpected error in dev mode", new Error("db down"), true, { _general: "internal error: db down" }, true],
  ])("maps %s", (_, thrown, dev, errors, unexpected) => {
    expect(errorsFromThrown(thrown, dev)).toEqual({ errors, unexpected });
  });
});
