/**
 * The reserved top-level template key `lvt`: what a template may read about its own connection or
 * request besides the stores. Today that is the errors of the last action (`meta.errors`).
 */

/** The reserved top-level data key; a store must not be named (or have a field named) `lvt`. */
export const LVT_KEY = "lvt";

/**
 * The value of `.lvt` in a template: the errors of the last action this connection (or this
 * request) sent, field name -> message, `_general` for errors of no field. Empty after a
 * successful action, a page load and a navigation.
 *
 * @example
 * ```html
 * {{if .lvt.HasError "title"}}<span class="error">{{.lvt.Error "title"}}</span>{{end}}
 * {{with .lvt.Errors._general}}<p class="error">{{.}}</p>{{end}}
 * ```
 */
/** What `.lvt` knows of a group's async work (`ctx.async`); see `async-state.ts`. */
export interface AsyncView {
  /** True while work started under `key` has not been applied yet. */
  pending(key: string): boolean;
  /** The message of the last failure of `key`, or "". */
  error(key: string): string;
  /** True when nothing is pending and nothing failed. */
  readonly idle: boolean;
}

const NO_ASYNC: AsyncView = { pending: () => false, error: () => "", idle: true };

/** What `.lvt` knows of uploads: the group's, or those of the form post being answered (see `uploads/upload-set.ts`). */
export interface UploadsView {
  entries(name: string): readonly object[];
  errors(name: string): readonly object[];
  readonly idle: boolean;
}

const NO_UPLOADS: UploadsView = { entries: () => [], errors: () => [], idle: true };

export class LvtData {
  /** Field name -> message. */
  readonly Errors: Readonly<Record<string, string>>;
  /** Flash messages by kind (`ctx.flash(kind, message)`); see `flash.ts` for their lifetime. */
  readonly Flashes: Readonly<Record<string, string>>;

  readonly #async: AsyncView;
  readonly #uploads: UploadsView;

  constructor(
    errors: Readonly<Record<string, string>> = {},
    flashes: Readonly<Record<string, string>> = {},
    async: AsyncView = NO_ASYNC,
    uploads: UploadsView = NO_UPLOADS,
  ) {
    this.Errors = errors;
    this.Flashes = flashes;
    this.#async = async;
    this.#uploads = uploads;
  }

  /**
   * The entries of upload `name`: `.ID .ClientName .ClientType .Size .Received .Progress .Done
   * .Valid .Error .Errors` (each error `.Code .Message`); see docs/uploads.md.
   *
   * @example
   * ```html
   * {{range .lvt.Uploads "avatar"}}<li data-key="{{.ID}}">{{.ClientName}} {{.Progress}}%{{with .Error}} <b>{{.}}</b>{{end}}</li>{{end}}
   * ```
   */
  Uploads(name: string): readonly object[] {
    return this.#uploads.entries(String(name));
  }

  /** Errors of upload `name` that belong to no single file (too many files): `.Code .Message`. */
  UploadErrors(name: string): readonly object[] {
    return this.#uploads.errors(String(name));
  }

  /**
   * True while the async work started as `key` (`ctx.async(key, fn)`) runs.
   *
   * @example
   * ```html
   * {{if .lvt.Pending "report"}}<p aria-busy="true">Loading…</p>{{else}}{{.report}}{{end}}
   * ```
   */
  Pending(key: string): boolean {
    return this.#async.pending(String(key));
  }

  /** Why the last async run of `key` failed, or "" (cleared when `key` is started again). */
  AsyncError(key: string): string {
    return this.#async.error(String(key));
  }

  /**
   * The flash message of `kind`, or "" when there is none.
   *
   * @example
   * ```html
   * {{with .lvt.Flash "info"}}<p class="flash">{{.}}</p>{{end}}
   * ```
   */
  Flash(kind: string): string {
    return Object.prototype.hasOwnProperty.call(this.Flashes, kind) ? (this.Flashes[kind] ?? "") : "";
  }

  /** True when there is any error. */
  get HasErrors(): boolean {
    return Object.keys(this.Errors).length > 0;
  }

  /** True when `field` has an error. */
  HasError(field: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.Errors, field);
  }

  /** The message of `field`, or "" when it has none. */
  Error(field: string): string {
    return this.HasError(field) ? (this.Errors[field] ?? "") : "";
  }
}

const NO_ERRORS = new LvtData();

const NONE: Readonly<Record<string, string>> = Object.freeze({});

/** The `.lvt` value for a set of errors and flash messages (one shared instance for "none"). */
export function lvtData(
  errors: Readonly<Record<string, string>> | undefined,
  flashes?: Readonly<Record<string, string>>,
  async?: AsyncView,
  uploads?: UploadsView,
): LvtData {
  const noErrors = errors === undefined || Object.keys(errors).length === 0;
  const noFlash = flashes === undefined || Object.keys(flashes).length === 0;
  if (noErrors && noFlash && (async === undefined || async.idle) && (uploads === undefined || uploads.idle)) return NO_ERRORS;
  return new LvtData(noErrors ? NONE : errors, noFlash ? NONE : flashes, async, uploads);
}

/** True when two error sets hold the same messages. */
export function sameErrors(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
}

const proxies = new WeakMap<object, Map<LvtData, object>>();

/**
 * Template data with `lvt` added at the top. An object of named stores is copied with the key
 * added; a single store is seen through a Proxy that answers `lvt` and reads everything else from
 * the store itself (methods are bound to the store, so `#private` members keep working).
 */
export function withLvt(data: unknown, lvt: LvtData, single: boolean): unknown {
  if (typeof data !== "object" || data === null) return data;
  if (!single) return { ...(data as Record<string, unknown>), [LVT_KEY]: lvt };
  let byLvt = proxies.get(data);
  if (byLvt === undefined) {
    byLvt = new Map();
    proxies.set(data, byLvt);
  }
  let p = byLvt.get(lvt);
  if (p === undefined) {
    const target = data;
    p = new Proxy(target, {
      get(t, key) {
        if (key === LVT_KEY) return lvt;
        const v: unknown = Reflect.get(t, key, t);
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(t) : v;
      },
    });
    // Only the shared "no errors" view is worth keeping; error views are short-lived.
    if (lvt === NO_ERRORS) byLvt.set(lvt, p);
  }
  return p;
}
