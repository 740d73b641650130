/**
 * Random templates and random journeys of data states, for the live-tree property test and the
 * fuzzer (scripts/fuzz.mjs). Everything is driven by one integer seed, so a failure is replayed
 * from the seed alone.
 * @internal
 */
import type { ChangePath } from "../../src/changes/path.js";
import { seededRandom } from "../seeded-random.js";

/** A small deterministic generator (mulberry32). */
export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

/** A row of the generated data. */
export interface Row {
  ID: string | number;
  N: string;
  V: number;
  F: boolean;
  S: string[];
}

/** The generated data. */
export interface State {
  A: string;
  B: number;
  F: boolean;
  G: boolean;
  L: (Row | null)[];
  S: string[];
  M: Record<string, number>;
  I: number;
}

type Scope = "root" | "row" | "str";

const TEXTS = ["<p>", "</p>", "hi ", "<br>", " & ", "x", "\n", "<b>b</b>", "é", "<em>", "</em>"];
const STRS = ["", "a", "b<c", '"q"', "{{x}}", "42", "-7", "it's", "x y", "&amp;", "0", "ü"];

interface Ctx {
  rng: Rng;
  depth: number;
  vars: string[];
  rowVars: string[];
  defines: Map<string, string>;
  inRangeBody: boolean;
  assignable: string[];
}

function expr(c: Ctx, scope: Scope): string {
  const r = c.rng;
  const vars = c.vars.filter((v) => !v.startsWith("$r"));
  if (vars.length > 0 && r.bool(0.15)) return r.pick(vars);
  switch (scope) {
    case "root":
      return r.pick([".A", ".B", 'printf "%v-%v" .A .B', "len .L", ".M.k1", ".I", "not .F", "$.A"]);
    case "row":
      if (c.rowVars.length > 0 && r.bool(0.3)) return r.pick(c.rowVars);
      return r.pick([".N", ".V", ".ID", "$.A", 'printf "%s:%d" .N .V', "len .S", ".F"]);
    case "str":
      return r.pick([".", "$.B", "len ."]);
  }
}

function cond(c: Ctx, scope: Scope): string {
  const r = c.rng;
  switch (scope) {
    case "root":
      return r.pick([".F", ".G", "not .F", "and .F .G", "eq .B 3", ".L", ".A", "gt .B 1"]);
    case "row":
      return r.pick([".F", "eq .V 2", "$.F", ".S", "gt .V 1"]);
    case "str":
      return r.pick([".", "eq . \"a\"", "$.F"]);
  }
}

function rowBody(c: Ctx): string {
  const r = c.rng;
  const inner = body(c, "row", 3);
  const shape = r.int(5);
  if (shape === 0) return `<li data-key="{{.ID}}">${inner}</li>`;
  if (shape === 1) return `<tr id="{{.ID}}"><td>${inner}</td></tr>`;
  if (shape === 2) return `<li id="r{{.ID}}">${inner}</li>`;
  if (shape === 3) return `<li>${inner}</li>`;
  return inner;
}

