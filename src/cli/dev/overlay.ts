/**
 * What `lvt serve` adds to every page: a script that listens to the dev server's events and
 * shows a template or startup error over the page (file:line:col and the source line), and
 * takes it away once the error is fixed. The live client reconnects by itself after a restart,
 * so the script never reloads a live page; it reloads only the dev server's own error page.
 */

/** Paths the dev server answers itself. */
export const DEV_SCRIPT_PATH = "/__lvt/dev.js";
export const DEV_EVENTS_PATH = "/__lvt/events";

export const DEV_SCRIPT = `(() => {
  const id = "lvt-dev-error";
  const show = (text) => {
    let box = document.getElementById(id);
    if (!box) {
      box = document.createElement("div");
      box.id = id;
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(20,20,20,.92);color:#fff;padding:2rem;overflow:auto;font:14px/1.5 ui-monospace,monospace";
      const title = document.createElement("h2");
      title.textContent = "lvt serve: the app has an error";
      title.style.cssText = "color:#ff8080;font:bold 18px system-ui,sans-serif;margin:0 0 1rem";
      const pre = document.createElement("pre");
      pre.style.cssText = "white-space:pre-wrap;margin:0";
      box.append(title, pre);
      document.body.append(box);
    }
    box.querySelector("pre").textContent = text;
  };
  const events = new EventSource(${JSON.stringify(DEV_EVENTS_PATH)});
  events.addEventListener("app-error", (e) => show(JSON.parse(e.data).text));
  events.addEventListener("app-ok", () => {
    if (document.documentElement.hasAttribute("data-lvt-dev-error-page")) location.reload();
    document.getElementById(id)?.remove();
  });
})();
`;

const escapeHtml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The page served while the app cannot start; it reloads itself once the app is back. */
export function errorPage(text: string): string {
  return `<!DOCTYPE html>
<html lang="en" data-lvt-dev-error-page>
<head><meta charset="utf-8"><title>Error · lvt serve</title></head>
<body style="font:14px/1.5 ui-monospace,monospace;margin:2rem">
<h2 style="color:#c00;font:bold 18px system-ui,sans-serif">lvt serve: the app has an error</h2>
<pre id="lvt-dev-error-text" style="white-space:pre-wrap">${escapeHtml(text)}</pre>
<script src="${DEV_SCRIPT_PATH}"></script>
</body>
</html>
`;
}

/** Adds the dev script to an HTML page (before `</body>`, else at the end). */
export function injectDevScript(html: string): string {
  const tag = `<script src="${DEV_SCRIPT_PATH}"></script>`;
  const at = html.lastIndexOf("</body>");
  return at === -1 ? html + tag : html.slice(0, at) + tag + html.slice(at);
}
