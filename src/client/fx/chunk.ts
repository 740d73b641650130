/**
 * Effects: `lvt-fx:<effect>="<mode>"` attributes that play a visual effect when the page is
 * updated, or on a trigger. A chunk of its own, loaded by the core on pages whose HTML has an
 * `lvt-fx:` attribute (docs/client.md, "Effects (lvt-fx)").
 *
 * - `lvt-fx:highlight`, `lvt-fx:animate`, `lvt-fx:scroll` (`effects.ts`) without a trigger play
 *   after every update that changed the page (the first render included), on every element of the
 *   wrapper that has one with a non-empty value;
 * - `lvt-fx:auto-click="<ms>:<button name>"` clicks a button inside the element that many ms after
 *   the element first shows the value;
 * - `lvt-fx:<effect>:on:<event>` plays on a DOM event of the element (or, for a bubbling event, of
 *   its descendants), on the element or on its `data-lvt-target` (`#id`, `closest:<sel>`);
 * - `lvt-fx:<effect>:on:[<action>:]<state>` plays when a form's lifecycle reaches `pending`,
 *   `success`, `error` or `done` (for that action only, when one is named).
 */
import { defineChunk } from "../chunk-define.js";
import type { FxChunk } from "./api.js";
import { applyEffect, forgetScrolls } from "./effects.js";
import { resume } from "./inline.js";

const LIFECYCLE = ["pending", "success", "error", "done"];
/** The effects played on updates, in the order the published client plays them. */
const ON_UPDATE = ["scroll", "highlight", "animate"];
/** `lvt-fx:<effect>:on:<trigger>`; the trigger is the last segment, an action may come before it. */
const TRIGGERED = /^lvt-fx:(\w+):on:(?:(.+):)?([^:]+)$/;
const AUTO_CLICK = "lvt-fx:auto-click";
const WRAPPER = "[data-lvt-id]";

const bound = new Set<string>();
/** Armed auto-clicks: the element, its spec and its timer. A fired one stays until its element goes. */
const clicks = new Map<Element, { spec: string; timer: number }>();
let started = false;

/** The element a DOM-event effect plays on: `data-lvt-target` (`#id`, `closest:<sel>`), else itself. */
function target(el: Element): Element {
  const sel = el.getAttribute("data-lvt-target") ?? "";
  const t = sel[0] === "#" ? document.getElementById(sel.slice(1)) : sel.startsWith("closest:") ? el.closest(sel.slice(8)) : null;
  return t ?? el;
}

/** Every `lvt-fx:<effect>:on:` attribute of `el` whose trigger is `trigger`, with its effect, action and value. */
function* triggered(el: Element, trigger: string): Generator<[effect: string, action: string | undefined, value: string]> {
  for (const at of Array.from(el.attributes)) {
    const m = TRIGGERED.exec(at.name);
    if (m && m[3]!.toLowerCase() === trigger) yield [m[1]!, m[2], at.value];
  }
}

/** A DOM event: the effects bound to it on the target and, when the event bubbles, on each ancestor. */
function onEvent(e: Event): void {
  for (let el = e.target instanceof Element ? e.target : null; el; el = e.bubbles ? el.parentElement : null) {
    if (!el.closest(WRAPPER)) return;
    for (const [effect, , value] of triggered(el, e.type)) applyEffect(target(el), effect, value);
  }
}

/**
 * A lifecycle event (`lvt:<state>`, on a form or, for a server error, on a wrapper): the effects
 * bound to that state on every element of every wrapper, unscoped or scoped to the event's action.
 */
function onLifecycle(e: Event): void {
  const state = e.type.slice(4);
  const action = ((e as CustomEvent).detail as { action?: unknown } | null)?.action;
  for (const w of Array.from(document.querySelectorAll(WRAPPER))) {
    for (const el of [w, ...Array.from(w.querySelectorAll("*"))]) {
      for (const [effect, scope, value] of triggered(el, state)) if (scope === undefined || scope === action) applyEffect(el, effect, value);
    }
  }
}

/** Arms, re-arms or drops the auto-clicks of `root` (see the file comment). */
function autoClicks(root: Element): void {
  for (const [el, c] of clicks) {
    if (!el.isConnected || !el.hasAttribute(AUTO_CLICK)) {
      clearTimeout(c.timer);
      clicks.delete(el);
    }
  }
  for (const el of Array.from(root.querySelectorAll("[lvt-fx\\:auto-click]"))) {
    const spec = el.getAttribute(AUTO_CLICK);
    const had = clicks.get(el);
    if (!spec || had?.spec === spec) continue;
    if (had) clearTimeout(had.timer);
    clicks.delete(el);
    const m = /^(\d+):([\w-]+)$/.exec(spec);
    if (!m) {
      console.warn(`livetemplate: lvt-fx:auto-click expects "<delay-ms>:<button-name>", got: ${spec}`);
      continue;
    }
    const timer = window.setTimeout(() => {
      if (el.isConnected) el.querySelector<HTMLElement>(`button[name="${m[2]}"]`)?.click();
    }, Number(m[1]));
    clicks.set(el, { spec, timer });
  }
}

function listen(trigger: string): void {
  if (bound.has(trigger) || trigger === "click-away" || LIFECYCLE.includes(trigger)) return;
  bound.add(trigger);
  document.addEventListener(trigger, onEvent, true);
}

const chunk: FxChunk = {
  run(wrapper) {
    if (!started) {
      started = true;
      for (const state of LIFECYCLE) document.addEventListener("lvt:" + state, onLifecycle, true);
    }
    // First, before anything reads a computed style: what the patch took off running effects.
    resume();
    forgetScrolls();
    for (const effect of ON_UPDATE) {
      for (const el of Array.from(wrapper.querySelectorAll(`[lvt-fx\\:${effect}]`))) {
        const value = el.getAttribute("lvt-fx:" + effect);
        if (value) applyEffect(el, effect, value);
      }
    }
    autoClicks(wrapper);
    for (const m of wrapper.outerHTML.matchAll(/\slvt-fx:\w+:on:([\w:-]+)=/gi)) listen(m[1]!.split(":").pop()!.toLowerCase());
  },
};

defineChunk("fx", chunk);
