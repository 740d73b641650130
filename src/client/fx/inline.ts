/**
 * Inline style properties that running effects hold. The server's HTML knows nothing of them, so
 * a patch that updates an element (morphdom sets its attributes to the server's) takes them off
 * mid-effect. {@link resume}, called right after each patch and before the browser renders, puts
 * them back: the flash or animation goes on as if nothing happened. What the element had of its
 * own, or what the server has rendered since, is put back when the effect lets go.
 */

interface Held {
  /** Our value, as the CSSOM serializes it (what reading the property back gives). */
  value: string;
  /** The element's own value, to put back on release. */
  own: string;
}

const held = new Map<HTMLElement, Map<string, Held>>();

/** Sets inline property `name` of `el` to `value` for an effect. */
export function hold(el: HTMLElement, name: string, value: string): void {
  const s = el.style;
  let props = held.get(el);
  if (!props) held.set(el, (props = new Map()));
  const own = props.get(name)?.own ?? s.getPropertyValue(name);
  s.setProperty(name, value);
  props.set(name, { value: s.getPropertyValue(name), own });
}

/** Gives property `name` back to `el`'s own value; a `style` attribute left empty is removed. */
export function release(el: HTMLElement, name: string): void {
  const props = held.get(el);
  const h = props?.get(name);
  if (!props || !h) return;
  props.delete(name);
  if (props.size === 0) held.delete(el);
  const s = el.style;
  if (h.own) s.setProperty(name, h.own);
  else s.removeProperty(name);
  if (s.length === 0) el.removeAttribute("style");
}

/**
 * After a patch: every held property the patch changed is set again, and the value the patch
 * brought becomes the element's own. Elements the patch removed are forgotten.
 */
export function resume(): void {
  for (const [el, props] of held) {
    if (!el.isConnected) {
      held.delete(el);
      continue;
    }
    for (const [name, h] of props) {
      const now = el.style.getPropertyValue(name);
      if (now === h.value) continue;
      h.own = now;
      el.style.setProperty(name, h.value);
    }
  }
}
