/**
 * The page of a generated resource: its store (src/pages/PLURAL.ts), its template and its test.
 */
import type { Names } from "../names.js";
import type { Field } from "./fields.js";
import type { Storage } from "./resource-data.js";

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export function pageStore(n: Names): string {
  return `/**
 * The ${n.humanPlural} page: a list (search and pagination come from the query, \`?q=...&page=2\`),
 * a form to add one, editing a row in place, and deleting after a confirmation.
 */
import { MultiError, ValidationError } from "livetemplate";
import type { ActionContext, MountContext } from "livetemplate";
import { ${n.camelPlural}, ${n.camel}FromForm } from "../data/${n.kebabPlural}.js";
import type { ${n.pascal} } from "../data/${n.kebabPlural}.js";

const PER_PAGE = 10;

export class ${n.pascalPlural}Page {
  Rows: ${n.pascal}[] = [];
  Total = 0;
  Search = "";
  Page = 1;
  Pages = 1;
  PrevPage = 1;
  NextPage = 1;
  /** The id of the row shown as a form, or 0. */
  Editing = 0;
  /** The id of the row asking "delete?", or 0. */
  Confirming = 0;

  mount(ctx: MountContext): void {
    this.Search = (ctx.query["q"] ?? "").trim();
    this.Page = Math.max(1, Number.parseInt(ctx.query["page"] ?? "1", 10) || 1);
    this.load();
  }

  create(ctx: ActionContext): void {
    ${n.camelPlural}.create(${n.camel}FromForm(ctx.data, ${n.camelPlural}));
    this.Page = 1;
    this.load();
  }

  edit(ctx: ActionContext): void {
    this.Editing = ctx.data.getInt("id");
    this.Confirming = 0;
  }

  update(ctx: ActionContext): void {
    const id = ctx.data.getInt("id");
    ${n.camelPlural}.update(id, asEditErrors(() => ${n.camel}FromForm(ctx.data, ${n.camelPlural}, id)));
    this.Editing = 0;
    this.load();
  }

  cancel(): void {
    this.Editing = 0;
    this.Confirming = 0;
  }

  /** The first step of deleting: the row asks for a confirmation. */
  remove(ctx: ActionContext): void {
    this.Confirming = ctx.data.getInt("id");
    this.Editing = 0;
  }

  confirmRemove(ctx: ActionContext): void {
    ${n.camelPlural}.delete(ctx.data.getInt("id"));
    this.Confirming = 0;
    this.load();
  }

  private load(): void {
    let page = ${n.camelPlural}.list(this.Search, (this.Page - 1) * PER_PAGE, PER_PAGE);
    this.Pages = Math.max(1, Math.ceil(page.total / PER_PAGE));
    if (this.Page > this.Pages) {
      this.Page = this.Pages;
      page = ${n.camelPlural}.list(this.Search, (this.Page - 1) * PER_PAGE, PER_PAGE);
    }
    this.PrevPage = Math.max(1, this.Page - 1);
    this.NextPage = Math.min(this.Pages, this.Page + 1);
    this.Rows = page.rows;
    this.Total = page.total;
  }
}

/**
 * Reports the edit form's errors under \`edit.FIELD\`, so that they show in the edited row and
 * not in the create form, whose fields have the same names.
 */
function asEditErrors<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof MultiError) throw new MultiError(err.errors.map((e) => new ValidationError(\`edit.\${e.field}\`, e.message)));
    throw err;
  }
}
`;
}

