import { describe, expect, it } from "vitest";
import { HtmlTemplate } from "../template/template.js";
import type { ChangeEntry } from "../changes/path.js";
import { OracleClient } from "../../test/tree/oracle.js";
import { LiveView, type LiveSource } from "./index.js";

// Direct tests of the tree's entry point: one LiveView per client, updates checked exactly and,
// for every step, applied by the published client's TreeRenderer against a plain render.

type Funcs = Record<string, (...args: never[]) => unknown>;

/** Set while a session renders its plain reference, so that counting functions ignore it. */
let plainRendering = false;

/** A client session over one template: each step's update is checked through the oracle. */
class Session {
  readonly source: LiveSource;
  readonly view = new LiveView();
  private readonly plain: HtmlTemplate;
  private client = new OracleClient();

  constructor(src: string, funcs: Funcs = {}) {
    this.plain = new HtmlTemplate("t").funcs(funcs).parse(src);
    this.source = this.plain.prepare();
  }

  /** The update for `data`; the oracle applying it must print a plain render of `data`. */
  step(data: unknown, changed?: ChangeEntry[]): unknown {
    const before = this.view.holdsTree;
    const update = this.view.update(this.source, data, changed);
    if (!before) this.client = new OracleClient();
    plainRendering = true;
    try {
      expect(this.client.apply(update)).toBe(this.plain.execute(data));
    } finally {
      plainRendering = false;
    }
    return JSON.parse(JSON.stringify(update));
  }
}

const LIST = '<ul>{{range .L}}<li data-key="{{.ID}}">{{.N}}</li>{{end}}</ul>';
const rows = (...ids: number[]): { L: { ID: number; N: string }[] } => ({ L: ids.map((id) => ({ ID: id, N: `n${id}` })) });
const ITEM_STATICS = ['<li data-key="', '">', "</li>"];

/** A template function that counts its calls. */
const counter = (): { calls: number; funcs: Funcs } => {
  const c = { calls: 0, funcs: {} as Funcs };
  c.funcs = {
    seen: (x: never) => {
      if (!plainRendering) c.calls++;
      return x;
    },
  };
  return c;
};

describe("statics", () => {
  it("sends every static with the first tree", () => {
    const s = new Session("<p>{{.A}}</p>{{if .B}}<b>{{.A}}</b>{{end}}");
    expect(s.step({ A: "x", B: true })).toEqual({ s: ["<p>", "</p>", ""], 0: "x", 1: { s: ["<b>", "</b>"], 0: "x" } });
  });

  it("leaves out statics the client holds", () => {
    const s = new Session("<p>{{.A}}</p>{{if .B}}<b>{{.A}}</b>{{end}}");
    s.step({ A: "x", B: true });
    expect(s.step({ A: "y", B: true })).toEqual({ 0: "y", 1: { 0: "y" } });
  });

  it("sends {} when nothing changed", () => {
    const s = new Session(LIST);
    s.step(rows(1, 2));
    expect(s.step(rows(1, 2))).toEqual({});
    expect(s.step(rows(1, 2), [])).toEqual({});
    expect(s.step(rows(1, 2), [["L"]])).toEqual({});
  });

  it.each([
    ["a branch flip", "{{if .A}}<b>{{.X}}</b>{{else}}<i>{{.X}}</i>{{end}}", { A: true, X: 1 }, { A: false, X: 1 }, { 0: { s: ["<i>", "</i>"], 0: 1 } }],
    ["a newly taken with", "{{with .W}}<u>{{.}}</u>{{end}}", { W: "" }, { W: "w" }, { 0: { s: ["<u>", "</u>"], 0: "w" } }],
    ["a branch that takes nothing", "{{if .A}}<b>{{.X}}</b>{{end}}", { A: true, X: 1 }, { A: false, X: 1 }, { 0: "" }],
    ["a different invoked template", '{{define "a"}}<a>{{.}}</a>{{end}}{{define "b"}}<b>{{.}}</b>{{end}}{{if .A}}{{template "a" .X}}{{else}}{{template "b" .X}}{{end}}', { A: true, X: 1 }, { A: false, X: 1 }, { 0: { s: ["", ""], 0: { s: ["<b>", "</b>"], 0: 1 } } }],
  ])("resends statics on %s", (_name, src, first, second, update) => {
    const s = new Session(src);
    s.step(first);
    expect(s.step(second)).toEqual(update);
  });

  it.each([
    ["an integer as a number", "{{.}}", 42, 42],
    ["a negative integer as a number", "{{.}}", -7, -7],
    ["text that looks like a float as text", "{{.}}", "2.50", "2.50"],
    ["minus zero as text", "{{.}}", "-0", "-0"],
    ["text the client would drop as a static node", "{{.}}", "{{x}}", { s: ["{{x}}"] }],
  ])("sends %s", (_name, src, value, wire) => {
    const s = new Session(`<p>${src}</p>`);
    expect(s.step(value)).toEqual({ s: ["<p>", "</p>"], 0: wire });
  });

  it("starts over with a full tree after reset and after a page render", () => {
    const s = new Session("<p>{{.A}}</p>");
    s.step({ A: 1 });
    s.view.reset();
    expect(s.step({ A: 1 })).toEqual({ s: ["<p>", "</p>"], 0: 1 });
    expect(s.view.page(s.source, { A: 2 })).toEqual({ head: "", body: "<p>2</p>", tail: "" });
    expect(s.view.holdsTree).toBe(false);
    expect(s.step({ A: 2 })).toEqual({ s: ["<p>", "</p>"], 0: 2 });
  });

  it("cuts a page at its live part", () => {
    const s = new Session("<html><head><title>{{.T}}</title></head><body><p>{{.A}}</p><script>x</script></body></html>");
    expect(s.view.page(s.source, { T: "t", A: 1 })).toEqual({
      head: "<html><head><title>t</title></head><body>",
      body: "<p>1</p>",
      tail: "<script>x</script></body></html>",
    });
  });
});

