/**
 * A small HTML parser for the test API: turns the HTML a live page shows into a tree of elements
 * that {@link select} can query. It knows what rendered templates contain (elements, void
 * elements, attributes with or without quotes, text, comments, raw text in `script`/`style`/
 * `textarea`/`title`, character references) and the implied end tags that matter there (`p`,
 * `li`, `option`, table rows and cells); it is not a full HTML5 tree builder.
 */

/** An element of the parsed page. */
export interface DomElement {
  readonly kind: "element";
  /** Lower-case tag name. */
  readonly tag: string;
  /** Attributes in source order, names lower-cased, values decoded. */
  readonly attrs: ReadonlyMap<string, string>;
  readonly children: DomNode[];
  readonly parent: DomElement | undefined;
}

/** A run of text (decoded). */
export interface DomText {
  readonly kind: "text";
  readonly text: string;
}

export type DomNode = DomElement | DomText;

const VOID = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);
const RAW = new Set(["script", "style", "textarea", "title"]);
/** Open elements that a new start tag closes implicitly: tag -> tags it closes. */
const CLOSES: Record<string, readonly string[]> = {
  p: ["p"],
  li: ["li"],
  option: ["option"],
  tr: ["tr", "td", "th"],
  td: ["td", "th"],
  th: ["td", "th"],
  dt: ["dt", "dd"],
  dd: ["dt", "dd"],
};
const BLOCK_CLOSES_P = new Set(["div", "ul", "ol", "table", "form", "h1", "h2", "h3", "h4", "h5", "h6", "section", "header", "footer", "nav", "pre"]);

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0", "#39": "'", "#34": '"' };

/** Decodes character references (named ones of the common set, decimal and hex). */
export function decodeEntities(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z][a-z0-9]*);/gi, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

/** Parses `html` into a root element (tag `#root`) holding the top-level nodes. */
export function parseHtml(html: string): DomElement {
  const root: DomElement = { kind: "element", tag: "#root", attrs: new Map(), children: [], parent: undefined };
  let open: DomElement = root;
  let i = 0;
  const text = (t: string): void => {
    if (t !== "") open.children.push({ kind: "text", text: decodeEntities(t) });
  };
  const closeTo = (tag: string): boolean => {
    for (let e: DomElement | undefined = open; e !== undefined && e !== root; e = e.parent) {
      if (e.tag === tag) {
        open = e.parent ?? root;
        return true;
      }
    }
    return false;
  };
  while (i < html.length) {
    const lt = html.indexOf("<", i);
    if (lt < 0) {
      text(html.slice(i));
      break;
    }
    text(html.slice(i, lt));
    if (html.startsWith("<!--", lt)) {
      const end = html.indexOf("-->", lt + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    if (html[lt + 1] === "!" || html[lt + 1] === "?") {
      const end = html.indexOf(">", lt);
      i = end < 0 ? html.length : end + 1;
      continue;
    }
    if (html[lt + 1] === "/") {
      const end = html.indexOf(">", lt);
      const tag = html.slice(lt + 2, end < 0 ? html.length : end).trim().toLowerCase();
      closeTo(tag);
      i = end < 0 ? html.length : end + 1;
      continue;
    }
    const m = /^<([a-zA-Z][\w:-]*)/.exec(html.slice(lt, lt + 64));
    if (m === null) {
      text("<");
      i = lt + 1;
      continue;
    }
    const tag = m[1]!.toLowerCase();
    const { attrs, end, selfClosing } = readAttributes(html, lt + m[0].length);
    for (const closed of CLOSES[tag] ?? []) {
      if (open.tag === closed) open = open.parent ?? root;
    }
    if (BLOCK_CLOSES_P.has(tag) && open.tag === "p") open = open.parent ?? root;
    const el: DomElement = { kind: "element", tag, attrs, children: [], parent: open };
    open.children.push(el);
    i = end;
    if (VOID.has(tag) || selfClosing) continue;
    if (RAW.has(tag)) {
      const close = html.toLowerCase().indexOf(`</${tag}`, i);
      const body = html.slice(i, close < 0 ? html.length : close);
      if (body !== "") el.children.push({ kind: "text", text: tag === "script" || tag === "style" ? body : decodeEntities(body) });
      const gt = close < 0 ? -1 : html.indexOf(">", close);
      i = gt < 0 ? html.length : gt + 1;
      continue;
    }
    open = el;
  }
  return root;
}

function readAttributes(html: string, from: number): { attrs: Map<string, string>; end: number; selfClosing: boolean } {
  const attrs = new Map<string, string>();
  let i = from;
  for (;;) {
    while (i < html.length && /\s/.test(html[i]!)) i++;
    if (i >= html.length) return { attrs, end: i, selfClosing: false };
    if (html[i] === ">") return { attrs, end: i + 1, selfClosing: false };
    if (html.startsWith("/>", i)) return { attrs, end: i + 2, selfClosing: true };
    if (html[i] === "/") {
      i++;
      continue;
    }
    const nameStart = i;
    while (i < html.length && !/[\s=>]/.test(html[i]!) && !html.startsWith("/>", i)) i++;
    const name = html.slice(nameStart, i).toLowerCase();
    while (i < html.length && /\s/.test(html[i]!)) i++;
    let value = "";
    if (html[i] === "=") {
      i++;
      while (i < html.length && /\s/.test(html[i]!)) i++;
      const q = html[i];
      if (q === '"' || q === "'") {
        const close = html.indexOf(q, i + 1);
        value = html.slice(i + 1, close < 0 ? html.length : close);
        i = close < 0 ? html.length : close + 1;
      } else {
        const start = i;
        while (i < html.length && !/[\s>]/.test(html[i]!)) i++;
        value = html.slice(start, i);
      }
    }
    if (name !== "" && !attrs.has(name)) attrs.set(name, decodeEntities(value));
  }
}

/** The text content of a node (what `textContent` gives). */
export function textOf(n: DomNode): string {
  if (n.kind === "text") return n.text;
  let out = "";
  for (const c of n.children) out += textOf(c);
  return out;
}

/** Every element below `root`, in document order. */
export function* descendants(root: DomElement): Generator<DomElement> {
  for (const c of root.children) {
    if (c.kind !== "element") continue;
    yield c;
    yield* descendants(c);
  }
}
