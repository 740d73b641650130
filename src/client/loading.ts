/**
 * Loading state before the first tree: a thin bar at the top of the page, and the wrapper's form
 * controls disabled so nothing is submitted before the client can handle it. Styles are set through
 * the CSSOM (no `<style>` element), which a strict CSP allows.
 */

const MARK = "data-lvt-disabled";

/** Shows the bar and disables the controls; returns the function that undoes both. */
export function showLoading(wrapper: HTMLElement): () => void {
  const bar = document.createElement("div");
  bar.className = "lvt-loading-bar";
  Object.assign(bar.style, {
    position: "fixed",
    top: "0",
    left: "0",
    right: "0",
    height: "3px",
    background: "#3b82f6",
    zIndex: "9999",
  });
  document.body.prepend(bar);
  for (const el of Array.from(wrapper.querySelectorAll("form input, form textarea, form select, form button"))) {
    if (!el.hasAttribute("disabled")) {
      el.setAttribute("disabled", "");
      el.setAttribute(MARK, "");
    }
  }
  return () => {
    bar.remove();
    // The first patch usually rewrote these already; this catches the ones it skipped.
    for (const el of Array.from(wrapper.querySelectorAll(`[${MARK}]`))) {
      el.removeAttribute("disabled");
      el.removeAttribute(MARK);
    }
  };
}

/**
 * Client-owned classes and attributes: what the client set on an element (a loading class, a
 * command's class or attribute) and the server does not render. A patch would strip them, so
 * {@link keep} puts them on the incoming element first; once the server renders the same value
 * itself the claim is dropped and the server owns it again. Keys: `.name` for a class (value
 * true = present), else an attribute name (value null = removed).
 */
const owned = new WeakMap<Element, Map<string, string | boolean | null>>();

/** Records that the client set class `.c` or attribute `name` on `el` to `v`. */
export function claim(el: Element, key: string, v: string | boolean | null): void {
  let m = owned.get(el);
  if (!m) owned.set(el, (m = new Map()));
  m.set(key, v);
}

/** Called by the patch before it updates `from` to `to`: re-applies what the client owns. */
export function keep(from: Element, to: Element): void {
  const m = owned.get(from);
  if (m) {
    for (const [k, v] of m) {
      const cls = k[0] === ".";
      const c = k.slice(1);
      if (cls ? to.classList.contains(c) === v : to.getAttribute(k) === v) m.delete(k);
      else if (cls) to.classList.toggle(c, v as boolean);
      else if (v === null) to.removeAttribute(k);
      else to.setAttribute(k, v as string);
    }
  }
}

/** Sets (or clears) a loading class and `aria-busy` on `el`; cleared, they are the server's again. */
function busy(el: Element, cls: string, on: boolean): void {
  el.classList.toggle(cls, on);
  el.toggleAttribute("aria-busy", on);
  if (on) {
    el.setAttribute("aria-busy", "true");
    claim(el, "." + cls, true);
    claim(el, "aria-busy", "true");
  } else {
    // No empty class attribute left behind (the next patch restores one the server rendered).
    if (!el.classList.length) el.removeAttribute("class");
    owned.get(el)?.delete("." + cls);
    owned.get(el)?.delete("aria-busy");
  }
}

/** What a reply settles: a hook's `pushEvent` promise resolves with `meta.reply`, rejects on errors. */
export type Settle = (meta: { success?: boolean; errors?: Record<string, string>; reply?: unknown }) => void;

interface Flight {
  a: string;
  els: Element[];
  cls: string;
  done: Settle | undefined;
  http: boolean;
}

/**
 * Actions waiting for their reply, oldest first: the elements marked busy while they are in
 * flight (`lvt-<event>-loading` and `aria-busy` on the element and its form) and the hook
 * promise to settle. A reply settles the oldest entry of its action (`meta.action`); an element
 * with two actions in flight stays busy until both are answered.
 */
export class InFlight {
  private list: Flight[] = [];

  begin(a: string, el: Element | undefined, type: string | undefined, done: Settle | undefined, http: boolean): void {
    const cls = `lvt-${type}-loading`;
    const els = el ? [el, el.closest("form")].filter((e, i, all): e is Element => !!e && all.indexOf(e) === i) : [];
    for (const e of els) busy(e, cls, true);
    this.list.push({ a, els, cls, done, http });
  }

  end(action: string | undefined, meta: Parameters<Settle>[0]): void {
    const i = this.list.findIndex((f) => f.a === action);
    const f = this.list[i];
    if (!f) return;
    this.list.splice(i, 1);
    for (const e of f.els) if (!this.list.some((g) => g.cls === f.cls && g.els.includes(e))) busy(e, f.cls, false);
    f.done?.(meta);
  }

  /** Settles what went over the socket as failed (it dropped; HTTP requests still get replies). */
  failAll(reason: string): void {
    for (const f of this.list.slice()) if (!f.http) this.end(f.a, { success: false, errors: { _general: reason } });
  }
}
