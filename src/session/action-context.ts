/**
 * The argument of every action: the action name, typed access to the submitted data, and who sent it.
 */
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { ERROR_GENERAL } from "../protocol/wire.js";
import { MultiError, ValidationError } from "./action-errors.js";
import type { NavigationControls } from "./navigation.js";
import type { PushControls } from "./client-events.js";
import type { AsyncControls } from "./async-state.js";
import type { TopicControls } from "../topics/types.js";
import type { UploadControls } from "./upload-state.js";

/** Typed, forgiving access to an action's `data` object (JSON from a client or form fields). */
export class ActionData {
  private readonly values: Record<string, unknown>;

  constructor(values: Record<string, unknown> = {}) {
    this.values = values;
  }

  /** The raw value, or `undefined`. */
  get(key: string): unknown {
    return Object.hasOwn(this.values, key) ? this.values[key] : undefined;
  }

  /** True when the key was sent (even with an empty value). */
  has(key: string): boolean {
    return Object.hasOwn(this.values, key);
  }

  /** The value as a string: strings as-is, numbers and booleans printed, anything else `""`. */
  getString(key: string): string {
    const v = this.get(key);
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    return "";
  }

  /** The value as an integer (numbers truncated, numeric strings parsed), else 0. */
  getInt(key: string): number {
    const n = toNumber(this.get(key));
    return Number.isFinite(n) ? Math.trunc(n) : 0;
  }

  /** The value as a number (numeric strings parsed), else 0. */
  getFloat(key: string): number {
    const n = toNumber(this.get(key));
    return Number.isFinite(n) ? n : 0;
  }

  /**
   * The value as a boolean: `true`, `"true"`, `"on"`, `"1"`, `"yes"` and non-zero numbers are
   * true (a checked checkbox sends `"on"`); everything else, including a missing key, is false.
   */
  getBool(key: string): boolean {
    const v = this.get(key);
    if (typeof v === "boolean") return v;
    if (typeof v === "number") return v !== 0;
    if (typeof v === "string") return ["true", "on", "1", "yes"].includes(v.trim().toLowerCase());
    return false;
  }

  /** The whole data object (do not mutate). */
  raw(): Readonly<Record<string, unknown>> {
    return this.values;
  }

  /**
   * Copies the data into a new object of type `T` (no checking: use `bindAndValidate` for
   * untrusted input), or, given a target object, assigns the data's fields onto it.
   */
  bind<T extends object = Record<string, unknown>>(target?: T): T {
    const copy = safeCopy(this.values) as Record<string, unknown>;
    if (target === undefined) return copy as T;
    // Plain [[Set]] like Object.assign, so a store's setters still run; the copy has no
    // prototype-changing keys left (see UNSAFE_KEYS).
    for (const key of Object.keys(copy)) (target as Record<string, unknown>)[key] = copy[key];
    return target;
  }

  /**
   * Validates the data with any Standard Schema validator (zod, valibot, arktype...) and returns
   * the parsed output. On failure throws a {@link MultiError} with one {@link ValidationError}
   * per issue, keyed by the issue path joined with "." (`_general` when the path is empty), so a
   * throwing action reports field errors in `meta.errors` without more code.
   *
   * @example
   * ```ts
   * const input = await ctx.data.bindAndValidate(z.object({ title: z.string().min(1) }));
   * ```
   */
  async bindAndValidate<S extends StandardSchemaV1>(schema: S): Promise<StandardSchemaV1.InferOutput<S>> {
    const result = await schema["~standard"].validate(safeCopy(this.values));
    if (result.issues === undefined) return result.value as StandardSchemaV1.InferOutput<S>;
    throw new MultiError(result.issues.map((issue) => new ValidationError(issuePath(issue), issue.message)));
  }
}

/**
 * Keys that change an object's prototype chain when assigned (`__proto__`) or reach shared
 * prototypes (`constructor.prototype`). JSON.parse makes them ordinary own keys, so client data
 * can carry them; binding drops them at every depth.
 */
const UNSAFE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/**
 * A deep copy of JSON-like client data without {@link UNSAFE_KEYS}: plain objects and arrays are
 * copied, other values (strings, numbers, booleans, null) kept. Anything else is copied with
 * `structuredClone`, as before (server-side callers may build ActionData from other values).
 */
function safeCopy(v: unknown, depth = 0): unknown {
  if (typeof v !== "object" || v === null) return v;
  // Client JSON is bounded by maxMessageBytes; the depth cap only stops a pathological cycle.
  if (depth > 1000) throw new ValidationError("", "action data nested too deeply");
  if (Array.isArray(v)) return v.map((item) => safeCopy(item, depth + 1));
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return structuredClone(v);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) {
    if (UNSAFE_KEYS.has(key)) continue;
    out[key] = safeCopy((v as Record<string, unknown>)[key], depth + 1);
  }
  return out;
}

function issuePath(issue: StandardSchemaV1.Issue): string {
  if (issue.path === undefined || issue.path.length === 0) return ERROR_GENERAL;
  return issue.path
    .map((seg) => (typeof seg === "object" && seg !== null && "key" in seg ? seg.key : seg))
    .map((k) => String(k))
    .join(".");
}

function toNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string" && v.trim() !== "") return Number(v.trim());
  return Number.NaN;
}

/**
 * Everything an action gets, with the navigation methods `patch`, `navigate`, `redirect` and
 * `flash` (see {@link NavigationControls}).
 */
export interface ActionContext extends NavigationControls, PushControls, AsyncControls, TopicControls, UploadControls {
  /**
   * The value a hook's `this.pushEvent(name, data)` promise resolves with (`meta.reply`); the last
   * call wins. Must be JSON.
   */
  reply(value: unknown): void;
  /** The action name without a store prefix (`"save"` for `"todos.save"`). */
  readonly action: string;
  /** The full name as sent (`"todos.save"`). */
  readonly fullAction: string;
  /** The store name the action was routed to (`""` for a single store). */
  readonly store: string;
  readonly data: ActionData;
  /** Name of the submit button, when the client sent one. */
  readonly submitter: string | undefined;
  /** User id from the authenticator (`""` for anonymous users). */
  readonly userId: string;
  /** Session group id. */
  readonly groupId: string;
  /** Id of the live connection that sent the action; `undefined` over HTTP. */
  readonly connectionId: string | undefined;
}