function construct(c: Ctx, scope: Scope): string {
  const r = c.rng;
  const k = r.int(c.depth >= 3 ? 4 : 14);
  switch (k) {
    case 0:
      return TEXTS[r.int(TEXTS.length)]!;
    case 1:
      return `{{${expr(c, scope)}}}`;
    case 2:
      return r.pick([
        `<span title="{{${expr(c, scope)}}}">t</span>`,
        `<input value="{{${expr(c, scope)}}}">`,
        `<a href="/x?q={{${expr(c, scope)}}}">l</a>`,
        `<b style="color: {{${expr(c, scope)}}}">s</b>`,
        `<button onclick="f({{${expr(c, scope)}}})">b</button>`,
        `<script>var v = {{${expr(c, scope)}}};</script>`,
      ]);
    case 3:
      return r.pick(["{{/* c */}}", `{{- ${expr(c, scope)} -}}`, " "]);
    case 4:
    case 5: {
      let s = `{{if ${cond(c, scope)}}}${body(c, scope)}`;
      if (r.bool(0.4)) s += `{{else if ${cond(c, scope)}}}${body(c, scope)}`;
      if (r.bool(0.6)) s += `{{else}}${body(c, scope)}`;
      return s + "{{end}}";
    }
    case 6: {
      if (scope === "str") return `{{with $.A}}${body(c, "str")}{{end}}`;
      let s = `{{with ${scope === "root" ? ".A" : "$.A"}}}${body(c, "str")}`;
      if (r.bool(0.5)) s += `{{else with ${scope === "root" ? ".B" : ".N"}}}${body(c, "str")}`;
      if (r.bool(0.5)) s += `{{else}}${body(c, scope)}`;
      return s + "{{end}}";
    }
    case 7:
    case 8: {
      if (scope === "root") {
        const form = r.int(6);
        const saved = c.rowVars;
        const wasIn = c.inRangeBody;
        c.inRangeBody = true;
        let head = "{{range .L}}";
        if (form === 1) {
          head = "{{range $i, $r := .L}}";
          c.rowVars = ["$i", "$r.N", "$r.V"];
        }
        let s: string;
        if (form === 2) s = `{{range .S}}<i>${body(c, "str")}</i>`;
        else if (form === 3) s = `{{range $k, $v := .M}}{{$k}}={{$v}};`;
        else if (form === 4) s = `{{range .I}}[{{.}}]`;
        else s = head + rowBody(c);
        c.rowVars = saved;
        c.inRangeBody = wasIn;
        if (r.bool(0.4)) s += `{{else}}${body(c, scope)}`;
        return s + "{{end}}";
      }
      if (scope === "row") return `{{range .S}}<i>{{.}}</i>{{else}}-{{end}}`;
      return `{{range $.S}}{{.}}{{end}}`;
    }
    case 9: {
      const name = scope === "row" ? "rowT" : scope === "root" ? "rootT" : "strT";
      if (!c.defines.has(name)) {
        c.defines.set(name, "");
        const saved = { vars: c.vars, rowVars: c.rowVars, depth: c.depth, inRange: c.inRangeBody };
        c.vars = [];
        c.rowVars = [];
        c.depth = 3;
        c.inRangeBody = false;
        c.defines.set(name, body(c, scope, 3));
        Object.assign(c, { vars: saved.vars, rowVars: saved.rowVars, depth: saved.depth, inRangeBody: saved.inRange });
      }
      return `{{template "${name}" .}}`;
    }
    case 10: {
      const v = `$v${c.vars.length}`;
      c.vars.push(v);
      return `{{${v} := ${expr(c, scope)}}}`;
    }
    case 11: {
      if (c.inRangeBody && scope === "row" && r.bool(0.5)) return `{{if .F}}{{${r.pick(["break", "continue"])}}}{{end}}`;
      if (c.assignable.length > 0) return `{{${r.pick(c.assignable)} = ${expr(c, scope)}}}`;
      return "<hr>";
    }
    case 12:
      if (scope === "root" && !c.defines.has("blk") && r.bool(0.3)) {
        c.defines.set("blk", "");
        return `{{block "blk" .}}<nav>${body(c, "root", 2)}</nav>{{end}}`;
      }
      return r.pick(["<ul>", "</ul>", "<div class=\"k\">", "</div>"]);
    default:
      return `<div>${body(c, scope)}</div>`;
  }
}

function body(c: Ctx, scope: Scope, max = 4): string {
  c.depth++;
  const mark = c.vars.length;
  let s = "";
  const n = 1 + c.rng.int(max);
  for (let i = 0; i < n; i++) s += construct(c, scope);
  c.vars.length = mark;
  c.depth--;
  return s;
}

/** A random template source; `page` wraps the body in a full HTML document. */
export function genTemplate(rng: Rng): { text: string; page: boolean } {
  const c: Ctx = { rng, depth: 0, vars: [], rowVars: [], defines: new Map(), inRangeBody: false, assignable: [] };
  let pre = "";
  if (rng.bool(0.3)) {
    pre = "{{$acc := 0}}";
    c.vars.push("$acc");
    c.assignable.push("$acc");
  }
  let text = pre + body(c, "root", 6);
  if (c.assignable.length > 0) text += "{{$acc}}";
  for (const [name, b] of c.defines) if (name !== "blk") text += `{{define "${name}"}}${b}{{end}}`;
  const page = rng.bool(0.2);
  if (page) {
    text = `<!DOCTYPE html><html><head><title>{{.A}}</title></head><body class="{{.B}}">${text}<script src="/app.js"></script><p>{{.A}}</p></body></html>`;
  }
  return { text, page };
}

let nextId = 1;

function genRow(r: Rng): Row {
  const id: string | number = r.bool(0.05) ? r.pick(["", 1, "dup"]) : nextId++;
  return { ID: id, N: r.pick(STRS), V: r.int(4), F: r.bool(0.3), S: Array.from({ length: r.int(3) }, () => r.pick(STRS)) };
}

/** A random initial state. */
export function genState(r: Rng): State {
  return {
    A: r.pick(STRS),
    B: r.int(6) - 1,
    F: r.bool(),
    G: r.bool(),
    L: Array.from({ length: r.int(5) }, () => genRow(r)),
    S: Array.from({ length: r.int(3) }, () => r.pick(STRS)),
    M: Object.fromEntries(Array.from({ length: r.int(3) }, (_, i) => [`k${i}`, r.int(5)])),
    I: r.int(3),
  };
}

