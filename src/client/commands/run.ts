/**
 * The command interpreter of the commands chunk: a command list is JSON data,
 * `[["op", {args}], ...]`, read here and applied to the DOM; nothing is evaluated. Every class
 * and attribute a command changes is claimed through the core (`claim`), so the next patch keeps
 * it (docs/client.md, "Commands").
 */
import type { Payload } from "../payload.js";
import type { CoreApi } from "./api.js";

/** The arguments a command may take; which ones each reads is in docs/client.md. */
export interface Args {
  /** Target: a selector in the document, `closest:<sel>`, `inner:<sel>`; absent: the element itself. */
  to?: string;
  /** Runs the command this many ms later. */
  delay?: number;
  names?: string;
  start?: string;
  end?: string;
  time?: number;
  name?: string;
  value?: string;
  display?: string;
  event?: string;
  detail?: unknown;
  bubbles?: boolean;
  action?: string;
  data?: Payload;
}

let core: CoreApi = { claim() {}, act() {} };

/** Hands the interpreter the core's API (called once by the chunk's `init`). */
export function useCore(api: CoreApi): void {
  core = api;
}

const warn = (what: string): void => console.warn(`livetemplate: ${what}`);

/** The elements a command acts on, given the element it is bound to (`null` for a pushed event). */
export function targets(el: Element | null, to: string | undefined): Element[] {
  try {
    if (!to) return el ? [el] : [];
    if (to.startsWith("closest:")) {
      const t = el?.closest(to.slice(8));
      return t ? [t] : [];
    }
    if (to.startsWith("inner:")) return el ? Array.from(el.querySelectorAll(to.slice(6))) : [];
    return Array.from(document.querySelectorAll(to));
  } catch {
    warn(`not a selector: ${to}`);
    return [];
  }
}

/** Adds, removes or toggles every class of the space-separated `names`, and claims the result. */
export function classes(el: Element, names: string | undefined, op: "add" | "remove" | "toggle"): void {
  for (const c of (names ?? "").split(/\s+/)) {
    if (c) core.claim(el, "." + c, el.classList.toggle(c, op === "toggle" ? undefined : op === "add"));
  }
}

/** Sets an attribute (`value` a string) or removes it (`null`), and claims the result. */
export function attr(el: Element, name: string | undefined, value: string | null): void {
  if (!name) return;
  if (value === null) el.removeAttribute(name);
  else el.setAttribute(name, value);
  core.claim(el, name, value);
}

const hidden = (el: Element): boolean => getComputedStyle(el).display === "none";

/**
 * Shows an element (its `hidden` attribute removed, its inline `display` cleared, or set to
 * `display` or `block` when the stylesheet still hides it) or hides it (`display: none`). The
 * `style` attribute is then the client's until the server renders the same one.
 */
function display(el: Element, show: boolean, d: string | undefined): void {
  const s = (el as HTMLElement).style as CSSStyleDeclaration | undefined;
  if (!s) return;
  if (show) attr(el, "hidden", null);
  s.display = show ? (d ?? "") : "none";
  if (show && hidden(el)) s.display = d ?? "block";
  core.claim(el, "style", el.getAttribute("style"));
}

/**
 * Classes over a duration: `names` for `time` ms (default 200); `start` from the first frame and
 * swapped for `end` on the next one, so a CSS transition runs from one to the other; all removed
 * at the end.
 */
function transition(el: Element, a: Args): void {
  const all = `${a.names ?? ""} ${a.end ?? ""}`;
  classes(el, `${a.names ?? ""} ${a.start ?? ""}`, "add");
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      classes(el, a.start, "remove");
      classes(el, a.end, "add");
    }),
  );
  setTimeout(() => classes(el, all, "remove"), a.time ?? 200);
}

function exec(op: string, a: Args, t: Element): void {
  switch (op) {
    case "show":
    case "hide":
    case "toggle":
      return display(t, op === "show" || (op === "toggle" && hidden(t)), a.display);
    case "add_class":
    case "remove_class":
    case "toggle_class":
      return classes(t, a.names, op.slice(0, -6) as "add" | "remove" | "toggle");
    case "set_attr":
      return attr(t, a.name, String(a.value ?? ""));
    case "remove_attr":
      return attr(t, a.name, null);
    case "toggle_attr":
      return attr(t, a.name, a.name && t.hasAttribute(a.name) ? null : String(a.value ?? ""));
    case "transition":
      return transition(t, a);
    case "focus":
      return (t as HTMLElement).focus?.();
    case "dispatch":
      if (a.event) t.dispatchEvent(new CustomEvent(a.event, { bubbles: a.bubbles ?? true, detail: a.detail }));
      return;
    case "push":
      if (a.action) core.act(t, a.action, a.data ?? {});
      return;
    case "reset":
      if (t instanceof HTMLFormElement) t.reset();
      return;
    default:
      warn(`unknown command ${op}`);
  }
}

/** Runs a command list (parsed, or JSON text) in order, `el` being the element it is bound to. */
export function run(list: unknown, el: Element | null): void {
  let cmds = list;
  if (typeof list === "string") {
    try {
      cmds = JSON.parse(list);
    } catch {
      return warn(`commands are not JSON: ${list}`);
    }
  }
  if (!Array.isArray(cmds)) return warn(`commands are not a list: ${String(list)}`);
  for (const c of cmds) {
    if (!Array.isArray(c) || typeof c[0] !== "string") {
      warn(`not a command: ${JSON.stringify(c)}`);
      continue;
    }
    const op = c[0];
    const a = (c[1] ?? {}) as Args;
    const go = (): void => {
      for (const t of targets(el, a.to)) exec(op, a, t);
    };
    if (a.delay) setTimeout(go, a.delay);
    else go();
  }
}
