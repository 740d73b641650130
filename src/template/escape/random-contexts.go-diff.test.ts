import { describe, expect, it } from "vitest";
import { runGo, skipWithoutGo } from "../../../test/go/oracle.js";
import type { GoResult } from "../../../test/go/oracle.js";
import { LiveTemplateError } from "../../errors.js";
import { HTML, JS, JSStr, URL } from "../content.js";
import { HtmlTemplate } from "../template.js";
import { pick, seededRandom } from "../../../test/seeded-random.js";

// A seeded differential run of html templates that mostly start inside a script, an event
// handler, a style, a URL or an unquoted attribute, and then mix the text that moves the context
// there (quotes, template literals and `${`, braces, comments of every kind, `</script`, regexps,
// `url(`, `?`...) with actions, branches, loops and a template call. Every template must render
// exactly as Go's html/template renders it, or fail with Go's error.
//
// LT_RANDOM_CONTEXTS_COUNT and LT_RANDOM_CONTEXTS_SEED change the run (docs/template.md records
// the default one).

const DEFAULT_SEED = 20250123;
const DEFAULT_COUNT = 30_000;

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return n;
}

const SEED = envInt("LT_RANDOM_CONTEXTS_SEED", DEFAULT_SEED);
const COUNT = envInt("LT_RANDOM_CONTEXTS_COUNT", DEFAULT_COUNT);
/** Cases per Go process: fewer, larger batches are faster, but each batch is held in memory. */
const BATCH = 10_000;

/**
 * Where a template starts, the text that would close what it opened, and a weight: mostly JS,
 * CSS, attribute values and URLs.
 */
const OPENERS: ReadonlyArray<readonly [string, string, number]> = [
  ["<script>", "</script>", 8],
  ["<script>var x = `", "`</script>", 4],
  ["<script>var x = `${ ", " }`</script>", 3],
  ["<script>x = '", "'</script>", 2],
  ["<script>x = \"", "\"</script>", 2],
  ["<script>x = /", "/</script>", 2],
  ["<script type=\"module\">", "</script>", 1],
  ["<a onclick=\"", "\">", 4],
  ["<a onclick='", "'>", 2],
  ["<a onclick=", ">", 2],
  ["<a onclick=\"`", "`\">", 2],
  ["<style>", "</style>", 4],
  ["<p style=\"", "\">", 3],
  ["<p style=", ">", 2],
  ["<style>p { background: url(", ") }</style>", 2],
  ["<a href=\"", "\">", 3],
  ["<a href=", ">", 3],
  ["<a href='/x?q=", "'>", 2],
  ["<img srcset=\"", "\">", 2],
  ["<img srcset=", ">", 1],
  ["<input value=", ">", 3],
  ["<p title=", ">", 3],
  ["<p title=x", ">", 1],
  ["<p title=\"", "\">", 2],
  ["<p ", ">", 2],
  ["", "", 2],
];

const JS_TEXT = [
  " ",
  "\n",
  "x",
  "x = ",
  "a++",
  "1.",
  "return ",
  "typeof ",
  "-",
  "- ",
  "+",
  "<",
  "#",
  "#!",
  "<!--",
  "-->",
  " -->",
  "'",
  "\"",
  "`",
  "${",
  "{",
  "}",
  " { ",
  " } ",
  "/",
  "/re/",
  "/[/]/",
  "//",
  "/*",
  "*/",
  "\\",
  "\\`",
  "$",
  "(",
  ")",
  ";",
  "[",
  "]",
  "</script>",
  "</SCRIPT>",
  "<script",
  "<ScRiPt>",
  "</script",
  "\u00a0",
  "\u2028",
  "\u3000",
  "\ufeff",
  "\v",
];

const CSS_TEXT = [
  " ",
  "color: ",
  "url(",
  "url( '",
  "url(\"",
  ")",
  "'",
  "\"",
  "/*",
  "*/",
  "//",
  "\n",
  ";",
  " { ",
  " } ",
  "\\",
  "\\29 ",
  "</style>",
  "<",
  ">",
  "?",
  "#",
  "expression(",
];

