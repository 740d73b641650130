import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TemplateParseError } from "./errors.js";
import { treeToString } from "./node-string.js";
import { parse, type ParseOptions } from "./parse.js";

/** Pieces that look like template syntax, glued at random to make mostly broken templates. */
const FRAGMENTS = [
  "{{", "}}", "{{- ", " -}}", "{{/*", "*/}}", "/* c */", "if ", "else ", "else if ", "end", "range ", "with ",
  "define ", "block ", "template ", "break", "continue", "nil", "true", "|", " | ", "$", "$x", "$y", ":=", " := ",
  "=", ",", ".", ".A", ".B.C", "(", ")", '"s"', '"a\\n"', "`r`", "'c'", "'\\x41'", "1", "-2", "0x1F", "1.5", "1+2i",
  "printf ", "len ", "and ", "text", " ", "\n", "{", "}", "-", "é", '"x"',
];

const soup = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 30 }).map((parts) => parts.join(""));

/** Words that go inside actions. */
const INSIDE = [
  "if", "else", "end", "range", "with", "define", "block", "template", "break", "continue", "nil", "true",
  "|", "$", "$x", "$y", ":=", "=", ",", ".", ".A", ".B.C", "(", ")", '"s"', "`r`", "'c'", "1", "-2", "1.5",
  "printf", "len", "and", "/* c */", "-", "é",
];

/** Text and delimited actions holding random words: balanced delimiters, so more of these parse. */
const actions = fc
  .array(
    fc.oneof(
      fc.constantFrom("text", " ", "\n", "{", "}", "é"),
      fc
        .tuple(
          fc.constantFrom("{{", "{{- ", "{{ "),
          fc.array(fc.constantFrom(...INSIDE), { minLength: 1, maxLength: 6 }),
          fc.constantFrom(" ", ""),
          fc.constantFrom("}}", " -}}"),
        )
        .map(([l, words, sep, r]) => l + words.join(sep === "" ? " " : sep) + r),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(""));

/** Builds templates from the grammar, so that most of them parse and deeper shapes get printed. */
const structured = fc.letrec<{ list: string; action: string; pipe: string; arg: string }>((tie) => ({
  arg: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(".", ".A", ".A.B", "$", "$.X", "nil", "true", "1", "-0x1F", "2.5e3", "'a'", '"q\\"s"', "`raw`", "1i"),
    tie("pipe").map((p) => `(${p})`),
    tie("pipe").map((p) => `(${p}).F`),
  ),
  pipe: fc.oneof(
    { depthSize: "small" },
    tie("arg"),
    fc.tuple(tie("arg"), tie("arg")).map(([a, b]) => `printf ${a} ${b}`),
    fc.tuple(tie("arg"), fc.constantFrom("len", "print", "printf \"%v\"")).map(([a, f]) => `${a} | ${f}`),
  ),
  action: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    tie("pipe").map((p) => `{{${p}}}`),
    tie("pipe").map((p) => `{{- ${p} -}}`),
    tie("pipe").map((p) => `{{$v := ${p}}}{{$v}}`),
    fc.constant("{{/* note */}}"),
    fc.tuple(tie("pipe"), tie("list")).map(([p, l]) => `{{if ${p}}}${l}{{end}}`),
    fc.tuple(tie("pipe"), tie("list"), tie("list")).map(([p, a, b]) => `{{if ${p}}}${a}{{else}}${b}{{end}}`),
    fc.tuple(tie("pipe"), tie("pipe"), tie("list"), tie("list")).map(([p, q, a, b]) => `{{if ${p}}}${a}{{else if ${q}}}${b}{{end}}`),
    fc.tuple(tie("pipe"), tie("pipe"), tie("list")).map(([p, q, a]) => `{{with ${p}}}${a}{{else with ${q}}}{{end}}`),
    fc.tuple(tie("pipe"), tie("list")).map(([p, l]) => `{{range $i, $e := ${p}}}{{$i}}${l}{{break}}{{end}}`),
    fc.tuple(tie("pipe"), tie("list")).map(([p, l]) => `{{range ${p}}}{{continue}}${l}{{else}}none{{end}}`),
    tie("pipe").map((p) => `{{template "x" ${p}}}`),
    fc.tuple(tie("pipe"), tie("list")).map(([p, l]) => `{{block "b" ${p}}}${l}{{end}}`),
  ),
  list: fc
    .array(fc.oneof(tie("action"), fc.constantFrom("a", " ", "\n", "{", "}", "<p>", "é")), { maxLength: 4 })
    .map((parts) => parts.join("")),
}));

/**
 * Parses `src`; any failure must be a TemplateParseError. When it parses, every tree must
 * print a text that parses again and prints the same.
 */
function checkRoundTrip(src: string, options: ParseOptions): void {
  let trees;
  try {
    trees = parse("t", src, options);
  } catch (err) {
    if (err instanceof TemplateParseError) return;
    throw err;
  }
  for (const [name, tree] of trees) {
    const once = treeToString(tree);
    const again = parse(name, once, options).get(name);
    expect(again, `tree ${name} printed as ${JSON.stringify(once)}`).toBeDefined();
    if (again !== undefined) expect(treeToString(again)).toBe(once);
  }
}

describe("parser properties", () => {
  for (const keepComments of [false, true]) {
    const options: ParseOptions = { keepComments };
    const label = keepComments ? " (keeping comments)" : "";

    it(`only ever throws TemplateParseError and round-trips what it accepts${label}`, () => {
      fc.assert(
        fc.property(soup, (src) => checkRoundTrip(src, options)),
        { numRuns: 3000 },
      );
    });

    it(`round-trips random actions with balanced delimiters${label}`, () => {
      fc.assert(
        fc.property(actions, (src) => checkRoundTrip(src, options)),
        { numRuns: 3000 },
      );
    });

    it(`round-trips templates built from the grammar${label}`, () => {
      fc.assert(
        fc.property(structured.list, (src) => {
          // Most of these are valid; the few that are not must still fail cleanly.
          checkRoundTrip(src, options);
        }),
        { numRuns: 1500 },
      );
    });
  }

  it("never throws anything but TemplateParseError on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 60 }), (s) => checkRoundTrip("{{" + s, {})),
      { numRuns: 2000 },
    );
  });
});
