import { describe, expect, it } from "vitest";
import { decodeStores, encodeStores, SessionEncodeError } from "./codec.js";

class Todo {
  constructor(
    public title = "",
    public done = false,
  ) {}
  toggle(): void {
    this.done = !this.done;
  }
}

class Board {
  Title = "board";
  Items: Todo[] = [];
  Tags = new Set<string>();
  Owners = new Map<string, number>();
  Created = new Date(0);
  Note: string | undefined = "default";
  Score = 0;
  add(t: string): void {
    this.Items.push(new Todo(t));
  }
}

function roundTrip(store: object, fresh: object, classes = {}): Record<string, unknown> {
  const text = encodeStores({ "": store }, classes);
  const out = decodeStores(text, { "": fresh }, classes)[""];
  return out as Record<string, unknown>;
}

describe("session state codec", () => {
  it("revives a store on the fresh instance, keeping its prototype and methods", () => {
    const b = new Board();
    b.Title = "saved";
    const fresh = new Board();
    const out = roundTrip(b, fresh);
    expect(out).toBe(fresh);
    expect(out).toBeInstanceOf(Board);
    expect(out["Title"]).toBe("saved");
  });

  it.each<[string, (b: Board) => void, (o: Board) => void]>([
    ["keeps Dates", (b) => (b.Created = new Date("2024-05-06T07:08:09.010Z")), (o) => expect(o.Created.toISOString()).toBe("2024-05-06T07:08:09.010Z")],
    ["keeps Sets", (b) => (b.Tags = new Set(["a", "b"])), (o) => expect([...o.Tags]).toEqual(["a", "b"])],
    ["keeps Maps with their key order", (b) => (b.Owners = new Map([["z", 1], ["a", 2]])), (o) => expect([...o.Owners]).toEqual([["z", 1], ["a", 2]])],
    ["keeps a field set to undefined instead of restoring the default", (b) => (b.Note = undefined), (o) => expect(o.Note).toBeUndefined()],
    ["keeps non-finite numbers", (b) => (b.Score = -Infinity), (o) => expect(o.Score).toBe(-Infinity)],
    ["keeps NaN", (b) => (b.Score = Number.NaN), (o) => expect(o.Score).toBeNaN()],
    ["keeps an invalid Date invalid", (b) => (b.Created = new Date(Number.NaN)), (o) => expect(o.Created.getTime()).toBeNaN()],
  ])("%s", (_, set, check) => {
    const b = new Board();
    set(b);
    check(roundTrip(b, new Board()) as unknown as Board);
  });

  it("revives nested instances of registered classes with their prototype", () => {
    const b = new Board();
    b.add("write docs");
    const out = roundTrip(b, new Board(), { Todo }) as unknown as Board;
    expect(out.Items[0]).toBeInstanceOf(Todo);
    out.Items[0]!.toggle();
    expect(out.Items[0]!.done).toBe(true);
  });

  it("does not mistake a plain object with a $lt key for a tag", () => {
    const s = { data: { $lt: "D", v: "x" } };
    expect(roundTrip(s, {})).toEqual(s);
  });

  it("keeps fields the saved state lacks at the fresh instance's values", () => {
    const text = JSON.stringify({ "": { Title: "old" } });
    const out = decodeStores(text, { "": new Board() })[""] as Board;
    expect(out.Title).toBe("old");
    expect(out.Score).toBe(0);
  });

  it("saves what toJSON returns when a store defines it", () => {
    const s = { Name: "ann", room: { notify: () => {} }, toJSON: () => ({ Name: "ann" }) };
    expect(JSON.parse(encodeStores({ "": s }))).toEqual({ "": { Name: "ann" } });
  });

  it.each<[string, () => object, RegExp]>([
    ["a function field", () => ({ cb: () => 1 }), /field cb is a function/],
    ["a cycle", () => { const o: Record<string, unknown> = { a: { } }; (o["a"] as Record<string, unknown>)["back"] = o; return o; }, /field a\.back refers back/],
    ["an unregistered class instance", () => ({ items: [new Todo("x")] }), /field items\[0\] is an instance of Todo, which is not registered/],
    ["a RegExp", () => ({ re: /x/ }), /field re is an instance of RegExp/],
    ["a symbol", () => ({ s: Symbol("x") }), /field s is a symbol/],
  ])("refuses to save %s, naming the field", (_, make, message) => {
    let thrown: unknown;
    try {
      encodeStores({ "": make() });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(SessionEncodeError);
    expect((thrown as SessionEncodeError).code).toBe("LT_ERR_SESSION_ENCODE");
    expect((thrown as Error).message).toMatch(message);
  });

  it("saves shared references as separate copies", () => {
    const shared = { n: 1 };
    const out = roundTrip({ a: shared, b: shared }, {}) as { a: { n: number }; b: { n: number } };
    expect(out.a).toEqual({ n: 1 });
    expect(out.a).not.toBe(out.b);
  });
});
