/**
 * Event delegation: one listener per event type on the document (and on window for
 * `lvt-on:window:*`), so elements patched in later need no binding. An element names its action
 * with `lvt-on:<event>="action"` or, for the common events, `lvt-<event>="action"`.
 */
import { FORM_ACTION_FIELD } from "../protocol/wire.js";
import { dataAttributes, elementPayload, formPayload } from "./payload.js";
import type { Payload } from "./payload.js";

/** What delegation needs from a client: its wrapper and a way to send. */
export interface ActionSink {
  readonly wrapper: HTMLElement;
  /** Sends an action; `form` starts the form lifecycle. */
  act(action: string, data: Payload, form?: HTMLFormElement, submitter?: HTMLElement | null, el?: Element, type?: string): void;
}

/** Events with a short attribute spelling (`lvt-click`, ...). */
const SHORT = ["click", "submit", "change", "input", "keyup", "keydown", "focus", "blur"];
/** Events that do not bubble: only the target itself is considered, and we listen in capture. */
const NON_BUBBLING = new Set(["focus", "blur", "mouseenter", "mouseleave", "load", "error", "scroll"]);

const targets = new Map<HTMLElement, ActionSink>();
const bound = new Set<string>();
const rateLimited = new WeakMap<Element, Map<string, () => void>>();
/** The latest send for each rate-limited (element, event, action): timers call the newest one. */
const latest = new WeakMap<Element, Map<string, () => void>>();

/** Registers a client so events inside its wrapper reach it. */
export function attach(t: ActionSink): void {
  targets.set(t.wrapper, t);
  for (const type of SHORT) listen(type, false);
  scanEventNames(t.wrapper.innerHTML);
}

/** Unregisters a client. */
export function detach(t: ActionSink): void {
  targets.delete(t.wrapper);
}

/** Set once some HTML uses client commands (`lvt-js:*`, `lvt-el:*`): the client loads their chunk. */
export let wantCommands = false;
/** Set once some HTML uses effects (`lvt-fx:*`): the client loads their chunk after every patch. */
export let wantFx = false;
/** Set once some HTML has an upload input, zone or preview (`lvt-upload*`): the client loads the upload chunk. */
export let wantUploads = false;

/** Starts listening for every `lvt-on:<event>` / `lvt-on:window:<event>` named in the HTML. */
export function scanEventNames(html: string): void {
  if (/lvt-(js|el):/.test(html)) wantCommands = true;
  if (html.includes("lvt-upload")) wantUploads = true;
  if (html.includes("lvt-fx:")) wantFx = true;
  for (const m of html.matchAll(/lvt-on:(window:)?([a-z][\w-]*)/gi)) listen((m[2] ?? "").toLowerCase(), !!m[1]);
}

function listen(type: string, onWindow: boolean): void {
  const id = (onWindow ? "w:" : "d:") + type;
  if (bound.has(id)) return;
  bound.add(id);
  if (onWindow) window.addEventListener(type, (e) => onWindowEvent(e, type));
  else document.addEventListener(type, onDocumentEvent, NON_BUBBLING.has(type));
}

/** The action an element binds for an event, in either spelling. */
function actionOf(el: Element, type: string): string | null {
  return el.getAttribute("lvt-on:" + type) ?? (SHORT.includes(type) ? el.getAttribute("lvt-" + type) : null);
}

/**
 * Matches a key event against `lvt-key`: a bare key ("Enter") matches only without Ctrl/Meta/Alt;
 * a combo ("Mod+Enter", "Shift+ArrowDown") requires its modifiers, `Mod` being Ctrl or Meta.
 */
export function keyMatches(e: KeyboardEvent, filter: string): boolean {
  if (filter === "+" || !filter.includes("+")) return e.key === filter && !e.ctrlKey && !e.metaKey && !e.altKey;
  const parts = filter.split("+");
  if (e.key !== parts.pop()) return false;
  return parts.every((m) => {
    switch (m.toLowerCase()) {
      case "mod":
        return e.ctrlKey || e.metaKey;
      case "ctrl":
      case "control":
        return e.ctrlKey;
      case "meta":
      case "cmd":
        return e.metaKey;
      case "shift":
        return e.shiftKey;
      case "alt":
      case "option":
        return e.altKey;
      default:
        return false;
    }
  });
}

