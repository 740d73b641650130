// Template engine benchmark: parse and execute of a ~200-line page and of a 1,000-row table, with
// our HtmlTemplate (contextual escaping on) and TextTemplate side by side with Handlebars rendering
// the same output (checked equal before timing).
// Run: npm run bench -- template   (or, after a build: node --expose-gc bench/template.bench.mjs)
// Columns:
//   parse µs     new template + parse (+ escaping, for html) + first execute; Handlebars: compile
//                + first render (Handlebars compiles lazily on the first call)
//   exec µs      one execute of the parsed template (median)
//   exec/s       executions per second from the median
//   ratio        our time / Handlebars time (below 1 means faster than Handlebars)
// The engines are timed in alternation (one sample each per round); figures are medians.
import Handlebars from "handlebars";
import { HtmlTemplate, TextTemplate } from "../dist/index.js";

// ---- one template, two syntaxes ----
// A tiny builder that emits the same template in Go syntax and in Handlebars syntax.
const go = { out: [] };
const hb = { out: [] };
const emit = (g, h = g) => {
  go.out.push(g);
  hb.out.push(h);
};
const text = (s) => emit(s);
const field = (path) => emit(`{{.${path}}}`, `{{${path}}}`);
const rootField = (path) => emit(`{{$.${path}}}`, `{{@root.${path}}}`);
const ifElse = (path, yes, no) => {
  emit(`{{if .${path}}}`, `{{#if ${path}}}`);
  yes();
  if (no) {
    emit("{{else}}");
    no();
  }
  emit("{{end}}", "{{/if}}");
};
const each = (path, body, empty) => {
  emit(`{{range .${path}}}`, `{{#each ${path}}}`);
  body();
  if (empty) {
    emit("{{else}}");
    empty();
  }
  emit("{{end}}", "{{/each}}");
};
const withBlock = (path, body) => {
  emit(`{{with .${path}}}`, `{{#with ${path}}}`);
  body();
  emit("{{end}}", "{{/with}}");
};

function pageTemplate() {
  go.out = [];
  hb.out = [];
  text(`<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>`);
  field("title");
  text(` | `);
  field("site.name");
  text(`</title>\n<meta name="description" content="`);
  field("description");
  text(`">\n<link rel="stylesheet" href="/static/site.css">\n</head>\n<body class="`);
  field("theme");
  text(`">\n<header class="top">\n<a class="brand" href="/">`);
  field("site.name");
  text(`</a>\n<nav>\n<ul>\n`);
  each("nav", () => {
    text(`<li class="`);
    ifElse("active", () => text("active"), () => text("idle"));
    text(`"><a href="`);
    field("href");
    text(`">`);
    field("label");
    text(`</a></li>\n`);
  });
  text(`</ul>\n</nav>\n`);
  withBlock("user", () => {
    text(`<div class="user">\n<span class="name">`);
    field("name");
    text(`</span>\n`);
    ifElse("admin", () => text(`<a class="admin" href="/admin">Admin</a>\n`));
    text(`<span class="count">`);
    field("unread");
    text(` unread</span>\n</div>\n`);
  });
  text(`</header>\n<main>\n<h1>`);
  field("title");
  text(`</h1>\n`);
  each("alerts", () => {
    text(`<div class="alert alert-`);
    field("level");
    text(`">`);
    field("message");
    text(`</div>\n`);
  });
  for (let s = 0; s < 9; s++) {
    text(`<section class="block block-${s}">\n<h2>`);
    field(`sections.s${s}.heading`);
    text(`</h2>\n<p class="lead">`);
    field(`sections.s${s}.lead`);
    text(`</p>\n<div class="cards">\n`);
    each(
      `sections.s${s}.cards`,
      () => {
        text(`<article class="card">\n<h3><a href="`);
        field("url");
        text(`">`);
        field("title");
        text(`</a></h3>\n<p>`);
        field("summary");
        text(`</p>\n<footer>\n<span class="author">`);
        field("author");
        text(`</span>\n`);
        ifElse(
          "featured",
          () => text(`<span class="badge">Featured</span>\n`),
          () => text(`<span class="badge muted">Regular</span>\n`),
        );
        text(`<ul class="tags">`);
        each("tags", () => {
          text(`<li>`);
          emit("{{.}}", "{{this}}");
          text(`</li>`);
        });
        text(`</ul>\n<span class="site">`);
        rootField("site.name");
        text(`</span>\n</footer>\n</article>\n`);
      },
      () => text(`<p class="empty">Nothing here yet.</p>\n`),
    );
    text(`</div>\n</section>\n`);
  }
  text(`<aside class="side">\n<h2>Popular</h2>\n<ol>\n`);
  each("popular", () => {
    text(`<li><a href="`);
    field("url");
    text(`">`);
    field("title");
    text(`</a> <span class="views">`);
    field("views");
    text(`</span></li>\n`);
  });
  text(`</ol>\n</aside>\n</main>\n<footer class="bottom">\n<p>`);
  field("site.copyright");
  text(`</p>\n<ul class="links">\n`);
  each("footerLinks", () => {
    text(`<li><a href="`);
    field("href");
    text(`">`);
    field("label");
    text(`</a></li>\n`);
  });
  text(`</ul>\n</footer>\n</body>\n</html>\n`);
  return { go: go.out.join(""), hbs: hb.out.join("") };
}

