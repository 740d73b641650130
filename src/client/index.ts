/**
 * The LiveTemplate browser client. As a classic script (the IIFE build) it boots itself on
 * DOMContentLoaded for every `[data-lvt-id]` wrapper and exposes `window.LiveTemplate`; as an ES
 * module it only exports, and the page calls {@link connect}.
 *
 * @example
 * ```html
 * <script src="/livetemplate.min.js"></script>
 * <script>LiveTemplate.hooks.Chart = { mounted() { draw(this.el); } };</script>
 * ```
 */
import { ATTR_WRAPPER_ID } from "../protocol/wire.js";
import { clients, LiveClient } from "./client.js";
import type { ClientOptions } from "./options.js";
import { hooks } from "./hooks.js";
import { setCoreSource } from "./chunks.js";

export { LiveClient, hooks };
export type { ClientOptions };
export type { ErrorDetail } from "./options.js";
export type { Hook, HookContext } from "./hooks.js";
export type { FormResultDetail } from "./forms.js";
export type { Payload } from "./payload.js";

declare const DEV_MODE: boolean;

/**
 * Connects a wrapper (an element or a selector; default the first `[data-lvt-id]`) and returns its
 * client. Connecting a wrapper twice returns the existing client.
 */
export function connect(target: HTMLElement | string = `[${ATTR_WRAPPER_ID}]`, options: ClientOptions = {}): LiveClient {
  const wrapper = typeof target === "string" ? document.querySelector<HTMLElement>(target) : target;
  if (!wrapper) throw new Error(`livetemplate: no wrapper matches ${String(target)}`);
  let client = clients.get(wrapper);
  if (!client) {
    client = new LiveClient(wrapper, options);
    clients.set(wrapper, client);
    client.start();
  }
  return client;
}

/** The global of the script build. */
export interface LiveTemplateGlobal {
  hooks: typeof hooks;
  connect: typeof connect;
  clients: Map<HTMLElement, LiveClient>;
}

// Only a classic script has a currentScript: the IIFE boots itself, an ES module import does not.
const script = typeof document === "undefined" ? null : document.currentScript;
if (script) {
  setCoreSource((script as HTMLScriptElement).src);
  const g = window as unknown as { LiveTemplate?: Partial<LiveTemplateGlobal> };
  // Hooks registered before this script ran (window.LiveTemplate = {hooks: {...}}) are kept.
  Object.assign(hooks, g.LiveTemplate?.hooks);
  g.LiveTemplate = { hooks, connect, clients };
  const boot = (): void => {
    if (script.hasAttribute("data-lvt-manual")) return;
    for (const el of Array.from(document.querySelectorAll<HTMLElement>(`[${ATTR_WRAPPER_ID}]`))) connect(el);
    if (DEV_MODE && clients.size === 0) console.warn("livetemplate: no [data-lvt-id] wrapper on this page");
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
}
