/**
 * The spellings of one name that generated code needs: `blog post` / `blog-post` / `BlogPost`
 * become the file name `blog-posts`, the class `BlogPost`, the table `blog_posts`...
 */
import { UsageError } from "./args.js";

export interface Names {
  /** kebab-case singular, e.g. `blog-post`. */
  readonly kebab: string;
  /** kebab-case plural, used for files and the URL path, e.g. `blog-posts`. */
  readonly kebabPlural: string;
  /** PascalCase singular, e.g. `BlogPost`. */
  readonly pascal: string;
  /** PascalCase plural, e.g. `BlogPosts`. */
  readonly pascalPlural: string;
  /** camelCase singular, e.g. `blogPost`. */
  readonly camel: string;
  /** camelCase plural, e.g. `blogPosts`. */
  readonly camelPlural: string;
  /** snake_case plural, the SQL table, e.g. `blog_posts`. */
  readonly table: string;
  /** Words for people, singular and plural, e.g. `blog post`, `blog posts`. */
  readonly human: string;
  readonly humanPlural: string;
}

/** Splits `BlogPost`, `blog-post`, `blog_post` into lower-case words. */
export function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[\s_-]+/)
    .filter((w) => w !== "")
    .map((w) => w.toLowerCase());
}

/** English plural of one word, good enough for identifiers (post → posts, category → categories). */
export function plural(word: string): string {
  if (/[^aeiou]y$/.test(word)) return word.slice(0, -1) + "ies";
  if (/(s|x|z|ch|sh)$/.test(word)) return word + "es";
  return word + "s";
}

/** Singular of a word that looks plural (posts → post); other words are returned as they are. */
export function singular(word: string): string {
  if (/ies$/.test(word)) return word.slice(0, -3) + "y";
  if (/(s|x|z|ch|sh)es$/.test(word)) return word.slice(0, -2);
  // "posts" but not "status", "bus", "analysis", "class".
  if (/[^sui]s$/.test(word)) return word.slice(0, -1);
  return word;
}

const cap = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1);

/**
 * All spellings of `name`, which must start with a letter and hold only letters, digits, `-` and
 * `_`. A resource's last word is made singular (`posts` → `post`); a page's name is kept as given
 * (`about-us`).
 */
export function names(name: string, what: "resource" | "page"): Names {
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) {
    throw new UsageError(`${what} name "${name}" must start with a letter and use only letters, digits, "-" and "_"`);
  }
  const w = words(name);
  const given = w[w.length - 1]!;
  const last = what === "page" ? given : singular(given);
  const one = [...w.slice(0, -1), last];
  const many = [...w.slice(0, -1), plural(last)];
  const pascal = (ws: string[]): string => ws.map(cap).join("");
  const camel = (ws: string[]): string => ws[0]! + ws.slice(1).map(cap).join("");
  return {
    kebab: one.join("-"),
    kebabPlural: many.join("-"),
    pascal: pascal(one),
    pascalPlural: pascal(many),
    camel: camel(one),
    camelPlural: camel(many),
    table: many.join("_"),
    human: one.join(" "),
    humanPlural: many.join(" "),
  };
}