function input(f: Field, value: string, idPrefix: string): string {
  const id = `${idPrefix}${f.name}`;
  switch (f.type) {
    case "text":
      return `<textarea id="${id}" name="${f.name}">${value === "" ? "" : `{{${value}}}`}</textarea>`;
    case "bool":
      return `<input type="checkbox" id="${id}" name="${f.name}"${value === "" ? "" : `{{if ${value}}} checked{{end}}`}>`;
    case "int":
      return `<input type="number" step="1" id="${id}" name="${f.name}"${value === "" ? "" : ` value="{{${value}}}"`}>`;
    case "float":
      return `<input type="number" step="any" id="${id}" name="${f.name}"${value === "" ? "" : ` value="{{${value}}}"`}>`;
    case "date":
      return `<input type="date" id="${id}" name="${f.name}"${value === "" ? "" : ` value="{{${value}}}"`}>`;
    case "string":
      return `<input type="text" id="${id}" name="${f.name}"${value === "" ? "" : ` value="{{${value}}}"`}>`;
    default: {
      const never: never = f.type;
      return never;
    }
  }
}

function cell(f: Field): string {
  if (f.type === "bool") return `{{if .${f.name}}}yes{{else}}no{{end}}`;
  return `{{.${f.name}}}`;
}

const errorOf = (f: Field, dollar: string, prefix: "" | "edit"): string => {
  if (f.type === "bool") return ""; // a checkbox cannot be wrong
  const key = prefix === "" ? f.name : `${prefix}.${f.name}`;
  const id = prefix === "" ? `${f.name}-error` : `${prefix}-${f.name}-error`;
  return `{{if ${dollar}.lvt.HasError "${key}"}}<span class="error" id="${id}">{{${dollar}.lvt.Error "${key}"}}</span>{{end}}`;
};

export function pageTemplate(n: Names, fields: readonly Field[]): string {
  const cols = fields.length + 1;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<title>${cap(n.humanPlural)}</title>
{{template "head"}}
</head>
<body>
<nav><a href="/">Home</a> › ${cap(n.humanPlural)}</nav>
<h1>${cap(n.humanPlural)}</h1>

<form method="get" class="row" id="search" lvt-form:no-intercept>
  <input type="search" name="q" value="{{.Search}}" placeholder="Search" aria-label="Search">
  <button>Search</button>
  {{if .Search}}<a href="?">Clear</a>{{end}}
</form>

<table id="${n.kebabPlural}">
  <thead><tr>${fields.map((f) => `<th>${cap(f.label)}</th>`).join("")}<th></th></tr></thead>
  <tbody>
  {{range .Rows}}
    {{if eq .id $.Editing}}
    <tr data-key="{{.id}}">
      <td colspan="${cols}">
        <form method="post" id="edit-form">
          <input type="hidden" name="lvt-action" value="update">
          <input type="hidden" name="id" value="{{.id}}">
${fields.map((f) => `          <label>${cap(f.label)} ${[input(f, `.${f.name}`, "edit-"), errorOf(f, "$", "edit")].join(" ").trimEnd()}</label>`).join("\n")}
          <button name="update">Save</button> <button name="cancel" formnovalidate>Cancel</button>
        </form>
      </td>
    </tr>
    {{else}}
    <tr data-key="{{.id}}">
${fields.map((f) => `      <td>${cell(f)}</td>`).join("\n")}
      <td>
        {{if eq .id $.Confirming}}
        <form method="post" class="row"><input type="hidden" name="id" value="{{.id}}">Delete this ${n.human}? <button name="confirmRemove">Yes, delete</button> <button name="cancel">No</button></form>
        {{else}}
        <form method="post" class="row"><input type="hidden" name="id" value="{{.id}}"><button name="edit">Edit</button> <button name="remove">Delete</button></form>
        {{end}}
      </td>
    </tr>
    {{end}}
  {{else}}
    <tr><td colspan="${cols}">{{if .Search}}No ${n.humanPlural} match “{{.Search}}”.{{else}}No ${n.humanPlural} yet.{{end}}</td></tr>
  {{end}}
  </tbody>
</table>

<p class="row" id="pages">
  {{.Total}} ${n.humanPlural} · page {{.Page}} of {{.Pages}}
  {{if gt .Page 1}}<a id="prev" href="?q={{.Search}}&amp;page={{.PrevPage}}">Previous</a>{{end}}
  {{if lt .Page .Pages}}<a id="next" href="?q={{.Search}}&amp;page={{.NextPage}}">Next</a>{{end}}
</p>

<h2>New ${n.human}</h2>
<form method="post" id="create-form">
  <input type="hidden" name="lvt-action" value="create">
${fields.map((f) => `  <label>${cap(f.label)} ${[input(f, "", ""), errorOf(f, "", "")].join(" ").trimEnd()}</label>`).join("\n")}
  <button>Create</button>
</form>
</body>
</html>
`;
}

/** A value for each field that passes validation; `i` makes unique fields differ. */
function sample(f: Field, i: string): string {
  switch (f.type) {
    case "string":
    case "text":
      return `\`${f.label} \${${i}}\``;
    case "int":
      return `String(${i})`;
    case "float":
      return `String(${i} + 0.5)`;
    case "bool":
      return `"on"`;
    case "date":
      return `"2025-01-15"`;
    default: {
      const never: never = f.type;
      return never;
    }
  }
}

