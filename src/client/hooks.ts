/**
 * Named JavaScript hooks attached with `lvt-hook="Name"`. Hooks are plain objects looked up in a
 * registry, never strings to evaluate, so pages work under a CSP without `unsafe-eval`.
 */
import type { Settle } from "./loading.js";
import type { Payload } from "./payload.js";

/** What a hook callback receives as `this` (and as its argument). */
export interface HookContext {
  /** The element carrying `lvt-hook`. */
  el: HTMLElement;
  /**
   * Sends an action to the server, as an `lvt-click` would; resolves with what the action gave
   * `ctx.reply(value)` (`undefined` if nothing), rejects with an `Error` whose `errors` holds
   * `meta.errors` when it failed.
   */
  pushEvent(action: string, data?: Payload): Promise<unknown>;
  /** Calls `fn(payload)` for every event `name` the server pushes (`ctx.pushEvent`) while the element lives. */
  handleEvent(name: string, fn: (payload: unknown) => void): void;
}

/** A hook: any of the three callbacks. */
export interface Hook {
  mounted?(this: HookContext, ctx: HookContext): void;
  updated?(this: HookContext, ctx: HookContext): void;
  destroyed?(this: HookContext, ctx: HookContext): void;
}

/** The shared registry; `LiveTemplate.hooks.Name = {...}` before or after boot. */
export const hooks: Record<string, Hook> = {};

const ATTR = "lvt-hook";

declare const DEV_MODE: boolean;

/** Runs the hooks of one wrapper as elements appear, change and leave. */
export class HookRunner {
  private live = new Map<HTMLElement, { name: string; ctx: HookContext; on: Array<[string, (p: unknown) => void]> }>();

  constructor(
    private own: Record<string, Hook> | undefined,
    private send: (action: string, data: Payload, done: Settle) => void,
  ) {}

  /** Hands a pushed event to every live hook that handles `name`. */
  emit(name: string, payload: unknown): void {
    for (const h of this.live.values()) {
      for (const [n, fn] of h.on) {
        if (n !== name) continue;
        try {
          fn.call(h.ctx, payload);
        } catch (err) {
          console.error(`lvt-hook ${h.name} handleEvent ${name}`, err);
        }
      }
    }
  }

  /** Calls `destroyed` for hooked elements gone, `mounted` for new ones, `updated` for changed ones. */
  sync(wrapper: HTMLElement, changed: Set<Element>): void {
    for (const [el, h] of this.live) {
      if (!wrapper.contains(el) || el.getAttribute(ATTR) !== h.name) {
        this.live.delete(el);
        this.call(h.name, "destroyed", h.ctx);
      }
    }
    for (const el of Array.from(wrapper.querySelectorAll<HTMLElement>(`[${ATTR}]`))) {
      const h = this.live.get(el);
      if (h) {
        if (changed.has(el)) this.call(h.name, "updated", h.ctx);
        continue;
      }
      const name = el.getAttribute(ATTR) ?? "";
      const on: Array<[string, (p: unknown) => void]> = [];
      const ctx: HookContext = { el, pushEvent: (action, data = {}) => this.push(action, data), handleEvent: (n, fn) => void on.push([n, fn]) };
      this.live.set(el, { name, ctx, on });
      this.call(name, "mounted", ctx);
    }
  }

  /** A hook's `pushEvent`: resolves with the reply's `meta.reply`, rejects when the action failed. */
  private push(action: string, data: Payload): Promise<unknown> {
    return new Promise((ok, no) =>
      this.send(action, data, (m) => (m.success === false ? no(Object.assign(new Error(`livetemplate: "${action}" failed`), { errors: m.errors })) : ok(m.reply))),
    );
  }

  /** Calls `destroyed` on every live hook (the client is being stopped). */
  destroyAll(): void {
    for (const h of this.live.values()) this.call(h.name, "destroyed", h.ctx);
    this.live.clear();
  }

  private call(name: string, phase: keyof Hook, ctx: HookContext): void {
    // Looked up at call time, so hooks registered after boot are found.
    const hook = this.own?.[name] ?? hooks[name];
    if (DEV_MODE && !hook && phase === "mounted") console.warn(`livetemplate: no hook registered as "${name}"`);
    const fn = hook?.[phase];
    if (!fn) return;
    try {
      fn.call(ctx, ctx);
    } catch (err) {
      // A faulty hook must not stop the patch loop or the other hooks.
      console.error(`lvt-hook ${name}.${phase}`, err);
    }
  }
}
