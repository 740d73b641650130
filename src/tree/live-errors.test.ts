import { describe, expect, it } from "vitest";
import { HtmlTemplate } from "../template/template.js";
import { Template } from "../live/template.js";

// One walker: the live paths (executeUpdates, with and without hints, and executeToHTML) run the
// executor's own range, with and if code, so a failing template fails with the very message, type
// name and position of a plain render.

interface ErrorCase {
  name: string;
  src: string;
  data: unknown;
}

const CASES: ErrorCase[] = [
  { name: "a field of a range element over an array", src: "{{range .L}}{{.Y}}{{end}}", data: { L: [1] } },
  { name: "a field of a range element over a map", src: "{{range .M}}{{.Y}}{{end}}", data: { M: { a: 1 } } },
  { name: "a field of a range element over an integer", src: "{{range 3}}{{.Y}}{{end}}", data: {} },
  { name: "two variables over an integer", src: "{{range $i, $e := 3}}{{$i}}{{end}}", data: {} },
  { name: "two variables over an integer field", src: "<p>{{range $i, $e := .N}}{{$e}}{{end}}</p>", data: { N: 2 } },
  { name: "a range over a float", src: "{{range .F}}x{{end}}", data: { F: 2.5 } },
  { name: "a range over a string", src: "{{range .S}}x{{end}}", data: { S: "abc" } },
  { name: "a range over a boolean", src: "<ul>{{range .B}}<li>x</li>{{end}}</ul>", data: { B: true } },
  { name: "a field of a with value inside a range", src: "{{range .L}}{{with .A}}{{.B}}{{end}}{{end}}", data: { L: [{ A: 3 }] } },
  { name: "a field of a with value", src: "{{with .A}}{{.B}}{{end}}", data: { A: 3 } },
  { name: "a field of an integer at the root", src: "<b>{{.X.Y}}</b>", data: { X: 1 } },
  { name: "a nested range element field", src: "{{range .L}}{{range .K}}{{.Z}}{{end}}{{end}}", data: { L: [{ K: [7] }] } },
  { name: "a keyed row with a bad field", src: '<ul>{{range .L}}<li data-key="{{.ID}}">{{.N.M}}</li>{{end}}</ul>', data: { L: [{ ID: 1, N: 2 }] } },
  { name: "a function given the wrong argument", src: "{{range .L}}{{len .}}{{end}}", data: { L: [1] } },
  { name: "index out of range in a range body", src: "{{range .L}}{{index . 5}}{{end}}", data: { L: [[1]] } },
  { name: "a call of a non-function", src: "{{range .L}}{{call .}}{{end}}", data: { L: [1] } },
  { name: "an else branch after a bad range value", src: "{{range .X}}a{{else}}b{{end}}", data: { X: 1.5 } },
  { name: "a template invoked from a range", src: '{{define "r"}}{{.Q}}{{end}}{{range .L}}{{template "r" .}}{{end}}', data: { L: [1] } },
  { name: "a template invoked with an integer dot", src: '{{define "r"}}{{.Q}}{{end}}{{template "r" .N}}', data: { N: 1 } },
];

function message(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    return (err as Error).message;
  }
  return "(no error)";
}

describe("live renders fail as plain renders fail", () => {
  it.each(CASES)("$name", ({ src, data }) => {
    const plain = message(() => new HtmlTemplate("t").parse(src).execute(data));
    expect(plain).toMatch(/^template: t:\d+:\d+: executing "[a-z]+" at </);
    const live = new Template("t").parse(src);
    expect(message(() => live.executeUpdates(data))).toBe(plain);
    expect(message(() => live.executeToHTML(data))).toBe(plain);
  });

  it.each(CASES)("$name, after a good render and with a hint", ({ src, data }) => {
    const plain = message(() => new HtmlTemplate("t").parse(src).execute(data));
    const live = new Template("t").parse(src);
    // The first render may fail too (a template that always fails); the view then holds nothing.
    message(() => live.executeUpdates({}));
    expect(message(() => live.executeUpdates(data, { changed: [[]] }))).toBe(plain);
  });

  it("names the same type and position when a hinted re-render of one row fails", () => {
    const src = '<ul>{{range .L}}<li data-key="{{.ID}}">{{.V.W}}</li>{{end}}</ul>';
    const live = new Template("t").parse(src);
    const ok = { L: [{ ID: 1, V: { W: 1 } }, { ID: 2, V: { W: 2 } }] };
    live.executeUpdates(ok);
    const bad = { L: [ok.L[0], { ID: 2, V: 5 }] };
    const plain = message(() => new HtmlTemplate("t").parse(src).execute(bad));
    expect(plain).toContain("in type int");
    expect(message(() => live.executeUpdates(bad, { changed: [["L", 1, "V"]] }))).toBe(plain);
  });
});
