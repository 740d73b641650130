/**
 * How a handler holds its stores and how actions reach them: one unnamed store, or several named ones
 * routed by `"name.action"`; creation of each session group's copies; and the action-name to
 * method-name rule.
 */
import type { MaybePromise, SessionStores, StoreSource } from "./types.js";
import { SINGLE_STORE } from "./types.js";
import { deepClone } from "../changes/deep-clone.js";

const NAMED = Symbol("livetemplate.namedStores");
declare const DATA: unique symbol;

/**
 * Several stores served together, by name; build it with {@link namedStores}. `T` is the
 * template data they make (one field per store), which `handle` carries into `broadcast`.
 */
export interface NamedStores<T extends object = Record<string, object>> {
  readonly [NAMED]: ReadonlyMap<string, StoreSource>;
  /** Type only: never set. */
  readonly [DATA]?: T;
}

/** The store a {@link StoreSource} makes: the instance, a factory's (awaited) result, a class's instance. */
export type StoreOf<Src> = Src extends abstract new () => infer S
  ? S
  : Src extends () => infer R
    ? Awaited<R>
    : Src;

/**
 * Serves several stores by name. Template data is then an object with one field per store
 * (`{{.counter.Count}}`), and actions are routed by prefix: `"counter.increment"` goes to the
 * `counter` store with `ctx.action === "increment"`. An action without a prefix goes to the
 * first store (in the order given) that has a method named after it.
 *
 * @example
 * ```ts
 * tmpl.handle(namedStores({ counter: new Counter(), todos: () => new Todos() }));
 * ```
 */
export function namedStores<const M extends Record<string, StoreSource>>(stores: M): NamedStores<{ [K in keyof M]: StoreOf<M[K]> }> {
  const map = new Map<string, StoreSource>();
  for (const [name, source] of Object.entries(stores)) {
    if (name === "" || name.includes(".")) throw new TypeError(`invalid store name ${JSON.stringify(name)}`);
    map.set(name, source);
  }
  return { [NAMED]: map };
}

function isNamed(v: unknown): v is NamedStores {
  return typeof v === "object" && v !== null && NAMED in v;
}

function isClass(fn: Function): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

/** Method names that are never treated as actions. */
export const RESERVED_METHODS: ReadonlySet<string> = new Set([
  "change",
  "init",
  "mount",
  "onConnect",
  "onDisconnect",
  "onMessage",
  "onPresence",
  "constructor",
  "then",
  "toString",
  "toJSON",
  "valueOf",
  "toLocaleString",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
]);

/**
 * The method an action calls on a store, or `undefined` to fall back to `change`. Tried in order:
 * the action name itself (`add_todo`), then its camelCase form (`addTodo` for `add_todo`,
 * `add-todo` or `add todo`). Only methods the store declares count: its own function-valued
 * properties and the methods of its class chain below `Object.prototype` (getters are not
 * called). Names in {@link RESERVED_METHODS}, names starting with `_` or `#`, and anything
 * inherited from `Object.prototype` are never called as actions.
 */
export function resolveActionMethod(store: object, action: string): string | undefined {
  for (const name of [action, camelCase(action)]) {
    if (name === "" || RESERVED_METHODS.has(name) || name.startsWith("_") || name.startsWith("#")) continue;
    if (name in Object.prototype) continue;
    if (declaresMethod(store, name)) return name;
  }
  return undefined;
}

/**
 * Whether `name` is a function-valued data property of `store` or of a prototype of it below
 * `Object.prototype` (and `Function.prototype`, so a function-valued store gets no `call`).
 */
function declaresMethod(store: object, name: string): boolean {
  for (let o: object | null = store; o !== null && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o) as object | null) {
    const d = Object.getOwnPropertyDescriptor(o, name);
    if (d !== undefined) return "value" in d && typeof d.value === "function";
  }
  return false;
}

function camelCase(s: string): string {
  return s.replace(/[_\-\s]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The stores of a handler: names, sources, and how to build a group's copies. */
export class StoreSet {
  readonly names: readonly string[];
  readonly single: boolean;
  private readonly sources: ReadonlyMap<string, StoreSource>;

  constructor(stores: StoreSource | NamedStores) {
    if (isNamed(stores)) {
      this.sources = stores[NAMED];
      this.single = false;
    } else {
      this.sources = new Map([[SINGLE_STORE, stores]]);
      this.single = true;
    }
    this.names = [...this.sources.keys()];
    if (this.names.length === 0) throw new TypeError("at least one store is required");
    // `.lvt` is the template's view of its own connection (see template-errors.ts).
    if (this.names.includes("lvt")) throw new TypeError('"lvt" is a reserved name and cannot name a store');
  }

  /** Fresh copies of every store, without calling `init`. */
  async create(): Promise<SessionStores> {
    const out: SessionStores = {};
    for (const [name, source] of this.sources) out[name] = await instantiate(source);
    return out;
  }

  /** Template data of a group: the single store itself, or an object of the stores by name. */
  data(stores: SessionStores): unknown {
    return this.single ? stores[SINGLE_STORE] : stores;
  }

  /** The data-path prefix of a store's fields (`[]` for the single store, `[name]` otherwise). */
  basePath(name: string): string[] {
    return this.single ? [] : [name];
  }

  /**
   * Where an action goes: the store name, the action name the store sees, and the method to call
   * (`undefined` when nothing handles it).
   */
  route(stores: SessionStores, fullAction: string): { store: string; action: string; method: string } | undefined {
    if (this.single) {
      const store = ownStore(stores, SINGLE_STORE);
      if (store === undefined) return undefined;
      const method = methodFor(store, fullAction);
      return method === undefined ? undefined : { store: SINGLE_STORE, action: fullAction, method };
    }
    const dot = fullAction.indexOf(".");
    if (dot > 0) {
      const name = fullAction.slice(0, dot);
      const action = fullAction.slice(dot + 1);
      // Only names the app mounted: `stores` is a plain object, so `stores.constructor` exists.
      const store = this.names.includes(name) ? ownStore(stores, name) : undefined;
      if (store !== undefined) {
        const method = methodFor(store, action);
        return method === undefined ? undefined : { store: name, action, method };
      }
    }
    for (const name of this.names) {
      const store = ownStore(stores, name);
      const method = store === undefined ? undefined : resolveActionMethod(store, fullAction);
      if (method !== undefined) return { store: name, action: fullAction, method };
    }
    return undefined;
  }
}

function methodFor(store: object, action: string): string | undefined {
  const named = resolveActionMethod(store, action);
  if (named !== undefined) return named;
  return declaresMethod(store, "change") ? "change" : undefined;
}

/** A group's store by name, never a property `stores` inherits from `Object.prototype`. */
export function ownStore(stores: SessionStores, name: string): object | undefined {
  return Object.hasOwn(stores, name) ? stores[name] : undefined;
}

async function instantiate(source: StoreSource): Promise<object> {
  if (typeof source === "function") {
    if (isClass(source)) return new (source as new () => object)();
    const made = await (source as () => MaybePromise<object>)();
    if (typeof made !== "object" || made === null) throw new TypeError("a store factory must return an object");
    return made;
  }
  return deepClone(source);
}