describe("keyed range operations", () => {
  const cases: [string, number[], number[], unknown][] = [
    ["removes a row with one r", [1, 2, 3], [1, 3], [["r", "2"]]],
    ["appends rows with one a", [1, 2], [1, 2, 3, 4], [["a", [{ 0: "3", 1: "n3" }, { 0: "4", 1: "n4" }]]]],
    ["prepends rows with one p", [2, 3], [1, 2, 3], [["p", [{ 0: "1", 1: "n1" }]]]],
    ["inserts a row after its predecessor with i", [1, 3], [1, 2, 3], [["i", "1", { 0: "2", 1: "n2" }]]],
    ["reorders a short list with one o", [1, 2, 3, 4], [1, 3, 2, 4], [["o", ["1", "3", "2", "4"]]]],
    ["emits removes, then inserts", [1, 2, 3], [4, 1, 3, 5], [["r", "2"], ["p", [{ 0: "4", 1: "n4" }]], ["a", [{ 0: "5", 1: "n5" }]]]],
    ["adds to an empty list with one a", [], [1], [["a", [{ 0: "1", 1: "n1" }]]]],
  ];
  it.each(cases)("%s", (_name, from, to, ops) => {
    const s = new Session(LIST);
    s.step(rows(...from));
    expect(s.step(rows(...to))).toEqual({ 0: ops });
  });

  it("updates a changed row with u, before any insert", () => {
    const s = new Session(LIST);
    s.step(rows(1, 2));
    const next = rows(1, 2, 3);
    next.L[0]!.N = "changed";
    expect(s.step(next)).toEqual({ 0: [["u", "1", { 1: "changed" }], ["a", [{ 0: "3", 1: "n3" }]]] });
  });

  it("moves a row of a long list as a remove and an insert when that is cheaper than listing every key", () => {
    const s = new Session(LIST);
    const ids = Array.from({ length: 30 }, (_, i) => i + 1);
    s.step(rows(...ids));
    const moved = ids.filter((id) => id !== 3);
    moved.splice(9, 0, 3);
    expect(s.step(rows(...moved))).toEqual({ 0: [["r", "3"], ["i", "10", { 0: "3", 1: "n3" }]] });
  });

  it("reorders many moved rows with one o when listing the keys is cheaper", () => {
    const s = new Session(LIST);
    const ids = Array.from({ length: 20 }, (_, i) => i + 1);
    s.step(rows(...ids));
    expect(s.step(rows(...[...ids].reverse()))).toEqual({ 0: [["o", [...ids].reverse().map(String)]] });
  });

  it.each([
    ["no row was kept", [1, 2], [3, 4]],
    ["the list became empty", [1, 2], []],
  ])("sends the whole range when %s", (_name, from, to) => {
    const s = new Session(LIST);
    s.step(rows(...from));
    expect(s.step(rows(...to))).toEqual({ 0: { s: ITEM_STATICS, d: rows(...to).L.map((r) => ({ 0: String(r.ID), 1: r.N })), m: { idKey: "0" } } });
  });

  it("sends the whole range when the keys turn from declared to generated", () => {
    const s = new Session(LIST);
    s.step(rows(1, 2));
    const u = s.step({ L: [{ ID: 1, N: "a" }, { ID: 1, N: "b" }] }) as Record<string, { m: unknown; d: unknown[] }>;
    expect(u[0]!.m).toEqual({ idKey: "_k" });
    expect(u[0]!.d).toHaveLength(2);
  });

  it("keys rows without a key attribute by content", () => {
    const s = new Session("<ul>{{range .}}<li>{{.}}</li>{{end}}</ul>");
    const first = s.step(["a", "b", "a"]) as Record<string, { d: { _k: string }[]; m: unknown }>;
    const keys = first[0]!.d.map((it) => it._k);
    expect(first[0]!.m).toEqual({ idKey: "_k" });
    expect(keys[2]).toBe(`${keys[0]}~1`);
    expect(new Set(keys).size).toBe(3);
    expect(s.step(["a", "a"])).toEqual({ 0: [["r", keys[1]]] });
  });

  it("uses anchored inserts for a root range that shares its parent element", () => {
    const s = new Session('<ul><li>head</li>{{range .L}}<li data-key="{{.ID}}">{{.N}}</li>{{end}}</ul>');
    s.step(rows(1, 2));
    expect(s.step(rows(1, 2, 3))).toEqual({ 0: [["i", "2", { 0: "3", 1: "n3" }]] });
    const u = s.step(rows(0, 1, 2, 3)) as Record<string, unknown>;
    expect(u[0]).toMatchObject({ s: ITEM_STATICS, m: { idKey: "0" } });
  });
});

