/**
 * List edits through the real write journal (splice, shift, unshift, push, pop, moves, writes
 * inside rows before and after they moved), rendered with the journal's hint: the published
 * client holding the first tree and every update must print exactly a plain render, and for
 * keyed lists the hinted update must be byte for byte the update of a whole re-render and diff.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { WriteJournal } from "../changes/journal.js";
import { Template } from "../live/template.js";
import { OracleClient } from "../../test/tree/oracle.js";

interface Row {
  ID: number;
  Name: string;
  Value: number;
}
interface Group {
  ID: number;
  Name: string;
  Rows: Row[];
}
interface State {
  Count: number;
  Rows: Row[];
  Groups: Group[];
}

/** Templates, and whether a whole re-render gives the same bytes (declared, unique keys). */
const TEMPLATES: [string, string, boolean][] = [
  ["keyed root list", '<p>{{.Count}}</p><ul>{{range .Rows}}<li data-key="{{.ID}}">{{.Name}}: {{.Value}}</li>{{end}}</ul>', true],
  ["list sharing its parent", '<ul><li>head</li>{{range .Rows}}<li id="{{.ID}}">{{.Name}}</li>{{end}}</ul>', true],
  ["nested lists", '{{range .Groups}}<section data-key="{{.ID}}"><h2>{{.Name}}</h2>{{range .Rows}}<p data-key="{{.ID}}">{{.Name}}{{if gt .Value 5}} big{{end}}</p>{{end}}</section>{{end}}', true],
  ["list with else and length", '<div>{{range .Rows}}<i data-key="{{.ID}}">{{.Value}}</i>{{else}}<b>none</b>{{end}}</div><p>{{len .Rows}}</p>', true],
  ["index variable", '<ol>{{range $i, $r := .Rows}}<li data-key="{{$r.ID}}">{{$i}} {{$r.Name}}</li>{{end}}</ol>', false],
  ["generated keys", "<ol>{{range .Rows}}<li>{{.Name}}</li>{{end}}</ol>", false],
];

let nextId = 1000;
const row = (name: string): Row => ({ ID: nextId++, Name: name, Value: nextId % 11 });

type Edit = (s: State, pick: (n: number) => number) => void;

/** Edits of one list, as store code would write them. */
const listEdits: Edit[] = [
  (s, p) => void s.Rows.splice(p(s.Rows.length), 1),
  (s, p) => void s.Rows.splice(p(s.Rows.length + 1), 0, row("ins")),
  (s, p) => void s.Rows.splice(p(s.Rows.length + 1), 0, row("a"), row("b")),
  (s, p) => void s.Rows.splice(p(s.Rows.length), 3),
  (s, p) => {
    const [r] = s.Rows.splice(p(s.Rows.length), 1);
    if (r) s.Rows.splice(p(s.Rows.length + 1), 0, r);
  },
  (s, p) => {
    const [r] = s.Rows.splice(p(s.Rows.length), 1);
    if (r) {
      r.Value += 3;
      s.Rows.unshift(r);
    }
  },
  (s, p) => {
    const r = s.Rows[p(s.Rows.length)];
    s.Rows.shift();
    if (r) r.Name += "!";
  },
  (s) => void s.Rows.unshift(row("front")),
  (s) => void s.Rows.push(row("end")),
  (s) => void s.Rows.pop(),
  (s, p) => {
    const r = s.Rows[p(s.Rows.length)];
    if (r) r.Value++;
  },
  (s, p) => {
    const i = p(s.Rows.length);
    if (s.Rows[i]) s.Rows[i] = { ...s.Rows[i], Name: "replaced" };
  },
  (s, p) => {
    const i = p(s.Rows.length);
    if (s.Rows[i]) s.Rows[i] = row("new key");
  },
  (s) => void s.Rows.reverse(),
  (s) => void (s.Rows = s.Rows.filter((r) => r.ID % 3 !== 0)),
  (s, p) => {
    const g = s.Groups[p(s.Groups.length)];
    if (g) g.Rows.splice(p(g.Rows.length), 1);
  },
  (s, p) => {
    const g = s.Groups[p(s.Groups.length)];
    const h = s.Groups[p(s.Groups.length)];
    const [r] = g ? g.Rows.splice(p(g.Rows.length), 1) : [];
    if (r && h) h.Rows.splice(p(h.Rows.length + 1), 0, r);
  },
  (s, p) => {
    const [g] = s.Groups.splice(p(s.Groups.length), 1);
    if (g) {
      g.Name += "*";
      g.Rows.unshift(row("in moved group"));
      s.Groups.splice(p(s.Groups.length + 1), 0, g);
    }
  },
  (s, p) => void s.Groups.splice(p(s.Groups.length + 1), 0, { ID: nextId++, Name: "g", Rows: [row("g1")] }),
  (s) => void s.Count++,
];

const initial = (n: number): State => ({
  Count: 0,
  Rows: Array.from({ length: n }, (_, i) => row(`r${i}`)),
  Groups: Array.from({ length: 3 }, (_, g) => ({ ID: nextId++, Name: `g${g}`, Rows: Array.from({ length: n >> 1 }, (_, i) => row(`g${g}r${i}`)) })),
});

describe("list edits recorded by the write journal", () => {
  test.each(TEMPLATES)("%s: the client prints the plain render after every step", (_name, text, sameAsWhole) => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 12 }),
        fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: listEdits.length - 1 }), fc.array(fc.nat(), { minLength: 4, maxLength: 4 })), { minLength: 1, maxLength: 3 }), {
          minLength: 1,
          maxLength: 25,
        }),
        (n, steps) => {
          const s = initial(n);
          const hinted = new Template("t").parse(text);
          const whole = new Template("t").parse(text);
          const client = new OracleClient();
          client.apply(hinted.executeUpdates(s));
          whole.executeUpdates(s);
          for (const step of steps) {
            const j = new WriteJournal();
            const view = j.wrap(s, []);
            for (const [e, picks] of step) {
              let k = 0;
              listEdits[e]!(view, (m) => (m <= 0 ? 0 : picks[k++ % picks.length]! % m));
            }
            j.close();
            const changed = j.hintPaths();
            const update = hinted.executeUpdates(s, { changed });
            expect(client.apply(update)).toBe(hinted.execute(s));
            const full = whole.executeUpdates(s);
            if (sameAsWhole) expect(JSON.stringify(update)).toBe(JSON.stringify(full));
          }
        },
      ),
      { numRuns: 150, seed: Number(process.env["LT_TREE_SEED"] ?? 20261205) },
    );
  });
});
