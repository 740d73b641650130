import { describe, expect, test } from "vitest";
import { Template } from "./template.js";
import { OracleClient } from "../../test/tree/oracle.js";
import { treeToHtml } from "../tree/html.js";
import type { TreeNode } from "../tree/types.js";

const LIST = `<p>{{.Count}}</p><ul>{{range .Rows}}<li data-key="{{.ID}}">{{.Name}}: {{.Value}}</li>{{end}}</ul>`;

interface Row {
  ID: number;
  Name: string;
  Value: number;
}
const rows = (n: number): Row[] => Array.from({ length: n }, (_, i) => ({ ID: i + 1, Name: `row ${i + 1}`, Value: i }));

/** Runs states through a live template and the published client; returns the JSON updates. */
function journey(text: string, states: unknown[], changed?: (i: number) => (string | number)[][]): string[] {
  const t = new Template("t").parse(text);
  const client = new OracleClient();
  return states.map((s, i) => {
    const u = i > 0 && changed ? t.executeUpdates(s, { changed: changed(i) }) : t.executeUpdates(s);
    expect(client.apply(u)).toBe(t.execute(s));
    return JSON.stringify(u);
  });
}

describe("updates are minimal", () => {
  test("a counter increment sends only the number", () => {
    const [, u] = journey("<p>Count: {{.Count}}</p>", [{ Count: 5 }, { Count: 6 }]);
    expect(u).toBe('{"0":6}');
  });

  test("nothing changed gives an empty object", () => {
    const [, u] = journey(LIST, [{ Count: 1, Rows: rows(3) }, { Count: 1, Rows: rows(3) }]);
    expect(u).toBe("{}");
  });

  test.each([
    ["without a change hint", undefined],
    ["with a change hint", (): (string | number)[][] => [["Rows", 500, "Value"]]],
  ])("one changed field of one row of 1,000 is one small update op (%s)", (_name, hint) => {
    const a = rows(1000);
    const b = rows(1000);
    b[500]!.Value = 7777;
    const [, u] = journey(LIST, [{ Count: 1, Rows: a }, { Count: 1, Rows: b }], hint);
    expect(u).toBe('{"1":[["u","501",{"2":7777}]]}');
    expect(u!.length).toBeLessThan(60);
  });

  test.each([
    ["append", [1, 2, 3], [1, 2, 3, 4], '{"1":[["a",[{"0":"4","1":"row 4","2":3}]]]}'],
    ["remove", [1, 2, 3], [1, 3], '{"1":[["r","2"]]}'],
    ["prepend", [2, 3], [1, 2, 3], '{"1":[["p",[{"0":"1","1":"row 1","2":0}]]]}'],
    ["insert", [1, 3], [1, 2, 3], '{"1":[["i","1",{"0":"2","1":"row 2","2":1}]]}'],
    ["move (an order op is cheaper than re-sending the row)", [1, 2, 3, 4], [1, 3, 4, 2], '{"1":[["o",["1","3","4","2"]]]}'],
    ["empty", [1, 2], [], '{"1":{"s":["<li data-key=\\"","\\">",": ","</li>"],"d":[],"m":{"idKey":"0"}}}'],
  ])("%s produces the expected range operations", (_name, before, after, want) => {
    const all = rows(4);
    const pick = (ids: number[]): Row[] => ids.map((id) => all[id - 1]!);
    const [, u] = journey(LIST, [{ Count: 1, Rows: pick(before) }, { Count: 1, Rows: pick(after) }]);
    expect(u).toBe(want);
  });

  test("a long row moved in a long list is removed and re-inserted", () => {
    const r = rows(50).map((x) => ({ ...x, Name: x.ID === 10 ? "a much longer name ".repeat(2) : x.Name }));
    const moved = [...r.slice(0, 9), ...r.slice(10, 40), r[9]!, ...r.slice(40)];
    const [, u] = journey(LIST, [{ Count: 1, Rows: r }, { Count: 1, Rows: moved }]);
    expect(u).toBe('{"1":[["r","10"],["i","40",{"0":"10","1":"a much longer name a much longer name ","2":9}]]}');
  });

  test.each([
    ["append becomes an insert after the last row", ["a", "b"], ["a", "b", "c"], '{"0":[["i","b",{"0":"c","1":"c"}]]}'],
    ["a prepend sends the range", ["b"], ["a", "b"], '{"0":{"s":["<li data-key=\\"","\\">","</li>"],"d":[{"0":"a","1":"a"},{"0":"b","1":"b"}],"m":{"idKey":"0"}}}'],
    ["a move is a remove and an insert", ["a", "b", "c"], ["b", "c", "a"], '{"0":[["r","a"],["i","c",{"0":"a","1":"a"}]]}'],
  ])("a root range sharing its parent element: %s", (_name, before, after, want) => {
    // The published client applies root range ops to the DOM assuming the items fill their parent.
    const text = '<ul><li>head</li>{{range .}}<li data-key="{{.}}">{{.}}</li>{{end}}<li>foot</li></ul>';
    const [, u] = journey(text, [before, after]);
    expect(u).toBe(want);
  });

  test("a reversed list is sent as one order op", () => {
    const r = rows(20);
    const [, u] = journey(LIST, [{ Count: 1, Rows: r }, { Count: 1, Rows: [...r].reverse() }]);
    expect(u).toMatch(/^\{"1":\[\["o",\["20","19",/);
  });

  test("a branch flip resends the branch with its statics", () => {
    const text = "{{if .F}}<b>{{.A}}</b>{{else}}<i>{{.B}}</i>{{end}}";
    const [, u, v] = journey(text, [{ F: true, A: "a", B: 1 }, { F: false, A: "a", B: 1 }, { F: false, A: "a", B: 2 }]);
    expect(u).toBe('{"0":{"0":1,"s":["<i>","</i>"]}}');
    expect(v).toBe('{"0":{"0":2}}');
  });
});

describe("what the client cannot merge is sent in a form it can", () => {
  test.each([
    [
      "a range replaced by a node that contains a range",
      "{{if .F}}{{range .L}}<i>{{.}}</i>{{end}}{{else}}<p>{{if .G}}{{range .L}}<b>{{.}}</b>{{end}}{{end}}</p>{{end}}",
      [
        { F: true, G: true, L: ["x", "y"] },
        { F: false, G: true, L: ["x", "y"] },
        { F: false, G: true, L: ["x"] },
        { F: true, G: true, L: ["z"] },
      ],
    ],
    [
      "a range whose else arm holds another range",
      "{{range .L}}<i>{{.}}</i>{{else}}{{with .M}}<ul>{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}{{end}}",
      [
        { L: ["a"], M: ["m1", "m2"] },
        { L: [], M: ["m1", "m2"] },
        { L: [], M: ["m2"] },
        { L: ["b"], M: ["m2"] },
      ],
    ],
    [
      "duplicate and empty declared keys",
      '{{range .}}<li data-key="{{.K}}">{{.V}}</li>{{end}}',
      [
        [{ K: "a", V: 1 }, { K: "b", V: 2 }],
        [{ K: "a", V: 1 }, { K: "a", V: 2 }],
        [{ K: "", V: 1 }, { K: "a", V: 3 }],
        [{ K: "c", V: 1 }, { K: "a", V: 3 }],
      ],
    ],
    ["text that looks like a template action", "<p>{{.}}</p>", ["{{x}}", "y", "{{z}}"]],
    [
      "maps, objects and null items as range sources",
      "{{range $k, $v := .M}}{{$k}}={{$v}};{{end}}|{{range .L}}[{{.}}]{{end}}",
      [
        { M: new Map([["b", 1], ["a", 2]]), L: [null, 1] },
        { M: new Map([["a", 2]]), L: [1, null] },
        { M: { z: 1, y: 2 }, L: [] },
      ],
    ],
  ])("%s", (_name, text, states) => {
    journey(text, states);
  });
});

describe("pages and connections", () => {
  const PAGE =
    '<!DOCTYPE html><html><head><title>{{.T}}</title></head><body class="{{.C}}"><h1>{{.T}}</h1>' +
    '<script src="/a.js"></script></body></html>';

  test("the page wraps the body up to the first script, and the tree describes the wrapper's inside", () => {
    const t = new Template("p").parse(PAGE);
    const html = t.executeToHTML({ T: "Hi", C: "c" });
    expect(html).toBe(
      `<!DOCTYPE html><html><head><title>Hi</title></head><body class="c"><div data-lvt-id="${t.wrapperId}" data-lvt-loading="true"><h1>Hi</h1></div><script src="/a.js"></script></body></html>`,
    );
    const tree = t.executeUpdates({ T: "Hi", C: "c" }) as TreeNode;
    expect(treeToHtml(tree)).toBe("<h1>Hi</h1>");
    expect(t.executeUpdates({ T: "Ho", C: "c" })).toEqual({ "0": "Ho" });
  });

  test("a fragment is wrapped whole, without the loading mark when asked", () => {
    const t = new Template("f").parse("<p>{{.}}</p>");
    expect(t.executeToHTML("x", { wrapperId: "lvt-0123456789abcdef", loading: false })).toBe(
      '<div data-lvt-id="lvt-0123456789abcdef"><p>x</p></div>',
    );
    expect(t.wrapperId).toBe("lvt-0123456789abcdef");
  });

  test("after executeToHTML and in a clone the next update is a full tree", () => {
    const t = new Template("f").parse("<p>{{.}}</p>");
    t.executeUpdates("a");
    t.executeToHTML("a");
    expect(t.executeUpdates("a")).toEqual({ s: ["<p>", "</p>"], "0": "a" });
    const c = t.clone();
    expect(c).toBeInstanceOf(Template);
    expect(c.wrapperId).not.toBe(t.wrapperId);
    expect(c.wrapperId).toMatch(/^lvt-[0-9a-f]{16}$/);
    expect(c.executeUpdates("b")).toEqual({ s: ["<p>", "</p>"], "0": "b" });
    expect(t.executeUpdates("a")).toEqual({});
  });

  test("a body opened inside a conditional is still split, as one live string", () => {
    const t = new Template("p").parse("<html>{{if .}}<body class=a>{{else}}<body>{{end}}<p>{{.}}</p></body></html>");
    const html = t.executeToHTML(true);
    expect(html).toBe(`<html><body class=a><div data-lvt-id="${t.wrapperId}" data-lvt-loading="true"><p>true</p></div></body></html>`);
    const c = new OracleClient();
    expect(c.apply(t.executeUpdates(true))).toBe("<p>true</p>");
    expect(c.apply(t.executeUpdates(false))).toBe("<p>false</p>");
  });
});

describe("change hints", () => {
  function counted(): { t: Template; calls: () => number } {
    let n = 0;
    const t = new Template("h")
      .funcs({
        up: (s: string): string => {
          n++;
          return s.toUpperCase();
        },
      })
      .parse('<h1>{{up .Title}}</h1><ul>{{range .Rows}}<li data-key="{{.ID}}">{{up .Name}}</li>{{end}}</ul>');
    return { t, calls: () => n };
  }
  const state = (names: string[], title = "t"): unknown => ({ Title: title, Rows: names.map((Name, i) => ({ ID: i, Name })) });

  test("a hint re-runs only the constructs and rows under the written paths", () => {
    const { t, calls } = counted();
    t.executeUpdates(state(["a", "b", "c", "d"]));
    const before = calls();
    const u = t.executeUpdates(state(["a", "b", "x", "d"]), { changed: [["Rows", 2, "Name"]] });
    expect(u).toEqual({ "1": [["u", "2", { "1": "X" }]] });
    expect(calls() - before).toBe(1);
  });

  test("an append hinted as index and length runs only the new row", () => {
    const { t, calls } = counted();
    t.executeUpdates(state(["a", "b"]));
    const before = calls();
    const u = t.executeUpdates(state(["a", "b", "c"]), { changed: [["Rows", 2], ["Rows", "length"]] });
    expect(u).toEqual({ "1": [["a", [{ "0": "2", "1": "C" }]]] });
    expect(calls() - before).toBe(1);
  });

  test("without a hint everything runs again and the result is the same", () => {
    const { t, calls } = counted();
    t.executeUpdates(state(["a", "b", "c", "d"]));
    const before = calls();
    expect(t.executeUpdates(state(["a", "b", "x", "d"]))).toEqual({ "1": [["u", "2", { "1": "X" }]] });
    expect(calls() - before).toBe(5);
  });

  /** Runs `f` on a copy of the list through a Proxy recording written indices, as a write journal does. */
  function journaled<T>(list: T[], f: (l: T[]) => void): { next: T[]; changed: (string | number)[][] } {
    const next = list.slice();
    const changed: (string | number)[][] = [];
    const rec = (k: string | symbol): void => void (typeof k === "string" && changed.push(["Rows", k]));
    f(
      new Proxy(next, {
        set: (t, k, v: unknown) => (rec(k), Reflect.set(t, k, v)),
        deleteProperty: (t, k) => (rec(k), Reflect.deleteProperty(t, k)),
      }),
    );
    return { next, changed };
  }

  test.each([
    ["a removal", (l: unknown[]) => void l.splice(3, 1), 0],
    ["an insert", (l: unknown[]) => void l.splice(3, 0, { ID: 99, Name: "new" }), 1],
    // The rows after the moved one end at their own index again: they are rendered again.
    ["a move", (l: unknown[]) => void l.splice(7, 0, l.splice(2, 1)[0]), 2],
    ["an unshift", (l: unknown[]) => void l.unshift({ ID: 99, Name: "new" }), 1],
    ["a reverse", (l: unknown[]) => void l.reverse(), 0],
    ["a swap", (l: unknown[]) => void ([l[1], l[8]] = [l[8], l[1]]), 0],
  ])("%s reported as a journal's shifted indices reuses the shifted rows, with the unhinted update", (_name, f, runs) => {
    const { t, calls } = counted();
    const plain = t.clone();
    const client = new OracleClient();
    const first = state(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]) as { Title: string; Rows: unknown[] };
    client.apply(t.executeUpdates(first));
    plain.executeUpdates(first);
    const { next, changed } = journaled(first.Rows, f);
    const data = { Title: "t", Rows: next };
    const before = calls();
    const u = t.executeUpdates(data, { changed });
    expect(calls() - before).toBe(runs);
    expect(u).toEqual(plain.executeUpdates(data));
    expect(client.apply(u)).toBe(t.execute(data));
  });

  test("a row changed inside and moved is rendered again when the change is reported below an index", () => {
    const { t } = counted();
    const plain = t.clone();
    const first = state(["a", "b", "c", "d"]) as { Title: string; Rows: { ID: number; Name: string }[] };
    t.executeUpdates(first);
    plain.executeUpdates(first);
    const { next, changed } = journaled(first.Rows, (l) => void l.splice(0, 1));
    next[1]!.Name = "x"; // the same object as before, now one index lower
    const data = { Title: "t", Rows: next };
    const u = t.executeUpdates(data, { changed: [...changed, ["Rows", 1, "Name"]] });
    expect(u).toEqual(plain.executeUpdates(data));
    expect(JSON.stringify(u)).toContain('"X"');
  });

  test("the same object re-reported at its own index is rendered again (a coarse index hint)", () => {
    const { t, calls } = counted();
    const rows = [
      { ID: 1, Name: "a" },
      { ID: 2, Name: "b" },
    ];
    t.executeUpdates({ Title: "t", Rows: rows });
    rows[1]!.Name = "z";
    const before = calls();
    expect(t.executeUpdates({ Title: "t", Rows: rows }, { changed: [["Rows", 1]] })).toEqual({ "1": [["u", "2", { "1": "Z" }]] });
    expect(calls() - before).toBe(1);
  });

  test("a shift whose render fails later leaves the remembered list as it was", () => {
    const t = new Template("f").parse('<ul>{{range .Rows}}<li id="{{.ID}}">{{.ID}}</li>{{end}}</ul>{{index .L 0}}');
    const client = new OracleClient();
    const rows = [1, 2, 3, 4, 5].map((ID) => ({ ID }));
    client.apply(t.executeUpdates({ Rows: rows, L: [0] }));
    const { next, changed } = journaled(rows, (l) => void l.splice(1, 1));
    expect(() => t.executeUpdates({ Rows: next, L: [] }, { changed: [...changed, ["L"]] })).toThrow();
    const data = { Rows: next, L: [1] };
    expect(client.apply(t.executeUpdates(data, { changed: [["L"]] }))).toBe(t.execute(data));
  });

  test("after a failed render the next call ignores its hint", () => {
    const t = new Template("e").parse("{{.A}}{{index .L 0}}");
    t.executeUpdates({ A: "a", L: [1] });
    expect(() => t.executeUpdates({ A: "b", L: [] }, { changed: [["A"], ["L"]] })).toThrow();
    // Only L is reported now, but A changed during the failed call too.
    expect(t.executeUpdates({ A: "b", L: [2] }, { changed: [["L"]] })).toEqual({ "0": "b", "1": 2 });
  });
});