describe("change hints", () => {
  it.each([
    ["re-renders only the written field", [["A"]], 1, { 0: 2 }],
    ["re-renders everything without a hint", undefined, 2, { 0: 2 }],
    ["re-renders everything below a written root", [[]], 2, { 0: 2 }],
  ] as [string, ChangeEntry[] | undefined, number, unknown][])("%s", (_name, changed, calls, update) => {
    const c = counter();
    const s = new Session("<p>{{seen .A}}</p><p>{{seen .B}}</p>", c.funcs);
    s.step({ A: 1, B: 1 });
    c.calls = 0;
    expect(s.step({ A: 2, B: 1 }, changed)).toEqual(update);
    expect(c.calls).toBe(calls);
  });

  it("re-renders one row of a long list for a write inside it", () => {
    const c = counter();
    const s = new Session('<ul>{{range .L}}<li data-key="{{.ID}}">{{seen .N}}</li>{{end}}</ul>', c.funcs);
    const data = rows(...Array.from({ length: 100 }, (_, i) => i));
    s.step(data);
    c.calls = 0;
    data.L[40] = { ...data.L[40]!, N: "x" };
    expect(s.step(data, [["L", 40, "N"]])).toEqual({ 0: [["u", "40", { 1: "x" }]] });
    expect(c.calls).toBe(1);
  });

  it("renders only the appended row for a push", () => {
    const c = counter();
    const s = new Session('<ul>{{range .L}}<li data-key="{{.ID}}">{{seen .N}}</li>{{end}}</ul>', c.funcs);
    const data = rows(1, 2, 3);
    s.step(data);
    c.calls = 0;
    data.L.push({ ID: 4, N: "n4" });
    expect(s.step(data, [["L", 3], ["L", "length"]])).toEqual({ 0: [["a", [{ 0: "4", 1: "n4" }]]] });
    expect(c.calls).toBe(1);
  });

  it("drops the rows past the new length without rendering any", () => {
    const c = counter();
    const s = new Session('<ul>{{range .L}}<li data-key="{{.ID}}">{{seen .N}}</li>{{end}}</ul>', c.funcs);
    const data = rows(1, 2, 3);
    s.step(data);
    c.calls = 0;
    data.L.length = 1;
    expect(s.step(data, [["L", "length"]])).toEqual({ 0: [["r", "2"], ["r", "3"]] });
    expect(c.calls).toBe(0);
  });

  it("gives a shifted object row its item back instead of re-rendering it", () => {
    const c = counter();
    const s = new Session('<ul>{{range .L}}<li data-key="{{.ID}}">{{seen .N}}</li>{{end}}</ul>', c.funcs);
    const data = rows(1, 2, 3, 4);
    s.step(data);
    c.calls = 0;
    data.L.splice(1, 1);
    expect(s.step(data, [["L", 1], ["L", 2], ["L", 3], ["L", "length"]])).toEqual({ 0: [["r", "2"]] });
    expect(c.calls).toBe(0);
  });

  it("keeps a generated key when a hinted edit changes the row's content", () => {
    const s = new Session("<ul>{{range .L}}<li>{{.}}</li>{{end}}</ul>");
    const first = s.step({ L: ["a", "b", "c"] }) as Record<string, { d: { _k: string }[] }>;
    const key = first[0]!.d[1]!._k;
    expect(s.step({ L: ["a", "x", "c"] }, [["L", 1]])).toEqual({ 0: [["u", key, { 0: "x" }]] });
  });

  it("appends to a root range that shares its parent with an anchored insert under a hint", () => {
    const s = new Session('<ul><li>head</li>{{range .L}}<li data-key="{{.ID}}">{{.N}}</li>{{end}}</ul>');
    const data = rows(1, 2);
    s.step(data);
    data.L.push({ ID: 3, N: "n3" });
    expect(s.step(data, [["L", 2], ["L", "length"]])).toEqual({ 0: [["i", "2", { 0: "3", 1: "n3" }]] });
  });

  it("re-keys the whole list when a hinted write duplicates a declared key", () => {
    const s = new Session(LIST);
    const data = rows(1, 2, 3);
    s.step(data);
    data.L[2] = { ID: 1, N: "dup" };
    const u = s.step(data, [["L", 2]]) as Record<string, { m: unknown }>;
    expect(u[0]!.m).toEqual({ idKey: "_k" });
  });

  it("re-renders a row reported again at its own index (it may have changed inside)", () => {
    const c = counter();
    const s = new Session('<ul>{{range .L}}<li data-key="{{.ID}}">{{seen .N}}</li>{{end}}</ul>', c.funcs);
    const data = rows(1, 2);
    s.step(data);
    c.calls = 0;
    data.L[1]!.N = "in place";
    expect(s.step(data, [["L", 1]])).toEqual({ 0: [["u", "2", { 1: "in place" }]] });
    expect(c.calls).toBe(1);
  });

  it("re-renders shifted rows when a write went inside an element", () => {
    const c = counter();
    const s = new Session('<ul>{{range .L}}<li data-key="{{.ID}}">{{seen .N}}</li>{{end}}</ul>', c.funcs);
    const data = rows(1, 2, 3);
    s.step(data);
    c.calls = 0;
    data.L.splice(0, 1);
    data.L[0]!.N = "edited";
    expect(s.step(data, [["L", 0], ["L", 1], ["L", "length"], ["L", 0, "N"]])).toEqual({ 0: [["r", "1"], ["u", "2", { 1: "edited" }]] });
    expect(c.calls).toBe(2);
  });

  it("re-renders shifted rows of a range that declares an index variable", () => {
    const c = counter();
    const s = new Session('<ul>{{range $i, $r := .L}}<li data-key="{{$r.ID}}">{{seen $i}}</li>{{end}}</ul>', c.funcs);
    const data = rows(1, 2, 3);
    s.step(data);
    c.calls = 0;
    data.L.splice(0, 1);
    expect(s.step(data, [["L", 0], ["L", 1], ["L", "length"]])).toEqual({ 0: [["r", "1"], ["u", "2", { 1: 0 }], ["u", "3", { 1: 1 }]] });
    expect(c.calls).toBe(2);
  });
});