/** False when the element has a key filter that this event does not satisfy. */
function keyOk(el: Element, e: Event): boolean {
  const filter = el.getAttribute("lvt-key");
  if (!filter || !(e instanceof KeyboardEvent)) return true;
  if (!keyMatches(e, filter)) return false;
  // A deliberate chord (Mod+Enter) should not also type into the field.
  if (filter.length > 1 && filter.includes("+")) e.preventDefault();
  return true;
}

function onDocumentEvent(e: Event): void {
  const type = e.type;
  let el = e.target instanceof Element ? e.target : e.target instanceof Node ? e.target.parentElement : null;
  const wrapper = el?.closest<HTMLElement>("[data-lvt-id]");
  const t = wrapper && targets.get(wrapper);
  if (!t) return;
  const submitter = e instanceof SubmitEvent && e.submitter instanceof HTMLElement ? e.submitter : null;
  for (; el && el !== wrapper.parentElement; el = el.parentElement) {
    let action = actionOf(el, type);
    if (action === null && type === "submit" && el instanceof HTMLFormElement && !el.hasAttribute("lvt-form:no-intercept")) {
      // Forms are live without an attribute: the route is lvt-form:action, the submit button's
      // name, the form's lvt-action field (what a no-JS post uses), the form's name, then "submit".
      const field = el.elements.namedItem(FORM_ACTION_FIELD);
      action =
        el.getAttribute("lvt-form:action") ||
        (submitter as HTMLButtonElement | null)?.name ||
        (field instanceof HTMLInputElement ? field.value : "") ||
        el.getAttribute("name") ||
        "submit";
    }
    if (action === null && type === "click" && el instanceof HTMLButtonElement && el.name && !el.form && !el.disabled && el.type !== "reset") {
      action = el.name; // a named button outside any form is an action by itself
    }
    if (action !== null && keyOk(el, e)) {
      if (type === "submit") e.preventDefault();
      run(t, el, type, action, submitter);
      return;
    }
    if (NON_BUBBLING.has(type)) return;
  }
}

function onWindowEvent(e: Event, type: string): void {
  for (const t of targets.values()) {
    for (const el of Array.from(t.wrapper.querySelectorAll(`[lvt-on\\:window\\:${type}]`))) {
      const action = el.getAttribute(`lvt-on:window:${type}`);
      if (action && keyOk(el, e)) limited(el, "w" + type + action, () => t.act(action, dataAttributes(el, {}), undefined, null, el, type));
    }
  }
}

function run(t: ActionSink, el: Element, type: string, action: string, submitter: HTMLElement | null): void {
  limited(el, type + ":" + action, () => {
    if (el instanceof HTMLFormElement) {
      const data = formPayload(el, type === "submit" ? submitter : null);
      // The routing field of no-JS posts is not data (the server drops it from form posts too).
      delete data[FORM_ACTION_FIELD];
      t.act(action, data, type === "submit" ? el : undefined, submitter, el, type);
    } else {
      t.act(action, elementPayload(el), undefined, null, el, type);
    }
  });
}

/**
 * Runs `send` now, or through the element's debounce/throttle. The payload is read when the send
 * actually happens, so a debounced input sends its final value.
 */
function limited(el: Element, id: string, send: () => void): void {
  const debounce = el.getAttribute("lvt-debounce") ?? el.getAttribute("lvt-mod:debounce");
  const throttle = el.getAttribute("lvt-throttle") ?? el.getAttribute("lvt-mod:throttle");
  if (debounce === null && throttle === null) return send();
  const newest = latest.get(el) ?? new Map<string, () => void>();
  latest.set(el, newest);
  newest.set(id, send);
  const fns = rateLimited.get(el) ?? new Map<string, () => void>();
  rateLimited.set(el, fns);
  let fn = fns.get(id);
  if (!fn) {
    const call = (): void => newest.get(id)?.();
    fn = throttle !== null ? throttled(call, parseInt(throttle, 10) || 0) : debounced(call, parseInt(debounce ?? "", 10) || 0);
    fns.set(id, fn);
  }
  fn();
}

function debounced(fn: () => void, ms: number): () => void {
  let timer = 0;
  return () => {
    clearTimeout(timer);
    timer = window.setTimeout(fn, ms);
  };
}

/** At most one call per window: the first runs at once, the last of a burst runs when it closes. */
function throttled(fn: () => void, ms: number): () => void {
  let open = true;
  let queued = false;
  const tick = (): void => {
    if (queued) {
      queued = false;
      fn();
      window.setTimeout(tick, ms);
    } else open = true;
  };
  return () => {
    if (!open) {
      queued = true;
      return;
    }
    open = false;
    fn();
    window.setTimeout(tick, ms);
  };
}