const URL_TEXT = ["?", "#", "&", "=", "/path", "javascript:", "http://x/", " ", ",", " 2x", "%", "a b"];

const HTML_TEXT = [
  " ",
  ">",
  "\"",
  "'",
  "=",
  " name=",
  " title=",
  " value=",
  " onclick=",
  " onclick=\"",
  " href=",
  " style=",
  " srcset=",
  "<p>",
  "</p>",
  "<a ",
  "<!--",
  "-->",
  "<script>",
  "</script>",
  "<style>",
  "</style>",
  "&amp;",
  "&quot;",
  "&#39;",
  "&lt;",
  "<",
  "x",
];

const ACTIONS = [
  "{{.A}}",
  "{{.A}}",
  "{{.E}}",
  "{{.}}",
  "{{.N}}",
  "{{.F}}",
  "{{.L}}",
  "{{.H}}",
  "{{.J}}",
  "{{.S}}",
  "{{.U}}",
  "{{.Z}}",
  "{{print .A .N}}",
  "{{.A | html}}",
  "{{.A | urlquery}}",
  "{{$x := .A}}",
  "{{/* c */}}",
];


function pickWeighted<T extends readonly [string, string, number]>(r: () => number, xs: readonly T[]): T {
  let total = 0;
  for (const x of xs) total += x[2];
  let k = r() * total;
  for (const x of xs) {
    k -= x[2];
    if (k < 0) return x;
  }
  return xs[xs.length - 1] as T;
}

/** A fragment of literal text, mostly of the language the opener started. */
function text(r: () => number, lang: readonly string[]): string {
  const k = r();
  if (k < 0.6) return pick(r, lang);
  if (k < 0.75) return pick(r, JS_TEXT);
  if (k < 0.85) return pick(r, CSS_TEXT);
  if (k < 0.92) return pick(r, URL_TEXT);
  return pick(r, HTML_TEXT);
}

/** Appends `b` to `a`, keeping a `{` of the text from touching a `{` that follows (`{{{` does not parse). */
function cat(a: string, b: string): string {
  return a.endsWith("{") && b.startsWith("{") ? `${a} ${b}` : a + b;
}

function body(r: () => number, lang: readonly string[], depth: number, inRange: boolean): string {
  let s = "";
  const n = 1 + Math.floor(r() * 7);
  for (let i = 0; i < n; i++) {
    const k = r();
    if (k < 0.5) s = cat(s, text(r, lang));
    else if (k < 0.8) s = cat(s, pick(r, ACTIONS));
    else if (k < 0.87 && depth < 2) {
      const then = cat(body(r, lang, depth + 1, inRange), "{{else}}");
      s = cat(s, `{{if .B}}${then}${cat(body(r, lang, depth + 1, inRange), "{{end}}")}`);
    } else if (k < 0.91 && depth < 2) s = cat(s, `{{range .R}}${cat(body(r, lang, depth + 1, true), "{{end}}")}`);
    else if (k < 0.95) s = cat(s, `{{template "sub" .}}`);
    else if (inRange && k < 0.97) s = cat(s, r() < 0.5 ? "{{break}}" : "{{continue}}");
    else s = cat(s, text(r, lang));
  }
  return s;
}

function langOf(opener: string): readonly string[] {
  if (opener.includes("script") || opener.includes("onclick")) return JS_TEXT;
  if (opener.includes("style")) return CSS_TEXT;
  if (opener.includes("href") || opener.includes("srcset")) return URL_TEXT;
  return HTML_TEXT;
}

/** The `i`th template of the run with seed `seed`, with a `sub` definition it may call. */
function contextTemplate(seed: number, i: number): string {
  const r = seededRandom(Math.imul(seed, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b));
  const [opener, closer] = pickWeighted(r, OPENERS);
  const lang = langOf(opener);
  const sub = body(r, lang, 1, false).replaceAll(`{{template "sub" .}}`, "");
  return cat(`{{define "sub"}}${cat(sub, "{{end}}")}${opener}`, body(r, lang, 0, false)) + closer;
}