describe("list splices in a hint", () => {
  /** A list of `n` rows behind a Proxy that counts reads of its indices. */
  const counted = (n: number): { L: { ID: number; N: string }[]; reads: { n: number } } => {
    const reads = { n: 0 };
    const raw = Array.from({ length: n }, (_, i) => ({ ID: i + 1, N: `n${i + 1}` }));
    const L = new Proxy(raw, {
      get(t, k, r) {
        if (typeof k === "string" && /^\d+$/.test(k)) reads.n++;
        return Reflect.get(t, k, r) as unknown;
      },
    });
    return { L, reads };
  };

  type L = { ID: number; N: string }[];
  const edits: [string, (L: L) => void, [number, number, number][], unknown[]][] = [
    ["a removal", (L: { ID: number; N: string }[]) => void L.splice(5000, 1), [[5000, 1, 0]], [["r", "5001"]]],
    ["an insert", (L: { ID: number; N: string }[]) => void L.splice(5000, 0, { ID: 0, N: "new" }), [[5000, 0, 1]], [["i", "5000", { 0: "0", 1: "new" }]]],
    [
      "a move",
      (L: { ID: number; N: string }[]) => {
        const [r] = L.splice(2500, 1);
        L.splice(9998, 0, r!);
      },
      [[2500, 1, 0], [9998, 0, 1]],
      [["r", "2501"], ["i", "9999", { 0: "2501", 1: "n2501" }]],
    ],
  ];
  it.each(edits)("turns %s in 10,000 rows into one operation, reading only the rows it touches", (_name, edit, splices, ops) => {
    const c = counter();
    const s = new Session('<ul>{{range .L}}<li data-key="{{.ID}}">{{seen .N}}</li>{{end}}</ul>', c.funcs);
    const { L, reads } = counted(10_000);
    s.step({ L });
    c.calls = 0;
    edit(L);
    reads.n = 0;
    const update = s.view.update(s.source, { L }, [{ list: ["L"], splices }]);
    expect(reads.n).toBeLessThanOrEqual(4);
    expect(c.calls).toBeLessThanOrEqual(1);
    expect(JSON.parse(JSON.stringify(update))).toEqual({ 0: ops });
  });

  it("re-renders a moved row written inside, named by its new index, and no other", () => {
    const c = counter();
    const s = new Session('<ul>{{range .L}}<li data-key="{{.ID}}">{{seen .N}}</li>{{end}}</ul>', c.funcs);
    const data = rows(...Array.from({ length: 20 }, (_, i) => i + 1));
    s.step(data);
    c.calls = 0;
    const [r] = data.L.splice(0, 1);
    r!.N = "moved";
    data.L.push(r!);
    expect(s.step(data, [{ list: ["L"], splices: [[0, 1, 0], [19, 0, 1]] }, ["L", 19, "N"]])).toEqual({ 0: [["r", "1"], ["a", [{ 0: "1", 1: "moved" }]]] });
    expect(c.calls).toBe(1);
  });

  it("replays splices as written indices where rows cannot keep their items (an index variable)", () => {
    const s = new Session('<ul>{{range $i, $r := .L}}<li data-key="{{$r.ID}}">{{$i}} {{$r.N}}</li>{{end}}</ul>');
    const data = rows(1, 2, 3);
    s.step(data);
    data.L.splice(0, 1);
    expect(s.step(data, [{ list: ["L"], splices: [[0, 1, 0]] }])).toEqual({ 0: [["r", "1"], ["u", "2", { 1: 0 }], ["u", "3", { 1: 1 }]] });
  });

  it("counts the list as written whole when paths below it came before its splices", () => {
    const s = new Session(LIST);
    const data = rows(1, 2, 3);
    s.step(data);
    data.L[2]!.N = "x";
    data.L.splice(0, 1);
    expect(s.step(data, [["L", 2, "N"], { list: ["L"], splices: [[0, 1, 0]] }])).toEqual({ 0: [["r", "1"], ["u", "3", { 1: "x" }]] });
  });
});

