/**
 * The dev-mode error overlay: a separate script (`livetemplate.dev.js`) that the handler adds to
 * pages only in dev mode, so the client core carries none of it. It listens to the core's events
 * on the document: `lvt:error` with a server error envelope or a client report (protocol errors:
 * unknown action, malformed message, unreachable server), and `lvt:updated` whose reply carries
 * `meta.dev` (an action's exception with its stack, a render or save failure, a template error
 * with its name, line, column and source line). The close button and Escape dismiss it.
 * Everything is written with `textContent`: error text never becomes markup.
 */
import type { DevDetail } from "../protocol/messages.js";

const ID = "lvt-dev-overlay";

interface Shown {
  title: string;
  message: string;
  stack?: string | undefined;
  template?: DevDetail["template"] | undefined;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, css: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.style.cssText = css;
  if (text !== undefined) e.textContent = text;
  return e;
}

function dismiss(): void {
  document.getElementById(ID)?.remove();
}

function show(s: Shown): void {
  dismiss();
  const box = el(
    "div",
    "position:fixed;inset:auto 1rem 1rem 1rem;max-height:60vh;overflow:auto;z-index:2147483647;background:#1e1e1e;color:#eee;" +
      "font:13px/1.45 ui-monospace,monospace;border-left:6px solid #e5484d;border-radius:6px;padding:1rem 1.25rem;box-shadow:0 8px 30px #0008",
  );
  box.id = ID;
  box.setAttribute("role", "alertdialog");
  box.setAttribute("aria-label", "livetemplate error");
  const close = el("button", "float:right;background:none;border:0;color:#eee;font-size:20px;cursor:pointer", "×");
  close.type = "button";
  close.setAttribute("aria-label", "Dismiss");
  close.className = "lvt-dev-close";
  close.addEventListener("click", dismiss);
  box.append(close, el("div", "color:#ff8a8a;font-weight:bold;margin-bottom:.5rem", s.title));
  const message = el("pre", "white-space:pre-wrap;margin:0 0 .75rem", s.message);
  message.className = "lvt-dev-message";
  box.append(message);
  const t = s.template;
  if (t !== undefined) {
    const where = el("div", "color:#9cdcfe", `${t.name}:${t.line}:${t.column}`);
    where.className = "lvt-dev-position";
    box.append(where);
    if (t.source !== undefined) {
      const caret = " ".repeat(Math.max(0, t.column - 1)) + "^";
      const src = el("pre", "background:#111;padding:.5rem;margin:.25rem 0 .75rem;overflow:auto", `${t.line} | ${t.source}\n${" ".repeat(String(t.line).length)} | ${caret}`);
      src.className = "lvt-dev-source";
      box.append(src);
    }
  }
  if (s.stack !== undefined) {
    const stack = el("pre", "white-space:pre-wrap;color:#aaa;margin:0", s.stack);
    stack.className = "lvt-dev-stack";
    box.append(stack);
  }
  box.append(el("div", "color:#777;margin-top:.5rem", "dev mode only · Esc to dismiss"));
  document.body.append(box);
}

const TITLES: Record<DevDetail["kind"], string> = {
  action: "Action threw",
  render: "Render failed",
  save: "Save failed",
};

document.addEventListener("lvt:error", (e) => {
  const d = (e as CustomEvent<{ type?: unknown; code?: unknown; message?: unknown }>).detail;
  if (d?.type !== "error" || typeof d.code !== "string") return;
  show({ title: `Protocol error ${d.code}`, message: String(d.message ?? "") });
});

document.addEventListener("lvt:updated", (e) => {
  const d = (e as CustomEvent<{ action?: string; meta?: { dev?: DevDetail } }>).detail;
  const dev = d?.meta?.dev;
  if (dev === undefined) return;
  const title = `${TITLES[dev.kind] ?? "Error"}${d.action ? `: "${d.action}"` : ""}${dev.template ? " (template error)" : ""}`;
  show({ title, message: dev.message, stack: dev.stack, template: dev.template });
});

document.addEventListener("keydown", (e) => {
  if (e.key === "Escape") dismiss();
});
