/**
 * Form submission lifecycle: `lvt:pending` when sent, then `lvt:success` or `lvt:error`, then
 * `lvt:done`, all dispatched on the form and bubbling. Field errors from `meta.errors` set
 * `aria-invalid="true"` on the named field until the form is next submitted successfully.
 */
import type { ResponseMeta } from "../protocol/messages.js";

interface Pending {
  form: HTMLFormElement;
  action: string;
  button: HTMLButtonElement | HTMLInputElement | null;
  label: string | null;
  overHttp: boolean;
}

/** Detail of `lvt:success`, `lvt:error` and `lvt:done`. */
export interface FormResultDetail {
  action: string;
  success: boolean;
  errors: Record<string, string>;
  meta: Partial<ResponseMeta>;
}

const fire = (el: Element, name: string, detail: unknown): boolean =>
  el.dispatchEvent(new CustomEvent(name, { bubbles: true, detail }));

/** Tracks forms waiting for their reply and the field errors shown on them. */
export class Forms {
  private pending: Pending[] = [];
  private marked = new Map<HTMLFormElement, Record<string, string>>();

  /** Marks a form as submitted: busy, submit button disabled with its `lvt-form:disable-with` text. */
  begin(form: HTMLFormElement, submitter: HTMLElement | null, message: unknown, overHttp: boolean): void {
    fire(form, "lvt:pending", message);
    form.setAttribute("aria-busy", "true");
    let button: Pending["button"] = null;
    let label: string | null = null;
    const text = submitter?.getAttribute("lvt-form:disable-with");
    if ((submitter instanceof HTMLButtonElement || submitter instanceof HTMLInputElement) && text != null) {
      button = submitter;
      label = button instanceof HTMLInputElement ? button.value : button.textContent;
      button.disabled = true;
      if (button instanceof HTMLInputElement) button.value = text;
      else button.textContent = text;
    }
    const action = (message as { action: string }).action;
    this.pending.push({ form, action, button, label, overHttp });
  }

  /** Settles the oldest pending form of `action` with the reply's metadata. */
  settle(action: string | undefined, meta: Partial<ResponseMeta> | undefined): void {
    const i = this.pending.findIndex((p) => p.action === action);
    const p = this.pending[i];
    if (!p) return;
    this.pending.splice(i, 1);
    const errors = meta?.errors ?? {};
    const success = meta?.success ?? Object.keys(errors).length === 0;
    const { form, button, label } = p;
    form.removeAttribute("aria-busy");
    if (button && label !== null) {
      button.disabled = false;
      if (button instanceof HTMLInputElement) button.value = label;
      else button.textContent = label;
    }
    if (success) this.marked.delete(form);
    else this.marked.set(form, errors);
    this.mark(form, errors);
    if (success && !form.hasAttribute("lvt-form:preserve")) form.reset();
    const detail: FormResultDetail = { action: p.action, success, errors, meta: meta ?? {} };
    fire(form, success ? "lvt:success" : "lvt:error", detail);
    fire(form, "lvt:done", detail);
  }

  /** Fails every pending form (optionally only those sent over the socket) with a general error. */
  failAll(reason: string, socketOnly: boolean): void {
    for (const p of this.pending.slice()) {
      if (!socketOnly || !p.overHttp) this.settle(p.action, { success: false, errors: { _general: reason } });
    }
  }

  /** Puts field errors back after a patch, which rewrites attributes to what the server rendered. */
  reapply(): void {
    for (const [form, errors] of this.marked) {
      if (form.isConnected) this.mark(form, errors);
      else this.marked.delete(form);
    }
  }

  private mark(form: HTMLFormElement, errors: Record<string, string>): void {
    for (const el of Array.from(form.querySelectorAll("[aria-invalid][data-lvt-invalid]"))) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("data-lvt-invalid");
    }
    for (const [name, message] of Object.entries(errors)) {
      const el = form.querySelector(`[name="${CSS.escape(name)}"]`);
      if (el) {
        el.setAttribute("aria-invalid", "true");
        el.setAttribute("data-lvt-invalid", message);
      }
    }
  }
}