export function pageTest(n: Names, fields: readonly Field[], storage: Storage): string {
  const path = `/${n.kebabPlural}`;
  const required = fields.find((f) => f.required);
  const form = `{ "lvt-action": "create", ${fields.map((f) => `${f.name}: ${sample(f, "i")}`).join(", ")} }`;
  return `import { test } from "node:test";
import assert from "node:assert/strict";
${storage === "sqlite" ? `import { mkdtempSync } from "node:fs";\nimport { tmpdir } from "node:os";\nimport { join } from "node:path";\n\n// A database of this test file's own, created by the migrations on first use.\nprocess.env["DATABASE_FILE"] = join(mkdtempSync(join(tmpdir(), "${n.kebabPlural}-")), "test.db");\n` : ""}
import { startApp, Visitor } from "./helpers.js";

const app = await startApp();
const form = (i: number): Record<string, string> => (${form});

test("the ${n.humanPlural} page lists what was created, newest first", async () => {
  const me = new Visitor(app.url);
  await me.get("${path}");
  assert.equal((await me.post("${path}", form(1))).status, 303);
  assert.equal((await me.post("${path}", form(2))).status, 303);
  const html = (await me.get("${path}")).html;
  assert.ok(html.indexOf('data-key="2"') < html.indexOf('data-key="1"'), "newest first");
});
${
  required
    ? `
test("creating without ${required.label} shows why", async () => {
  const me = new Visitor(app.url);
  await me.get("${path}");
  const page = await me.post("${path}", { ...form(100), ${required.name}: "" });
  assert.equal(page.status, 422);
  assert.match(page.html, /id="${required.name}-error">${cap(required.label)} is required</);
});
`
    : ""
}
test("a ${n.human} can be edited and deleted", async () => {
  const me = new Visitor(app.url);
  await me.get("${path}");
  await me.post("${path}", form(200));
  const id = /data-key="(\\d+)"/.exec((await me.get("${path}")).html)?.[1] ?? "";
  assert.notEqual(id, "");
  assert.equal((await me.post("${path}", { ...form(201), "lvt-action": "update", id })).status, 303);
  assert.equal((await me.post("${path}", { "lvt-action": "remove", id })).status, 303);
  assert.match((await me.get("${path}")).html, /Delete this ${n.human}\\?/);
  assert.equal((await me.post("${path}", { "lvt-action": "confirmRemove", id })).status, 303);
  assert.doesNotMatch((await me.get("${path}")).html, new RegExp(\`data-key="\${id}"\`));
});

test("the list is paginated by the query", async () => {
  const me = new Visitor(app.url);
  await me.get("${path}");
  for (let i = 300; i < 312; i++) await me.post("${path}", form(i));
  const first = (await me.get("${path}?page=1")).html;
  assert.match(first, /id="next"/);
  const last = (await me.get("${path}?page=99")).html;
  assert.doesNotMatch(last, /id="next"/);
  assert.match(last, /id="prev"/);
});
`;
}
