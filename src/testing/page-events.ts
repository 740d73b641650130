/**
 * What the browser client would send for a user event, worked out on the test API's parsed page:
 * the same `lvt-*` attribute lookup (`client/events.ts`: the element or its nearest ancestor
 * with `lvt-on:<event>` / `lvt-<event>`, forms live without an attribute, a named button outside
 * any form is an action) and the same payloads (`client/payload.ts`: form fields, `data-*`
 * attributes, values typed by {@link parseValue}). Keep the two in step: the test API's tests
 * run the same pages through Chromium for a few of these rules.
 */
import { FORM_ACTION_FIELD } from "../protocol/wire.js";
import { descendants, textOf, type DomElement } from "./html-dom.js";

/** Data sent with an action. */
export type Payload = Record<string, unknown>;

/** An action message as the client would send it. */
export interface ClientAction {
  readonly action: string;
  readonly data: Payload;
  readonly submitter?: string | undefined;
}

const SHORT = ["click", "submit", "change", "input", "keyup", "keydown", "focus", "blur"];

/** The client's value typing (`client/payload.ts` `parseValue`), repeated here for Node. */
export function parseValue(value: string): unknown {
  const t = value.trim();
  const n = parseFloat(t);
  if (!isNaN(n) && String(n) === t && !(Number.isInteger(n) && Math.abs(n) > Number.MAX_SAFE_INTEGER)) return n;
  return value === "true" ? true : value === "false" ? false : value;
}

function actionOf(el: DomElement, type: string): string | undefined {
  return el.attrs.get("lvt-on:" + type) ?? (SHORT.includes(type) ? el.attrs.get("lvt-" + type) : undefined);
}

/** The form an element belongs to (its nearest form ancestor). */
export function formOf(el: DomElement): DomElement | undefined {
  for (let p: DomElement | undefined = el; p !== undefined; p = p.parent) if (p.tag === "form") return p;
  return undefined;
}

/**
 * Matches a key against `lvt-key` as the client does for a key event whose `key` is `key`
 * ("Enter", or a chord such as "Mod+Enter" / "Shift+ArrowDown" for the modifiers held).
 */
export function keyMatches(filter: string, key: string): boolean {
  if (filter === "+" || !filter.includes("+")) return filter === key;
  const norm = (s: string): string[] => {
    const parts = s.split("+");
    const last = parts.pop() ?? "";
    const mods = parts.map((m) => {
      const l = m.toLowerCase();
      return l === "control" ? "ctrl" : l === "cmd" ? "meta" : l === "option" ? "alt" : l;
    });
    return [...mods.sort(), last];
  };
  const want = norm(filter);
  const got = norm(key);
  if (want.at(-1) !== got.at(-1) || want.length !== got.length) return false;
  return want.slice(0, -1).every((m, i) => m === got[i] || (m === "mod" && (got[i] === "ctrl" || got[i] === "meta")));
}

/**
 * The action a `type` event on `target` sends, or undefined when no element on the way up binds
 * one. `values` are field values the user typed, by field name; `submitter` is the button of a
 * submit; `key` the key of a key event.
 */
export function eventAction(
  type: string,
  target: DomElement,
  opts: { values?: Payload; submitter?: DomElement | undefined; key?: string } = {},
): ClientAction | undefined {
  const values = opts.values ?? {};
  for (let el: DomElement | undefined = target; el !== undefined && el.tag !== "#root"; el = el.parent) {
    let action = actionOf(el, type);
    if (action === undefined && type === "submit" && el.tag === "form" && !el.attrs.has("lvt-form:no-intercept")) {
      const field = [...descendants(el)].find((f) => f.tag === "input" && f.attrs.get("name") === FORM_ACTION_FIELD);
      action =
        nonEmpty(el.attrs.get("lvt-form:action")) ??
        nonEmpty(opts.submitter?.attrs.get("name")) ??
        nonEmpty(field?.attrs.get("value")) ??
        nonEmpty(el.attrs.get("name")) ??
        "submit";
    }
    if (action === undefined && type === "click" && el.tag === "button" && nonEmpty(el.attrs.get("name")) !== undefined) {
      const kind = el.attrs.get("type") ?? "submit";
      if (formOf(el) === undefined && !el.attrs.has("disabled") && kind !== "reset") action = el.attrs.get("name");
    }
    if (action !== undefined) {
      const filter = el.attrs.get("lvt-key");
      if (filter !== undefined && filter !== "" && opts.key !== undefined && !keyMatches(filter, opts.key)) return undefined;
      if (filter !== undefined && filter !== "" && opts.key === undefined && (type === "keyup" || type === "keydown")) return undefined;
      if (el.tag === "form") {
        const data = formPayload(el, type === "submit" ? opts.submitter : undefined, values);
        delete data[FORM_ACTION_FIELD];
        const submitter = type === "submit" ? nonEmpty(opts.submitter?.attrs.get("name")) : undefined;
        return { action, data, submitter };
      }
      return { action, data: elementPayload(el, values) };
    }
    if (type === "focus" || type === "blur") return undefined;
  }
  return undefined;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === "" ? undefined : s;
}

