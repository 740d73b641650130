/**
 * Live navigation in the browser, as the published client does it: which link clicks are taken
 * over, fetching another live page, swapping the wrapper (elements marked `lvt-persist` keep
 * their DOM node), and history entries that remember the scroll position.
 */
import { ATTR_NO_INTERCEPT, ATTR_PERSIST, ATTR_WRAPPER_ID, HEADER_WEBSOCKET } from "../protocol/wire.js";

/**
 * The link a click should navigate live to, or null when the browser should handle it: modifier
 * and non-primary clicks, other origins and schemes, `target`, `download`,
 * `lvt-nav:no-intercept`, links outside a wrapper, and in-page `#anchor` links.
 */
export function linkOf(e: MouseEvent): HTMLAnchorElement | null {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return null;
  const a = (e.target as Element | null)?.closest?.("a[href]") as HTMLAnchorElement | null | undefined;
  if (!a || !a.closest(`[${ATTR_WRAPPER_ID}]`) || a.origin !== location.origin || !/^https?:$/.test(a.protocol)) return null;
  if ((a.target && a.target !== "_self") || a.hasAttribute("download") || a.hasAttribute(ATTR_NO_INTERCEPT)) return null;
  if (a.hash && a.pathname === location.pathname && a.search === location.search) return null;
  return a;
}

/** What navigation needs from a client. */
interface Navigable {
  readonly wrapper: HTMLElement;
  go(href: string, push: boolean, scroll?: number): Promise<void>;
}

let listening = false;
/** Link clicks inside a wrapper and back/forward become live navigations (one listener each). */
export function listenForNavigation(clients: Map<HTMLElement, Navigable>): void {
  if (listening) return;
  listening = true;
  document.addEventListener("click", (e) => {
    const a = linkOf(e);
    const c = a && clients.get(a.closest<HTMLElement>(`[${ATTR_WRAPPER_ID}]`)!);
    if (!a || !c) return;
    e.preventDefault();
    void c.go(a.href, true);
  });
  window.addEventListener("popstate", (e) => {
    for (const c of clients.values()) if (c.wrapper.isConnected) return void c.go(location.href, false, scrollOf(e.state));
  });
}

/** Fetches a page as HTML; null when it is not a live page (or not a page at all). */
export async function fetchPage(url: string): Promise<Document | null> {
  try {
    const res = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!res.ok || !res.headers.has(HEADER_WEBSOCKET)) return null;
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    return doc.querySelector(`[${ATTR_WRAPPER_ID}]`) ? doc : null;
  } catch {
    return null;
  }
}

/**
 * Makes `wrapper` the wrapper of `doc` (attributes and content), keeping the element itself and
 * everything outside it; an element with `lvt-persist` and an `id` found on both pages is moved
 * over as it is (a playing video keeps playing). Takes the document's title.
 */
export function swapWrapper(wrapper: HTMLElement, doc: Document): void {
  const next = doc.querySelector(`[${ATTR_WRAPPER_ID}]`)!;
  for (const el of Array.from(next.querySelectorAll(`[${ATTR_PERSIST}][id]`))) {
    const old = wrapper.querySelector(`[${ATTR_PERSIST}]#${CSS.escape(el.id)}`);
    if (old) el.replaceWith(old);
  }
  for (const { name } of Array.from(wrapper.attributes)) wrapper.removeAttribute(name);
  for (const { name, value } of Array.from(next.attributes)) wrapper.setAttribute(name, value);
  wrapper.replaceChildren(...Array.from(next.childNodes));
  if (doc.title) document.title = doc.title;
}

/** Adds a history entry for `url`; the entry left behind remembers its scroll position. */
export function pushEntry(url: string): void {
  history.scrollRestoration = "manual";
  history.replaceState({ ...(history.state as object | null), lvtScroll: scrollY }, "");
  history.pushState({}, "", url);
}

/** The scroll position a history entry remembered (0 for a new one). */
export function scrollOf(state: unknown): number {
  const y = (state as { lvtScroll?: unknown } | null)?.lvtScroll;
  return typeof y === "number" ? y : 0;
}
