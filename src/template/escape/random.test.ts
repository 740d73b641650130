import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runGo, skipWithoutGo } from "../../../test/go/oracle.js";
import type { GoResult } from "../../../test/go/oracle.js";
import { LiveTemplateError } from "../../errors.js";
import { HTML } from "../content.js";
import { HtmlTemplate } from "../template.js";
import { pick, seededRandom } from "../../../test/seeded-random.js";

// Random HTML-ish templates: fragments that open and close every kind of context, with actions,
// branches, loops, break/continue and template calls in between; deterministic per seed.
// 1. Property: escaping and rendering never crash; they render or throw a LiveTemplateError.
// 2. Differential: a fixed set of seeds renders exactly as Go's html/template (or fails alike).

const FRAGMENTS = [
  "x",
  " ",
  "1",
  "\n",
  "<p>",
  "</p>",
  "<p ",
  ">",
  "<a href=",
  "<a href=\"",
  "<a href='",
  "\"",
  "'",
  " title=",
  " title=\"",
  " onclick=",
  " onclick=\"",
  " style=\"",
  " srcset=\"",
  " data-x=",
  " xlink:href=",
  "=",
  "<script>",
  "</script>",
  "<script type=\"text/template\">",
  "<style>",
  "</style>",
  "<textarea>",
  "</textarea>",
  "<title>",
  "</title>",
  "<!--",
  "-->",
  "/",
  "/*",
  "*/",
  "//",
  "?",
  "#",
  "&",
  "&quot;",
  "&amp;",
  "\\",
  "`",
  "[",
  "]",
  "(",
  ")",
  // Braces keep a space so that they never touch an action's delimiters.
  "{ ",
  " }",
  "url(",
  ";",
  "+",
  "return ",
  "var a = ",
  "<",
  "<!DOCTYPE html>",
  "color: ",
  "javascript:",
  "/path?q=",
];

const ACTIONS = [
  "{{.A}}",
  "{{.}}",
  "{{.N}}",
  "{{html .A}}",
  "{{.A | html}}",
  "{{.A | urlquery}}",
  "{{print .A .N}}",
  "{{$x := .A}}",
  "{{/* c */}}",
  "{{.H}}",
];


function body(r: () => number, depth: number, inRange: boolean): string {
  let s = "";
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    const k = r();
    if (k < 0.5) s += pick(r, FRAGMENTS);
    else if (k < 0.75) s += pick(r, ACTIONS);
    else if (k < 0.82 && depth < 3) s += `{{if .B}}${body(r, depth + 1, inRange)}{{else}}${body(r, depth + 1, inRange)}{{end}}`;
    else if (k < 0.87 && depth < 3) s += `{{range .L}}${body(r, depth + 1, true)}{{end}}`;
    else if (k < 0.9 && depth < 3) s += `{{with .A}}${body(r, depth + 1, inRange)}{{end}}`;
    else if (k < 0.95) s += `{{template "sub" .}}`;
    else if (inRange && k < 0.97) s += r() < 0.5 ? "{{break}}" : "{{continue}}";
    else s += pick(r, FRAGMENTS);
  }
  return s;
}

/** A random template (with a `sub` definition it may call) for `seed`. */
function randomTemplate(seed: number): string {
  const r = seededRandom(seed);
  const sub = body(r, 2, false).replaceAll(`{{template "sub" .}}`, "");
  return `{{define "sub"}}${sub}{{end}}${body(r, 0, false)}`;
}

/** Data for random templates: strings that break out of contexts, a flag, a list, trusted HTML. */
function randomTemplateData(seed: number, html: unknown): Record<string, unknown> {
  const r = seededRandom(seed ^ 0x9e3779b9);
  const strings = ["<b>\"x\" & 'y'</b>", "javascript:alert(1)", "a b/c?d=e#f", "</script>", "", "10px", "-->"];
  return {
    A: pick(r, strings),
    B: r() < 0.5,
    N: pick(r, [0, 7, -1.5]),
    L: pick(r, [[], [{ A: "<y>", B: false, N: 1, L: [], H: "" }], [{ A: "x'", B: true, N: 2, L: [], H: null }, { A: "", B: false, N: 3, L: [], H: "h" }]]),
    H: html,
  };
}

type Outcome = { out: string; err?: undefined } | { out: string; err: string };

function renderOurs(seed: number): Outcome {
  try {
    const t = new HtmlTemplate("t").parse(randomTemplate(seed));
    return { out: t.execute(randomTemplateData(seed, new HTML("<i>trusted</i>"))) };
  } catch (e) {
    if (!(e instanceof LiveTemplateError)) throw e;
    return { out: "", err: e.message };
  }
}

describe("random templates", () => {
  it("render or fail with a LiveTemplateError, never crash", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const r = renderOurs(seed);
        expect(typeof r.out).toBe("string");
      }),
      { numRuns: 400 },
    );
  });
});

const SEEDS = Array.from({ length: 1500 }, (_, i) => i * 7919 + 1);

describe.skipIf(skipWithoutGo)("random templates agree with Go's html/template", () => {
  let results: GoResult[] = [];
  const counts = { rendered: 0, failed: 0 };
  it("runs Go over every seed", () => {
    results = runGo(
      SEEDS.map((seed) => ({
        mode: "html" as const,
        template: randomTemplate(seed),
        data: randomTemplateData(seed, new HTML("<i>trusted</i>")),
      })),
    );
    expect(results).toHaveLength(SEEDS.length);
  });
  it("gives Go's output or Go's error for every seed", () => {
    const mismatches: string[] = [];
    SEEDS.forEach((seed, i) => {
      const want = results[i];
      const got = renderOurs(seed);
      if (want === undefined) throw new Error("missing result");
      if (want.err !== undefined) counts.failed++;
      else counts.rendered++;
      const same = want.err !== undefined ? got.err === want.err : got.err === undefined && got.out === want.out;
      if (!same) {
        mismatches.push(`seed ${seed}: ${JSON.stringify(randomTemplate(seed))}\n  go:   ${JSON.stringify(want)}\n  ours: ${JSON.stringify(got)}`);
      }
    });
    expect(mismatches.slice(0, 5).join("\n")).toBe("");
    // Both outcomes must be well represented for the comparison to mean something.
    expect(counts.rendered).toBeGreaterThan(200);
    expect(counts.failed).toBeGreaterThan(200);
  });
});