function tableTemplate() {
  go.out = [];
  hb.out = [];
  text(`<table class="grid">\n<thead><tr><th>ID</th><th>Name</th><th>Email</th><th>Role</th><th>Status</th><th>Score</th></tr></thead>\n<tbody>\n`);
  each("rows", () => {
    text(`<tr id="row-`);
    field("id");
    text(`" class="`);
    ifElse("active", () => text("on"), () => text("off"));
    text(`"><td>`);
    field("id");
    text(`</td><td>`);
    field("name");
    text(`</td><td>`);
    field("email");
    text(`</td><td>`);
    field("role");
    text(`</td><td>`);
    ifElse("active", () => text("active"), () => text("disabled"));
    text(`</td><td>`);
    field("score");
    text(`</td></tr>\n`);
  });
  text(`</tbody>\n</table>\n`);
  return { go: go.out.join(""), hbs: hb.out.join("") };
}

// ---- data (no quotes or `=`: Handlebars and html/template escape those differently) ----
const words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"];
const w = (i) => words[i % words.length];

function pageData() {
  const sections = {};
  for (let s = 0; s < 9; s++) {
    sections[`s${s}`] = {
      heading: `Section ${s} & more`,
      lead: `The <best> of ${w(s)} and ${w(s + 3)}.`,
      cards:
        s === 8
          ? []
          : Array.from({ length: 8 }, (_, i) => ({
              url: `/posts/${s}-${i}`,
              title: `${w(i)} ${w(i + s)} #${i}`,
              summary: `Notes on ${w(i + 1)} & ${w(i + 2)}: <short> and useful.`,
              author: `Author ${i % 4}`,
              featured: i % 3 === 0,
              tags: [w(i), w(i + 5)],
            })),
    };
  }
  return {
    title: "Front page",
    description: "News & notes",
    theme: "light",
    site: { name: "Example & Co", copyright: "(c) 2026 Example & Co" },
    nav: ["home", "news", "about", "blog", "contact"].map((label, i) => ({ label, href: `/${label}`, active: i === 1 })),
    user: { name: "Ada <admin>", admin: true, unread: 3 },
    alerts: [
      { level: "info", message: "Welcome back" },
      { level: "warn", message: "Maintenance at 22:00 & later" },
    ],
    sections,
    popular: Array.from({ length: 10 }, (_, i) => ({ url: `/p/${i}`, title: `${w(i)} story`, views: 1000 - i * 37 })),
    footerLinks: ["terms", "privacy", "jobs"].map((label) => ({ label, href: `/${label}` })),
  };
}

function tableData() {
  return {
    rows: Array.from({ length: 1000 }, (_, i) => ({
      id: i + 1,
      name: `${w(i)} ${w(i * 7 + 3)}`,
      email: `${w(i)}.${i}@example.com`,
      role: i % 10 === 0 ? "admin" : "member",
      active: i % 3 !== 0,
      score: (i * 37) % 1000,
    })),
  };
}

// ---- timing ----
// Engines are timed in alternation, one sample each per round, so that load from other processes
// on the machine falls on all of them alike and the ratios hold.
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function timeRounds(fns, minRounds, budgetUs) {
  const samples = fns.map(() => []);
  let spent = 0;
  for (let round = 0; round < minRounds || (round < 5000 && spent < budgetUs); round++) {
    fns.forEach((fn, i) => {
      const t0 = process.hrtime.bigint();
      fn();
      const us = Number(process.hrtime.bigint() - t0) / 1000;
      samples[i].push(us);
      spent += us;
    });
  }
  return samples.map(median);
}

const fmt = (us) => (us >= 100 ? us.toFixed(0) : us.toFixed(1));

function bench(label, src, data) {
  const engines = {
    "HtmlTemplate (escaping)": () => new HtmlTemplate("page").parse(src.go),
    "TextTemplate (no escaping)": () => new TextTemplate("page").parse(src.go),
    Handlebars: () => Handlebars.compile(src.hbs),
  };
  const run = (name, t) => (name === "Handlebars" ? t(data) : t.execute(data));
  const hbOut = Handlebars.compile(src.hbs)(data);
  const htmlOut = new HtmlTemplate("page").parse(src.go).execute(data);
  if (htmlOut !== hbOut) {
    let i = 0;
    while (htmlOut[i] === hbOut[i]) i++;
    throw new Error(`${label}: outputs differ at ${i}: ours ${JSON.stringify(htmlOut.slice(i - 40, i + 40))} hbs ${JSON.stringify(hbOut.slice(i - 40, i + 40))}`);
  }
  const lines = src.go.split("\n").length;
  console.log(`\n${label}: template ${lines} lines, ${src.go.length} chars; output ${hbOut.length} chars (HtmlTemplate output == Handlebars output)`);
  const names = Object.keys(engines);
  // Warm up every engine's code paths before timing.
  for (let i = 0; i < 30; i++) for (const name of names) run(name, engines[name]());
  const parse = timeRounds(names.map((name) => () => run(name, engines[name]())), 40, 1_500_000);
  const parsed = names.map((name) => engines[name]());
  for (let i = 0; i < 50; i++) names.forEach((name, k) => run(name, parsed[k]));
  const exec = timeRounds(names.map((name, k) => () => run(name, parsed[k])), 100, 2_000_000);
  const hb = names.indexOf("Handlebars");
  console.log("| engine | parse µs | exec µs | exec/s | parse ratio | exec ratio |");
  console.log("|---|---|---|---|---|---|");
  names.forEach((name, k) => {
    console.log(
      `| ${name} | ${fmt(parse[k])} | ${fmt(exec[k])} | ${Math.round(1e6 / exec[k]).toLocaleString("en-US")} | ` +
        `${(parse[k] / parse[hb]).toFixed(2)}x | ${(exec[k] / exec[hb]).toFixed(2)}x |`,
    );
  });
}

console.log(`Node ${process.version}, ${new Date().toISOString()}`);
bench("Page (~200 lines)", pageTemplate(), pageData());
bench("Table (1,000 rows)", tableTemplate(), tableData());