describe("failures", () => {
  const src = '<p>{{.T}}</p><ul>{{range .L}}<li data-key="{{.ID}}">{{.N.X}}</li>{{end}}</ul>';
  const good = (...ids: number[]): unknown => ({ T: "t", L: ids.map((id) => ({ ID: id, N: { X: id } })) });

  it.each([
    ["a failing render without hints", undefined],
    ["a failing hinted render", [["L", 1]]],
    ["a failing render after a shift", [["L", 0], ["L", 1], ["L", 2], ["L", "length"]]],
  ] as [string, ChangeEntry[] | undefined][])("%s keeps the remembered tree", (_name, changed) => {
    const s = new Session(src);
    s.step(good(1, 2, 3, 4));
    const bad = good(2, 3, 4) as { L: { N: unknown }[] };
    bad.L[1]!.N = 5;
    expect(() => s.view.update(s.source, bad, changed)).toThrow(/can't evaluate field X in type int/);
    expect(s.view.holdsTree).toBe(true);
    // The client still holds the first tree: the same data again is no change.
    expect(s.step(good(1, 2, 3, 4))).toEqual({});
    expect(s.step(good(1, 3, 4))).toEqual({ 1: [["r", "2"]] });
  });

  it("ignores the hint of the call after a failure (its writes were never rendered)", () => {
    const s = new Session("<p>{{.A.X}}</p><p>{{.B}}</p>");
    s.step({ A: { X: 1 }, B: 1 });
    expect(() => s.view.update(s.source, { A: 1, B: 2 }, [["A"], ["B"]])).toThrow();
    // B was written by the failed call; the next call lists only A.
    expect(s.step({ A: { X: 3 }, B: 2 }, [["A"]])).toEqual({ 0: 3, 1: 2 });
  });
});

describe("what the client holds beside the tree", () => {
  it("sends a node that contains a range as a one-item range where the client holds a range", () => {
    const src = '{{if .R}}{{range .L}}<i>{{.}}</i>{{end}}{{else}}<div>{{if .Q}}{{range .L}}<b>{{.}}</b>{{end}}{{end}}</div>{{end}}';
    const s = new Session(src);
    s.step({ R: true, Q: true, L: [1, 2] });
    const u = s.step({ R: false, Q: true, L: [1, 2] }) as Record<string, Record<string, { s: string[]; d?: unknown[] }>>;
    // The else arm is new (sent whole); inside it, the client holds a range where the inner node goes.
    expect(u[0]!.s).toEqual(["<div>", "</div>"]);
    expect(u[0]![0]!.d).toHaveLength(1);
    // The next changes at that place are sent whole again, and still apply exactly.
    s.step({ R: false, Q: true, L: [1, 2, 3] });
    s.step({ R: false, Q: false, L: [1, 2, 3] });
    s.step({ R: true, Q: false, L: [3] });
  });

  it("keeps one client's holdings out of another view of the same trees", () => {
    const src = '{{if .R}}{{range .L}}<i>{{.}}</i>{{end}}{{else}}<div>{{if .Q}}{{range .L}}<b>{{.}}</b>{{end}}{{end}}</div>{{end}}';
    const a = new Session(src);
    const b = new Session(src);
    a.step({ R: true, Q: true, L: [1] });
    a.step({ R: false, Q: true, L: [1] });
    b.step({ R: false, Q: true, L: [1] });
    expect(b.step({ R: false, Q: true, L: [1, 2] })).toEqual({ 0: { 0: { 0: [["a", [{ 0: 2, _k: expect.any(String) }]]] } } });
  });
});
