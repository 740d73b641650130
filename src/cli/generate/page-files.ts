/**
 * The files of `lvt gen page NAME`: a store with one action, its template, and a test.
 */
import type { Names } from "../names.js";

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export function pageFiles(n: Names): Record<string, string> {
  const title = cap(n.human);
  return {
    [`src/pages/${n.kebab}.ts`]: `/**
 * The ${n.human} page's state and actions. Add a field to show it in ${n.kebab}.tmpl as
 * {{.Field}}; add a method to make it an action (\`lvt-on:click="method"\` or \`<button name="method">\`).
 */
export class ${n.pascal}Page {
  Message = "";

  greet(): void {
    this.Message = "Hello!";
  }
}
`,
    [`src/pages/${n.kebab}.tmpl`]: `<!DOCTYPE html>
<html lang="en">
<head>
<title>${title}</title>
{{template "head"}}
</head>
<body>
<nav><a href="/">Home</a> › ${title}</nav>
<h1>${title}</h1>
<form method="post"><button name="greet">Greet</button></form>
<p id="message">{{.Message}}</p>
</body>
</html>
`,
    [`test/${n.kebab}.test.ts`]: `import { test } from "node:test";
import assert from "node:assert/strict";
import { startApp, Visitor } from "./helpers.js";

const app = await startApp();

test("the ${n.human} page greets", async () => {
  const me = new Visitor(app.url);
  assert.equal((await me.get("/${n.kebab}")).status, 200);
  assert.equal((await me.post("/${n.kebab}", { "lvt-action": "greet" })).status, 303);
  assert.match((await me.get("/${n.kebab}")).html, /<p id="message">Hello!<\\/p>/);
});
`,
  };
}
