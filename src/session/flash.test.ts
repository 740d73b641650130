import { describe, expect, it } from "vitest";
import { FlashBook } from "./flash.js";

describe("FlashBook", () => {
  it.each([
    // [carry, page changes, shown after each change]
    [false, [false, false]],
    [true, [true, false]],
  ] as const)("with carry %s is shown on the pages %j", (carry, shown) => {
    const book = new FlashBook();
    book.set("g", "info", "Saved");
    book.settle("g", carry);
    expect(book.view("g")).toEqual({ info: "Saved" });
    for (const want of shown) {
      book.pageChange("g");
      expect(book.view("g")).toEqual(want ? { info: "Saved" } : {});
    }
  });

  it("keeps a message set in the run that changes page (a patch) until the run settles", () => {
    const book = new FlashBook();
    book.set("g", "info", "Page 2");
    expect(book.pageChange("g", true)).toBe(false);
    book.settle("g", false);
    expect(book.view("g")).toEqual({ info: "Page 2" });
    expect(book.pageChange("g")).toBe(true);
    expect(book.view("g")).toEqual({});
  });

  it("drops a message its run never settled at the next page change", () => {
    const book = new FlashBook();
    book.set("g", "error", "Failed");
    book.pageChange("g");
    expect(book.view("g")).toEqual({});
  });

  it("keeps groups apart, follows a rotation and returns one view object until a change", () => {
    const book = new FlashBook();
    book.set("a", "info", "A");
    book.set("b", "info", "B");
    expect(book.view("a")).toBe(book.view("a"));
    book.rename("a", "a2");
    expect(book.view("a")).toEqual({});
    expect(book.view("a2")).toEqual({ info: "A" });
    expect(book.view("b")).toEqual({ info: "B" });
  });
});
