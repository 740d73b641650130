/**
 * Patches the wrapper's children to new HTML with morphdom. Rows keep their DOM nodes (keyed by
 * `data-key`, `data-lvt-key` or `id`), `lvt-ignore` subtrees are left alone, and the element the
 * user is typing in keeps its value, caret and selection.
 */
import morphdomModule from "morphdom";
import { keep } from "./loading.js";

// morphdom ships CommonJS typings, so under NodeNext TypeScript sees the default import as the
// module object; the bundler resolves its ES build, whose default export is the function itself.
const morphdom = morphdomModule as unknown as typeof morphdomModule.default;

type Field = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
const isField = (el: Element | null): el is Field =>
  el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement;

/** Attribute on an element that hooks watch; morphdom reports its updates to the caller. */
const HOOK_ATTR = "lvt-hook";

function nodeKey(node: Node): string | undefined {
  if (!(node instanceof Element)) return undefined;
  // getAttribute, not .id: on a form, `.id` is the control named "id" when there is one.
  return node.getAttribute("data-key") || node.getAttribute("data-lvt-key") || node.getAttribute("id") || undefined;
}

/** Where the caret was, so it can be put back if the focused element had to be replaced. */
interface Caret {
  el: Field;
  value: string;
  start: number | null;
  end: number | null;
}

function selection(el: Field): [number | null, number | null] {
  try {
    return el instanceof HTMLSelectElement ? [null, null] : [el.selectionStart, el.selectionEnd];
  } catch {
    return [null, null]; // inputs such as type=number have no selection API
  }
}

/**
 * Replaces the children of `wrapper` by `html`, touching only what differs. When `rows` (from
 * {@link TreeState.apply}) is given and every row is found exactly once by its key, only those
 * rows are patched and the rest of the HTML is not even parsed.
 * @returns the elements carrying `lvt-hook` whose subtree changed, for `updated` callbacks
 */
export function patch(wrapper: HTMLElement, html: () => string, rows: Map<string, string | null> | null): Set<Element> {
  const updated = new Set<Element>();
  const active = document.activeElement;
  let caret: Caret | null = null;
  if (isField(active) && wrapper.contains(active)) {
    const [start, end] = selection(active);
    caret = { el: active, value: active.value, start, end };
  }
  const options = {
    getNodeKey: nodeKey,
    onBeforeElUpdated(from: HTMLElement, to: HTMLElement): boolean {
      if (from.hasAttribute("lvt-ignore")) return false;
      // Classes and attributes the client set (loading states, commands) survive the patch.
      keep(from, to);
      if (from.isEqualNode(to)) return false;
      if (from === active && isField(from)) {
        // A select the user has open would lose its choice; text fields keep what was typed while
        // their attributes still follow the server (the value attribute no longer drives a dirty field).
        if (from instanceof HTMLSelectElement) return false;
        (to as Field).value = from.value;
        if (from instanceof HTMLInputElement) (to as HTMLInputElement).checked = from.checked;
      }
      return true;
    },
    onElUpdated(el: HTMLElement): void {
      if (el.hasAttribute(HOOK_ATTR)) updated.add(el);
    },
    onBeforeElChildrenUpdated: replaceDisjointList,
  };
  if (!(rows && patchRows(wrapper, rows, options))) {
    const next = document.createElement(wrapper.tagName);
    next.innerHTML = html();
    morphdom(wrapper, next, { ...options, childrenOnly: true });
  }
  if (caret && !caret.el.isConnected) restoreCaret(wrapper, caret);
  return updated;
}

/**
 * A keyed list whose keys all changed (a new page of results) ends up as the new children either
 * way; moving them in at once is much cheaper than morphdom removing and inserting row by row.
 * @returns false when it replaced the children itself
 */
function replaceDisjointList(from: HTMLElement, to: HTMLElement): boolean {
  if (from.childElementCount < 16 || to.childElementCount < 16) return true;
  const old = new Set<string>();
  for (const c of Array.from(from.children)) {
    const k = nodeKey(c);
    if (!k || c.hasAttribute("lvt-ignore")) return true;
    old.add(k);
  }
  for (const c of Array.from(to.children)) {
    const k = nodeKey(c);
    if (!k || old.has(k)) return true;
  }
  from.replaceChildren(...Array.from(to.childNodes));
  return false;
}

/** Patches single keyed rows; false (with nothing touched) when any row cannot be found safely. */
function patchRows(wrapper: HTMLElement, rows: Map<string, string | null>, options: object): boolean {
  const work: Array<[Element, Element | null]> = [];
  for (const [key, html] of rows) {
    const k = CSS.escape(key);
    const found = wrapper.querySelectorAll(`[data-key="${k}"],[data-lvt-key="${k}"]`);
    const el = found[0];
    if (found.length !== 1 || !el || !el.parentElement) return false;
    if (html === null) {
      work.push([el, null]);
      continue;
    }
    // Parse inside the same kind of parent, so rows such as <tr> survive the HTML parser.
    const box = document.createElement(el.parentElement.tagName);
    box.innerHTML = html;
    const next = box.firstElementChild;
    if (box.childElementCount !== 1 || !next || nodeKey(next) !== nodeKey(el) || (box.textContent ?? "").trim() !== (next.textContent ?? "").trim()) return false;
    work.push([el, next]);
  }
  for (const [el, next] of work) {
    if (next) morphdom(el, next, options);
    else el.remove();
  }
  return true;
}

/** Focuses the replacement of a field that was replaced (same id, else same name) and refills it. */
function restoreCaret(wrapper: HTMLElement, c: Caret): void {
  const old = c.el;
  const sel = old.id ? `#${CSS.escape(old.id)}` : old.name ? `[name="${CSS.escape(old.name)}"]` : "";
  const el = sel ? wrapper.querySelector(sel) : null;
  if (!isField(el) || el.tagName !== old.tagName) return;
  el.value = c.value;
  el.focus();
  if (!(el instanceof HTMLSelectElement) && c.start !== null) {
    try {
      el.setSelectionRange(c.start, c.end ?? c.start);
    } catch {
      // no selection API on this input type
    }
  }
}
