/**
 * Builds the `data` of an action message from the DOM: form fields for forms, `data-*` attributes
 * and the element's own value otherwise. Values are typed the way the published client types them,
 * so a server written against either client sees the same JSON.
 */

/** Data sent with an action. */
export type Payload = Record<string, unknown>;

/**
 * Turns a string into a number when it prints back identically (so "007", "1e3" and integers
 * beyond 2^53 stay strings), into a boolean for exactly "true"/"false", else leaves it alone.
 */
export function parseValue(value: string): unknown {
  const t = value.trim();
  const n = parseFloat(t);
  if (!isNaN(n) && String(n) === t && !(Number.isInteger(n) && Math.abs(n) > Number.MAX_SAFE_INTEGER)) return n;
  return value === "true" ? true : value === "false" ? false : value;
}

/** Copies `data-*` attributes (minus the framework's own) into `out`, names without the prefix. */
export function dataAttributes(el: Element, out: Payload): Payload {
  for (const a of Array.from(el.attributes)) {
    if (a.name.startsWith("data-") && a.name !== "data-key" && !a.name.startsWith("data-lvt-")) {
      out[a.name.slice(5)] = parseValue(a.value);
    }
  }
  return out;
}

type Field = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
const isField = (el: Element): el is Field =>
  el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement;

/** The value a lone field contributes: checkboxes send `checked`, multi-selects a list. */
function fieldValue(el: Field): unknown {
  if (el instanceof HTMLInputElement && el.type === "checkbox") return el.checked;
  if (el instanceof HTMLSelectElement && el.multiple) return Array.from(el.selectedOptions, (o) => parseValue(o.value));
  return el instanceof HTMLInputElement && el.type === "password" ? el.value : parseValue(el.value);
}

/** The payload of a non-form element: its value under its name (or `value`), then `data-*`. */
export function elementPayload(el: Element): Payload {
  const out: Payload = {};
  if (isField(el)) out[el.name || "value"] = fieldValue(el);
  return dataAttributes(el, out);
}

/**
 * The payload of a form: every named field (files excluded), a lone checkbox as a boolean, a
 * checkbox group or multi-select as a list. The submitter's name is the action route, not data,
 * so it is left out; its value and `data-*` attributes are added.
 */
export function formPayload(form: HTMLFormElement, submitter: HTMLElement | null): Payload {
  const out: Payload = {};
  const groups = new Map<string, HTMLInputElement[]>();
  for (const el of Array.from(form.elements)) {
    if (el instanceof HTMLInputElement && el.type === "checkbox" && el.name && !el.disabled) {
      groups.set(el.name, [...(groups.get(el.name) ?? []), el]);
    }
  }
  for (const [name, boxes] of groups) {
    out[name] = boxes.length === 1 ? boxes[0]?.checked === true : boxes.filter((b) => b.checked).map((b) => parseValue(b.value));
  }
  const skip = submitter instanceof HTMLButtonElement || submitter instanceof HTMLInputElement ? submitter.name : "";
  for (const el of Array.from(form.elements)) {
    if (!isField(el) || !el.name || el.disabled || el.name === skip || groups.has(el.name)) continue;
    if (el instanceof HTMLInputElement) {
      if (el.type === "file" || el.type === "submit" || el.type === "button" || el.type === "image" || el.type === "reset") continue;
      if (el.type === "radio" && !el.checked) continue;
    }
    out[el.name] = fieldValue(el);
  }
  if (submitter) {
    const value = (submitter as HTMLButtonElement).value;
    if (value) out["value"] = parseValue(value);
    dataAttributes(submitter, out);
  }
  return out;
}
