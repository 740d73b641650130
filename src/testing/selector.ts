/**
 * CSS selectors over the test API's parsed page (`html-dom.ts`). Supported: type and `*`, `#id`,
 * `.class`, attribute selectors (`[a]`, `[a=v]`, `~=`, `|=`, `^=`, `$=`, `*=`, quoted or not,
 * with `\:` escapes as in `[lvt-on\:click]`), `:checked`, `:disabled`, `:first-child`,
 * `:last-child`, `:not(simple)`, the descendant, child (`>`), adjacent (`+`) and sibling (`~`)
 * combinators, and comma lists. Anything else throws, so a test never silently matches nothing.
 */
import { descendants, type DomElement } from "./html-dom.js";

type Test = (el: DomElement) => boolean;
type Combinator = " " | ">" | "+" | "~";
interface Compound {
  readonly test: Test;
  /** How this compound relates to the previous one (undefined for the first). */
  readonly combinator: Combinator | undefined;
}

const cache = new Map<string, Compound[][]>();

/** The elements below `root` that match `selector`, in document order. */
export function select(root: DomElement, selector: string): DomElement[] {
  let groups = cache.get(selector);
  if (groups === undefined) {
    groups = parseSelector(selector);
    if (cache.size > 500) cache.clear();
    cache.set(selector, groups);
  }
  const out: DomElement[] = [];
  for (const el of descendants(root)) if (groups.some((g) => matches(el, g, g.length - 1))) out.push(el);
  return out;
}

/** Whether `el` matches the selector (used for closest-style walks). */
export function matchesSelector(el: DomElement, selector: string): boolean {
  return parseSelector(selector).some((g) => matches(el, g, g.length - 1));
}

function matches(el: DomElement, chain: Compound[], i: number): boolean {
  const c = chain[i]!;
  if (!c.test(el)) return false;
  if (i === 0) return true;
  switch (c.combinator) {
    case ">":
      return el.parent !== undefined && el.parent.tag !== "#root" && matches(el.parent, chain, i - 1);
    case " ":
      for (let p = el.parent; p !== undefined && p.tag !== "#root"; p = p.parent) if (matches(p, chain, i - 1)) return true;
      return false;
    case "+": {
      const prev = siblings(el).previous;
      return prev !== undefined && matches(prev, chain, i - 1);
    }
    case "~":
      return siblings(el).before.some((s) => matches(s, chain, i - 1));
    case undefined:
      return true;
    default: {
      const never: never = c.combinator;
      return never;
    }
  }
}

function elementSiblings(el: DomElement): DomElement[] {
  return (el.parent?.children ?? []).filter((c): c is DomElement => c.kind === "element");
}

function siblings(el: DomElement): { previous: DomElement | undefined; before: DomElement[] } {
  const all = elementSiblings(el);
  const before = all.slice(0, all.indexOf(el));
  return { previous: before[before.length - 1], before };
}

/** Parses a selector list; throws a `SyntaxError` naming the selector on what it does not support. */
export function parseSelector(selector: string): Compound[][] {
  const p = new Parser(selector);
  const groups: Compound[][] = [];
  for (;;) {
    groups.push(p.complex());
    p.space();
    if (p.eof()) return groups;
    p.expect(",");
  }
}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  eof(): boolean {
    return this.i >= this.s.length;
  }
  space(): boolean {
    const start = this.i;
    while (!this.eof() && /\s/.test(this.s[this.i]!)) this.i++;
    return this.i > start;
  }
  expect(ch: string): void {
    if (this.s[this.i] !== ch) this.fail(`expected "${ch}"`);
    this.i++;
  }
  fail(why: string): never {
    throw new SyntaxError(`selector "${this.s}": ${why} at ${this.i}`);
  }

  complex(): Compound[] {
    this.space();
    const chain: Compound[] = [{ test: this.compound(), combinator: undefined }];
    for (;;) {
      const spaced = this.space();
      const ch = this.s[this.i];
      if (this.eof() || ch === "," || ch === ")") return chain;
      let combinator: Combinator = " ";
      if (ch === ">" || ch === "+" || ch === "~") {
        combinator = ch;
        this.i++;
        this.space();
      } else if (!spaced) this.fail("unexpected character");
      chain.push({ test: this.compound(), combinator });
    }
  }

  compound(): Test {
    const tests: Test[] = [];
    if (this.s[this.i] === "*") this.i++;
    else if (/[a-zA-Z]/.test(this.s[this.i] ?? "")) {
      const tag = this.ident().toLowerCase();
      tests.push((el) => el.tag === tag);
    }
    for (;;) {
      const ch = this.s[this.i];
      if (ch === "#") {
        this.i++;
        const id = this.ident();
        tests.push((el) => el.attrs.get("id") === id);
      } else if (ch === ".") {
        this.i++;
        const cls = this.ident();
        tests.push((el) => (el.attrs.get("class") ?? "").split(/\s+/).includes(cls));
      } else if (ch === "[") {
        tests.push(this.attribute());
      } else if (ch === ":") {
        tests.push(this.pseudo());
      } else break;
    }
    if (tests.length === 0 && this.s[this.i - 1] !== "*") this.fail("expected a selector");
    return (el) => tests.every((t) => t(el));
  }

  ident(): string {
    let out = "";
    while (!this.eof()) {
      const ch = this.s[this.i]!;
      if (ch === "\\") {
        out += this.s[this.i + 1] ?? "";
        this.i += 2;
      } else if (/[\w-]/.test(ch)) {
        out += ch;
        this.i++;
      } else break;
    }
    if (out === "") this.fail("expected a name");
    return out;
  }

  attribute(): Test {
    this.expect("[");
    this.space();
    const name = this.ident().toLowerCase();
    this.space();
    const op = /^([~|^$*]?=)/.exec(this.s.slice(this.i))?.[1];
    if (op === undefined) {
      this.expect("]");
      return (el) => el.attrs.has(name);
    }
    this.i += op.length;
    this.space();
    let value: string;
    const q = this.s[this.i];
    if (q === '"' || q === "'") {
      const close = this.s.indexOf(q, this.i + 1);
      if (close < 0) this.fail("unterminated string");
      value = this.s.slice(this.i + 1, close);
      this.i = close + 1;
    } else value = this.ident();
    this.space();
    this.expect("]");
    return (el) => {
      const v = el.attrs.get(name);
      if (v === undefined) return false;
      switch (op) {
        case "=":
          return v === value;
        case "~=":
          return v.split(/\s+/).includes(value);
        case "|=":
          return v === value || v.startsWith(value + "-");
        case "^=":
          return value !== "" && v.startsWith(value);
        case "$=":
          return value !== "" && v.endsWith(value);
        case "*=":
          return value !== "" && v.includes(value);
        default:
          return false;
      }
    };
  }

  pseudo(): Test {
    this.expect(":");
    const name = this.ident().toLowerCase();
    switch (name) {
      case "checked":
        return (el) => el.attrs.has("checked") || (el.tag === "option" && el.attrs.has("selected"));
      case "disabled":
        return (el) => el.attrs.has("disabled");
      case "first-child":
        return (el) => elementSiblings(el)[0] === el;
      case "last-child":
        return (el) => elementSiblings(el).at(-1) === el;
      case "not": {
        this.expect("(");
        this.space();
        const inner = this.compound();
        this.space();
        this.expect(")");
        return (el) => !inner(el);
      }
      default:
        return this.fail(`unsupported pseudo-class ":${name}"`);
    }
  }
}