const STRINGS = [
  "x",
  "",
  "<b>\"x\" & 'y'</b>",
  "</script><script>alert(1)</script>",
  "<!--",
  "-->",
  "<ScRiPt>",
  "${alert(1)}",
  "`+x+`",
  "a b",
  "javascript:alert(1)",
  "/x?a=b&c=d#e",
  "10px",
  "red;background:url(x)",
  "a<b",
  "\\",
  "\u2028\n\f\b\t",
];

/** Data for template `i`: strings that break out of contexts, numbers, a flag, lists, trusted values. */
function contextData(seed: number, i: number): Record<string, unknown> {
  const r = seededRandom(Math.imul(seed ^ 0x5bd1e995, 31) + i);
  return {
    A: pick(r, STRINGS),
    E: "",
    B: r() < 0.5,
    N: pick(r, [0, 7, -1.5, 1e21]),
    F: r() < 0.5,
    L: pick(r, [[], ["a", 1], { k: "</script>" }]),
    R: pick(r, [[], ["x"], ["", "y"]]),
    H: new HTML(pick(r, ["<i>ok</i>", "", "<a href=\"x\">y</a>"])),
    J: new JS(pick(r, ["x + 1", ""])),
    S: new JSStr(pick(r, ["a\\u0022b", "${x}"])),
    U: new URL(pick(r, ["javascript:x()", "/a b?c=d", ""])),
    Z: null,
  };
}

type Outcome = { out: string; err?: undefined } | { out: string; err: string };

function renderOurs(template: string, data: Record<string, unknown>): Outcome {
  try {
    return { out: new HtmlTemplate("t").parse(template).execute(data) };
  } catch (e) {
    if (!(e instanceof LiveTemplateError)) throw e;
    return { out: "", err: e.message };
  }
}

describe.skipIf(skipWithoutGo)(`${COUNT} random templates in JS, CSS, attribute and URL contexts agree with Go (seed ${SEED})`, () => {
  it("render as Go renders them or fail with Go's error", () => {
    const mismatches: string[] = [];
    const counts = { rendered: 0, failed: 0, tmplLit: 0, zgotmpl: 0, scriptTag: 0 };
    for (let from = 0; from < COUNT; from += BATCH) {
      const cases = [];
      for (let i = from; i < Math.min(COUNT, from + BATCH); i++) {
        cases.push({ i, template: contextTemplate(SEED, i), data: contextData(SEED, i) });
      }
      const results: GoResult[] = runGo(cases.map((c) => ({ mode: "html" as const, template: c.template, data: c.data })));
      cases.forEach((c, k) => {
        const want = results[k];
        if (want === undefined) throw new Error(`no Go result for template ${c.i}`);
        const got = renderOurs(c.template, c.data);
        if (want.err !== undefined) {
          counts.failed++;
        } else {
          counts.rendered++;
          if (c.template.includes("`") && /\\u0024|\\u007b/.test(want.out ?? "")) counts.tmplLit++;
          if ((want.out ?? "").includes("ZgotmplZ")) counts.zgotmpl++;
          if ((want.out ?? "").includes("\\x3C")) counts.scriptTag++;
        }
        const same = want.err !== undefined ? got.err === want.err : got.err === undefined && got.out === want.out;
        if (!same) {
          mismatches.push(`template ${c.i}: ${JSON.stringify(c.template)}\n  go:   ${JSON.stringify(want)}\n  ours: ${JSON.stringify(got)}`);
        }
      });
    }
    expect(`${mismatches.length} mismatches\n${mismatches.slice(0, 5).join("\n")}`).toBe("0 mismatches\n");
    if (COUNT >= DEFAULT_COUNT) {
      // The run must reach the contexts it is about, and succeed and fail in good numbers.
      expect(counts.rendered).toBeGreaterThan(COUNT / 10);
      expect(counts.failed).toBeGreaterThan(COUNT / 10);
      expect(counts.tmplLit).toBeGreaterThan(100);
      expect(counts.zgotmpl).toBeGreaterThan(100);
      expect(counts.scriptTag).toBeGreaterThan(100);
    }
  }, 300_000);
});