/** `data-*` attributes, minus the framework's own, names without the prefix. */
function dataAttributes(el: DomElement, out: Payload): Payload {
  for (const [name, value] of el.attrs) {
    if (name.startsWith("data-") && name !== "data-key" && !name.startsWith("data-lvt-")) out[name.slice(5)] = parseValue(value);
  }
  return out;
}

const isField = (el: DomElement): boolean => el.tag === "input" || el.tag === "select" || el.tag === "textarea";

/** A typed value as the client reads it from a field the user typed `v` into. */
function typed(el: DomElement, v: unknown): unknown {
  if (typeof v !== "string") return v;
  return el.tag === "input" && el.attrs.get("type") === "password" ? v : parseValue(v);
}

function options(select: DomElement): DomElement[] {
  return [...descendants(select)].filter((o) => o.tag === "option");
}
const optionValue = (o: DomElement): string => o.attrs.get("value") ?? textOf(o).trim();

/** A lone field's value: checkbox `checked`, multi-select a list, else the typed value. */
function fieldValue(el: DomElement, values: Payload): unknown {
  const name = el.attrs.get("name") ?? "";
  const type = el.attrs.get("type") ?? "text";
  if (name !== "" && name in values) {
    const v = values[name];
    if (el.tag === "input" && type === "checkbox") return v === true || v === "true" || v === "on";
    return Array.isArray(v) ? v : typed(el, v);
  }
  if (el.tag === "input" && type === "checkbox") return el.attrs.has("checked");
  if (el.tag === "textarea") return parseValue(textOf(el).replace(/^\n/, ""));
  if (el.tag === "select") {
    const opts = options(el);
    const chosen = opts.filter((o) => o.attrs.has("selected"));
    if (el.attrs.has("multiple")) return chosen.map((o) => parseValue(optionValue(o)));
    const one = chosen.at(-1) ?? opts[0];
    return parseValue(one === undefined ? "" : optionValue(one));
  }
  return typed(el, el.attrs.get("value") ?? (type === "checkbox" || type === "radio" ? "on" : ""));
}

/** The payload of a non-form element: its value under its name (or `value`), then `data-*`. */
export function elementPayload(el: DomElement, values: Payload = {}): Payload {
  const out: Payload = {};
  if (isField(el)) out[el.attrs.get("name") || "value"] = fieldValue(el, values);
  else if ("value" in values) out["value"] = values["value"];
  return dataAttributes(el, out);
}

/**
 * The payload of a form: every named field (files excluded), a lone checkbox as a boolean, a
 * checkbox group as the list of checked values, radios by the checked one. `values` overrides
 * what the user typed or ticked, by name; a name that is no field of the form throws, so a typo in
 * a test fails loudly instead of sending nothing.
 */
export function formPayload(form: DomElement, submitter: DomElement | undefined, values: Payload = {}): Payload {
  const out: Payload = {};
  const fields = [...descendants(form)].filter(isField);
  const names = new Set(fields.map((f) => f.attrs.get("name") ?? ""));
  for (const name of Object.keys(values)) {
    if (!names.has(name)) throw new Error(`the form has no field named "${name}" (fields: ${[...names].filter((n) => n !== "").join(", ")})`);
  }
  const groups = new Map<string, DomElement[]>();
  for (const f of fields) {
    const name = f.attrs.get("name");
    if (f.tag === "input" && f.attrs.get("type") === "checkbox" && name && !f.attrs.has("disabled")) groups.set(name, [...(groups.get(name) ?? []), f]);
  }
  for (const [name, boxes] of groups) {
    if (boxes.length === 1) out[name] = fieldValue(boxes[0]!, values);
    else if (name in values) out[name] = values[name];
    else out[name] = boxes.filter((b) => b.attrs.has("checked")).map((b) => parseValue(b.attrs.get("value") ?? "on"));
  }
  const skip = submitter?.attrs.get("name") ?? "";
  for (const f of fields) {
    const name = f.attrs.get("name");
    if (!name || f.attrs.has("disabled") || name === skip || groups.has(name)) continue;
    const type = f.attrs.get("type") ?? "text";
    if (f.tag === "input") {
      if (type === "file" || type === "submit" || type === "button" || type === "image" || type === "reset") continue;
      if (type === "radio") {
        if (name in values) {
          if (!(name in out)) out[name] = typed(f, values[name]);
          continue;
        }
        if (!f.attrs.has("checked")) continue;
      }
    }
    out[name] = fieldValue(f, values);
  }
  if (submitter !== undefined) {
    const value = submitter.attrs.get("value");
    if (value) out["value"] = parseValue(value);
    dataAttributes(submitter, out);
  }
  return out;
}
