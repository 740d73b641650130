/**
 * Client commands: small DOM changes without a round trip (show, hide, classes, attributes, a
 * transition, focus, a DOM event, an action), bound in attributes or carried by a pushed event.
 * A chunk of its own, loaded by the core on pages that use commands (docs/client.md, "Commands").
 *
 * Two spellings in attributes, both read as data (no string is evaluated, so pages work under
 * `script-src 'self'`):
 * - the published client's `lvt-el:<method>:on:<trigger>="param"`: methods `reset`, `addClass`,
 *   `removeClass`, `toggleClass`, `setAttr` (`name:value`), `toggleAttr`; aimed with
 *   `data-lvt-target="#id"` or `"closest:<selector>"`;
 * - a JSON command list, `lvt-js:<trigger>='[["show", {"to": "#menu"}], ["focus", {"to": "#q"}]]'`,
 *   for every command (interpreted by `run.ts`).
 * A trigger is a DOM event (`click`, `mouseenter`, `my-event`...), `click-away` (a click outside
 * the element), or a form's lifecycle state (`pending`, `success`, `error`, `done`), optionally
 * scoped to one action as `<action>:<state>`.
 */
import { defineChunk } from "../chunk-define.js";
import type { CommandsChunk } from "./api.js";
import { attr, classes, run, targets, useCore } from "./run.js";

const LIFECYCLE = ["pending", "success", "error", "done"];
const NON_BUBBLING = new Set(["mouseenter", "mouseleave", "focus", "blur", "load", "error", "scroll"]);
/** The published client's `lvt-el:` methods (attribute names arrive lower-cased). */
const METHODS = ["reset", "addclass", "removeclass", "toggleclass", "setattr", "toggleattr"];
const BINDING = /^lvt-(?:js:|el:(\w+):on:)(.+)$/;
const bound = new Set<string>();
let started = false;

/** The element an `lvt-el:` binding acts on: `data-lvt-target` (`#id`, `closest:<sel>`), else itself. */
function elTarget(el: Element): Element {
  const sel = el.getAttribute("data-lvt-target") ?? "";
  return (sel[0] === "#" || sel.startsWith("closest:") ? targets(el, sel)[0] : null) ?? el;
}

/** One `lvt-el:<method>` binding, mapped onto the commands. */
function elMethod(method: string, param: string, t: Element): void {
  if (method === "reset") run([["reset"]], t);
  else if (method === "setattr") {
    const colon = param.indexOf(":");
    if (colon > 0) attr(t, param.slice(0, colon), param.slice(colon + 1));
  } else if (method === "toggleattr") attr(t, param, t.hasAttribute(param) ? null : "");
  else classes(t, param, method.slice(0, -5) as "add" | "remove" | "toggle");
}

/**
 * Runs what `el` binds to `trigger`: a DOM event or `click-away` (`action` undefined), or a
 * lifecycle state of the form action `action` (unscoped bindings and those scoped to `action`).
 */
function fire(el: Element, trigger: string, action?: string): void {
  for (const at of Array.from(el.attributes)) {
    const m = BINDING.exec(at.name);
    if (!m) continue;
    const on = m[2];
    if (on !== trigger && !(action !== undefined && on === `${action}:${trigger}`)) continue;
    if (m[1] === undefined) run(at.value, el);
    else if (METHODS.includes(m[1])) elMethod(m[1], at.value, elTarget(el));
  }
}

/** A DOM event: the bindings of the target and, for a bubbling event, of each ancestor. */
function onEvent(e: Event): void {
  const bubbles = !NON_BUBBLING.has(e.type);
  for (let el = e.target instanceof Element ? e.target : null; el; el = bubbles ? el.parentElement : null) fire(el, e.type);
}

/** A click: every element with a `click-away` binding that does not contain the click's target. */
function onClickAway(e: Event): void {
  const sel = ["[lvt-js\\:click-away]", ...METHODS.map((m) => `[lvt-el\\:${m}\\:on\\:click-away]`)].join();
  for (const el of Array.from(document.querySelectorAll(sel))) {
    if (!(e.target instanceof Node && el.contains(e.target))) fire(el, "click-away");
  }
}

/** A form's lifecycle event: the bindings of that state anywhere in the form's wrapper. */
function onLifecycle(e: Event): void {
  // The wrapper's own lvt:error (a server error envelope) is no form's state.
  if (!(e.target instanceof HTMLFormElement)) return;
  const state = e.type.slice(4);
  const action = ((e as CustomEvent).detail as { action?: string } | null)?.action;
  const root = e.target.closest("[data-lvt-id]") ?? document.body;
  for (const el of Array.from(root.querySelectorAll("*"))) fire(el, state, action);
}

function listen(trigger: string): void {
  if (bound.has(trigger) || LIFECYCLE.includes(trigger)) return;
  bound.add(trigger);
  if (trigger === "click-away") document.addEventListener("click", onClickAway, true);
  else document.addEventListener(trigger, onEvent, true);
}

const chunk: CommandsChunk = {
  init(api) {
    if (started) return;
    started = true;
    useCore(api);
    for (const state of LIFECYCLE) document.addEventListener("lvt:" + state, onLifecycle);
  },
  run,
  scan(root) {
    // The trigger is the name's last segment (`lvt-el:addclass:on:save:success` is a lifecycle state).
    for (const m of root.innerHTML.matchAll(/\slvt-(?:js:|el:\w+:on:)([\w:-]+)=/gi)) listen(m[1]!.split(":").pop()!.toLowerCase());
  },
};

defineChunk("commands", chunk);