/**
 * Runs `f` on the list through a Proxy that records, as a write journal does, every index or
 * `length` written or deleted (a `splice` reports each shifted index).
 */
function journaled(rows: (Row | null)[], changed: ChangePath[], f: (rows: (Row | null)[]) => void): void {
  const rec = (key: string | symbol): void => {
    if (typeof key === "string") changed.push(["L", key]);
  };
  f(
    new Proxy(rows, {
      set(t, key, value: unknown) {
        rec(key);
        return Reflect.set(t, key, value);
      },
      deleteProperty(t, key) {
        if (Object.hasOwn(t, key)) rec(key);
        return Reflect.deleteProperty(t, key);
      },
    }),
  );
}

/**
 * Mutates `s` in place like an action would, returning the written paths. With `style`, some
 * list moves and inserts report the writes a Proxy journal records (shifted indices and `length`)
 * instead of the whole list; `style` is a separate stream so that `r` draws the same numbers.
 */
export function mutate(r: Rng, s: State, style?: Rng): ChangePath[] {
  const changed: ChangePath[] = [];
  const n = 1 + r.int(r.bool(0.8) ? 1 : 4);
  for (let k = 0; k < n; k++) {
    const rows = s.L;
    const live = rows.map((x, i) => (x ? i : -1)).filter((i) => i >= 0);
    switch (r.int(16)) {
      case 0:
        s.A = r.pick(STRS);
        changed.push(["A"]);
        break;
      case 1:
        s.B = r.int(6) - 1;
        changed.push(["B"]);
        break;
      case 2:
        s.F = !s.F;
        changed.push(["F"]);
        break;
      case 3:
        s.G = !s.G;
        changed.push(["G"]);
        break;
      case 4:
        rows.push(genRow(r));
        changed.push(["L", rows.length - 1], ["L", "length"]);
        break;
      case 5: {
        const row = genRow(r);
        if (style?.bool()) journaled(rows, changed, (l) => l.unshift(row));
        else {
          rows.unshift(row);
          changed.push(["L"]);
        }
        break;
      }
      case 6:
        if (rows.length > 0) {
          const at = r.int(rows.length);
          rows.splice(at, 1);
          // As a Proxy journal records a splice: the shifted indices and the length.
          if (r.bool()) {
            for (let i = at; i <= rows.length; i++) changed.push(["L", i]);
            changed.push(["L", "length"]);
          } else changed.push(["L"]);
        }
        break;
      case 7:
      case 8:
        if (live.length > 0) {
          const i = r.pick(live);
          const row = rows[i]!;
          const f = r.pick(["N", "V", "F", "S"] as const);
          if (f === "N") row.N = r.pick(STRS);
          else if (f === "V") row.V = r.int(4);
          else if (f === "F") row.F = !row.F;
          else row.S = Array.from({ length: r.int(3) }, () => r.pick(STRS));
          changed.push(["L", i, f]);
        }
        break;
      case 9:
        if (rows.length > 1) {
          const out = r.int(rows.length);
          const to = r.int(rows.length);
          const how = style ? style.int(4) : 0;
          if (how === 0 || how === 1) {
            const [row] = rows.splice(out, 1);
            rows.splice(to, 0, row!);
            changed.push(["L"]);
          } else {
            journaled(rows, changed, (l) => {
              if (how === 2) l.splice(to, 0, l.splice(out, 1)[0]!);
              else l.reverse();
            });
            changed.push(["L", "length"]);
          }
        }
        break;
      case 10:
        s.L = r.bool() ? [] : Array.from({ length: r.int(6) }, () => genRow(r));
        changed.push(["L"]);
        break;
      case 11:
        if (rows.length > 0) {
          const i = r.int(rows.length);
          rows[i] = r.bool(0.15) ? null : genRow(r);
          changed.push(["L", i]);
        }
        break;
      case 12:
        s.S = Array.from({ length: r.int(4) }, () => r.pick(STRS));
        changed.push(["S"]);
        break;
      case 13:
        if (r.bool()) s.M[`k${r.int(4)}`] = r.int(5);
        else delete s.M[`k${r.int(4)}`];
        changed.push(["M"]);
        break;
      case 14:
        s.I = r.int(4);
        changed.push(["I"]);
        break;
      default:
        if (live.length > 0) {
          const i = r.pick(live);
          rows[i]!.ID = r.bool(0.2) ? r.pick(["", "dup", 1]) : nextId++;
          changed.push(["L", i, "ID"]);
        }
        break;
    }
  }
  return changed;
}
