/**
 * What kind of content an HTML attribute holds, by name. This decides whether a value is
 * escaped as plain text, filtered as a URL, parsed as JS or CSS, and which attribute names a
 * template may emit dynamically (only plain ones).
 */

/** The content an attribute value holds. `unsafe` attributes are never emitted by name. */
export type AttrContent = "plain" | "unsafe" | "url" | "css" | "js" | "html" | "srcset";

const table = new Map<string, AttrContent>();
function put(kind: AttrContent, names: string): void {
  for (const n of names.split(/\s+/)) if (n !== "") table.set(n, kind);
}

put(
  "plain",
  `accept alt autocomplete autofocus autoplay border checked class cols colspan contenteditable
   contextmenu controls coords datetime default dir dirname disabled draggable dropzone for
   formtarget headers height hidden high hreflang id ismap kind label lang list loop low max
   maxlength media mediagroup min multiple name open optimum placeholder preload pubdate
   radiogroup readonly required reversed rows rowspan spellcheck scope scoped seamless selected
   shape size sizes span srclang start step tabindex target title width wrap`,
);
put(
  "unsafe",
  `accept-charset async challenge charset content crossorigin defer enctype form formenctype
   formmethod formnovalidate http-equiv keytype language method novalidate pattern rel sandbox
   type value`,
);
put(
  "url",
  `action archive background cite classid codebase data formaction href icon longdesc manifest
   poster profile src usemap xmlns`,
);
put("css", "style");
put("html", "srcdoc");
put("srcset", "srcset");

/**
 * The content kind of the attribute `name` (already lower case). `data-x` is judged as `x`,
 * `ns:x` as `x` (except `xmlns:*`, a URL); unknown `on*` names are event handlers (JS), and
 * unknown names mentioning src/uri/url are URLs.
 */
export function attrType(name: string): AttrContent {
  if (name.startsWith("data-")) {
    name = name.slice(5);
  } else {
    const colon = name.indexOf(":");
    if (colon >= 0) {
      if (name.slice(0, colon) === "xmlns") return "url";
      name = name.slice(colon + 1);
    }
  }
  const known = table.get(name);
  if (known !== undefined) return known;
  if (name.startsWith("on")) return "js";
  if (name.includes("src") || name.includes("uri") || name.includes("url")) return "url";
  return "plain";
}
