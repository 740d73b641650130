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
