/**
 * Where store code sends the browser next: `ctx.patch`, `ctx.navigate`, `ctx.redirect` and
 * `ctx.flash`, available to actions and `mount`. One {@link Navigation} value is made per run of
 * store code and read by the engine when the run ends (per-call state, not a flag on the group).
 */
import type { NavigationMeta } from "../protocol/messages.js";
import { flashes } from "./flash.js";
import { ClientEvents } from "./client-events.js";

/**
 * What a run asked for. `patch`: the same page with another query (re-mounted at once, one
 * history entry); `navigate`: another live page, without a reload; `redirect`: a full page load.
 */
export type NavigationIntent =
  | { readonly kind: "patch"; readonly to: string; readonly query: Readonly<Record<string, string>> }
  | { readonly kind: "navigate"; readonly to: string }
  | { readonly kind: "redirect"; readonly to: string };

/** The navigation methods of `ActionContext` and `MountContext`. */
export interface NavigationControls {
  /**
   * Shows the same page with another query: `mount(ctx)` runs again with it (in the same
   * transaction), the reply is a diff, and the browser gets a history entry for the URL. Takes a
   * URL (`"?page=2"`, `"/items?page=2"`, a path of this page) or the query as an object.
   */
  patch(urlOrQuery: string | Readonly<Record<string, string | number | boolean>>): void;
  /** Sends the browser to another live page of the same origin (a path), without a full reload. */
  navigate(url: string): void;
  /**
   * Sends the browser to `url` with a full page load (a no-JS form post gets a 303 to it): a
   * path, or an `http:`/`https:` URL of any site (check what you pass).
   */
  redirect(url: string): void;
  /** Leaves a message of `kind` (`"info"`, `"error"`...) for `.lvt.Flash kind` (see `flash.ts`). */
  flash(kind: string, message: string): void;
}

/** One run's navigation requests; the last call wins. */
export class Navigation implements NavigationControls {
  intent: NavigationIntent | undefined;
  /** Set when the run set a flash message (or a patch cleared some): `.lvt` must be re-rendered. */
  flashed = false;
  /** Events and the reply the run pushes to the client (`ctx.pushEvent`, `ctx.reply`). */
  readonly client = new ClientEvents();

  constructor(private readonly groupId: () => string) {}

  /** Forgets the intent of a previous run (a shared store may run store code again). */
  reset(): void {
    this.intent = undefined;
    this.client.reset();
  }

  patch(urlOrQuery: string | Readonly<Record<string, string | number | boolean>>): void {
    if (typeof urlOrQuery === "string") {
      const u = parseLocal(urlOrQuery, "patch");
      this.intent = { kind: "patch", to: urlOrQuery, query: Object.fromEntries(u.searchParams) };
      return;
    }
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(urlOrQuery)) query[k] = String(v);
    const search = new URLSearchParams(query).toString();
    this.intent = { kind: "patch", to: search === "" ? "?" : `?${search}`, query };
  }

  navigate(url: string): void {
    parseLocal(url, "navigate");
    this.intent = { kind: "navigate", to: url };
  }

  redirect(url: string): void {
    // Only web URLs: a `javascript:` URL handed to the browser would run as script.
    const scheme = typeof url === "string" && url !== "" ? new URL(url, "http://localhost/").protocol : "";
    if (scheme !== "http:" && scheme !== "https:") throw new TypeError(`redirect takes an http(s) URL or a path, got ${JSON.stringify(url)}`);
    this.intent = { kind: "redirect", to: url };
  }

  flash(kind: string, message: string): void {
    flashes.set(this.groupId(), String(kind), String(message));
    this.flashed = true;
  }

  /** True when the browser leaves the page it shows (so a flash set now is for the next one). */
  get leaves(): boolean {
    return this.intent !== undefined && this.intent.kind !== "patch";
  }

  /** The reply's `meta.navigation`, if any. */
  meta(): NavigationMeta | undefined {
    return this.intent === undefined ? undefined : { kind: this.intent.kind, to: this.intent.to };
  }
}

/** A URL on this origin: a path (`/x?y`) or a query (`?y`); anything that names a host is refused. */
function parseLocal(url: string, what: string): URL {
  if (typeof url !== "string" || !(url.startsWith("?") || (url.startsWith("/") && !url.startsWith("//") && !url.startsWith("/\\")))) {
    throw new TypeError(`${what} takes a path or a query of this site ("/items?page=2", "?page=2"), got ${JSON.stringify(url)}`);
  }
  return new URL(url, "http://localhost/");
}
