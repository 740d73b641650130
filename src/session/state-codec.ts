/**
 * How a session group's stores become one string and back: what the Redis session store saves,
 * and what a hibernating group keeps of its stores (see `SessionGroup.hibernate`).
 *
 * The format is JSON of each store's own enumerable fields, with a few tagged values for what
 * plain JSON would lose or change silently: `undefined`, non-finite numbers, bigint, Date, Map,
 * Set and instances of registered classes. A tag is an object `{"$lt": kind, ...}`; a plain
 * object that happens to have a `$lt` key is wrapped so it cannot be mistaken for a tag.
 *
 * Anything else that is not plain data (functions, symbols, cycles, class instances that are
 * not registered, RegExp, typed arrays, sockets, timers...) makes encoding fail with
 * {@link SessionEncodeError} naming the field, rather than saving something that revives wrong.
 * An object with a `toJSON()` method (other than a Date) is saved as what `toJSON()` returns, so a
 * store can choose its persisted fields.
 */
import { LiveTemplateError } from "../errors.js";
import type { SessionStores } from "./types.js";

/** Classes whose nested instances are saved with their name and revived with their prototype. */
export type ClassRegistry = Readonly<Record<string, abstract new (...args: never[]) => object>>;

/** A store's state could not be saved: the message names the field and what is wrong with it. */
export class SessionEncodeError extends LiveTemplateError {
  constructor(message: string) {
    super("LT_ERR_SESSION_ENCODE", message);
  }
}

const TAG = "$lt";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Encodes every store of a group; the result is what is stored under the group's key. */
export function encodeStores(stores: SessionStores, classes: ClassRegistry = {}): string {
  const byCtor = new Map<unknown, string>();
  for (const [name, ctor] of Object.entries(classes)) byCtor.set(ctor, name);
  const out: Record<string, Json> = {};
  for (const [name, store] of Object.entries(stores)) {
    const enc = new Encoder(byCtor, name === "" ? "store" : `store "${name}"`);
    out[name] = enc.top(store);
  }
  return JSON.stringify(out);
}

/**
 * Decodes a saved group. Each store's fields are copied onto the matching object of `fresh`
 * (instances with their prototypes, from the handler's `createStores`), so methods come back;
 * a store missing from `fresh` is revived as a plain object. Fields the saved state lacks keep
 * the fresh instance's values (new fields added by a later version of the class get defaults).
 */
export function decodeStores(text: string, fresh: SessionStores | undefined, classes: ClassRegistry = {}): SessionStores {
  const parsed: unknown = JSON.parse(text);
  if (!isRecord(parsed)) throw new SessionEncodeError("saved session group is not an object");
  const out: SessionStores = {};
  for (const [name, saved] of Object.entries(parsed)) {
    const target: object = fresh?.[name] ?? {};
    const fields = decodeValue(saved, classes);
    if (!isRecord(fields)) throw new SessionEncodeError(`saved store "${name}" is not an object`);
    for (const [k, v] of Object.entries(fields)) (target as Record<string, unknown>)[k] = v;
    out[name] = target;
  }
  if (fresh !== undefined) for (const [name, store] of Object.entries(fresh)) if (!(name in out)) out[name] = store;
  return out;
}

class Encoder {
  /** Objects on the current path, to report cycles instead of overflowing the stack. */
  private readonly path = new Set<object>();

  constructor(
    private readonly byCtor: ReadonlyMap<unknown, string>,
    private readonly label: string,
  ) {}

  /** A store itself: any class instance is fine here, its prototype comes from the handler. */
  top(store: object): Json {
    const custom = toJSONOf(store);
    if (custom !== NONE) return this.value(custom, "");
    return this.fields(store, "");
  }

  private fail(at: string, what: string): never {
    throw new SessionEncodeError(`cannot save ${this.label}: ${at === "" ? "the store" : `field ${at}`} ${what}`);
  }

  private fields(obj: object, at: string): { [key: string]: Json } {
    this.enter(obj, at);
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(obj)) {
      out[key] = this.value((obj as Record<string, unknown>)[key], join(at, key));
    }
    this.path.delete(obj);
    return out;
  }

  private enter(obj: object, at: string): void {
    if (this.path.has(obj)) this.fail(at, "refers back to an object containing it (a cycle)");
    this.path.add(obj);
  }

  private value(v: unknown, at: string): Json {
    switch (typeof v) {
      case "string":
      case "boolean":
        return v;
      case "number":
        return Number.isFinite(v) ? v : { [TAG]: "n", v: String(v) };
      case "undefined":
        return { [TAG]: "u" };
      case "bigint":
        return { [TAG]: "b", v: v.toString() };
      case "function":
        return this.fail(at, "is a function (keep functions on the prototype, or use toJSON)");
      case "symbol":
        return this.fail(at, "is a symbol");
      case "object":
        return v === null ? null : this.object(v, at);
      default:
        return this.fail(at, `has an unsupported type ${typeof v}`);
    }
  }

  private object(v: object, at: string): Json {
    if (v instanceof Date) {
      const t = v.getTime();
      return { [TAG]: "D", v: Number.isNaN(t) ? null : v.toISOString() };
    }
    if (Array.isArray(v)) {
      this.enter(v, at);
      const out: Json[] = [];
      for (let i = 0; i < v.length; i++) out.push(this.value(v[i], `${at}[${i}]`));
      this.path.delete(v);
      return out;
    }
    if (v instanceof Map) {
      this.enter(v, at);
      const out: Json[] = [];
      let i = 0;
      for (const [k, val] of v) {
        out.push([this.value(k, `${at}<key ${i}>`), this.value(val, `${at}<value ${i}>`)]);
        i++;
      }
      this.path.delete(v);
      return { [TAG]: "M", v: out };
    }
    if (v instanceof Set) {
      this.enter(v, at);
      const out: Json[] = [];
      let i = 0;
      for (const item of v) out.push(this.value(item, `${at}<item ${i++}>`));
      this.path.delete(v);
      return { [TAG]: "S", v: out };
    }
    const custom = toJSONOf(v);
    if (custom !== NONE) {
      this.enter(v, at);
      const out = this.value(custom, at);
      this.path.delete(v);
      return out;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) {
      const fields = this.fields(v, at);
      return TAG in fields ? { [TAG]: "O", v: fields } : fields;
    }
    const ctor = (proto as { constructor?: unknown }).constructor;
    const name = this.byCtor.get(ctor);
    if (name !== undefined) return { [TAG]: "C", c: name, v: this.fields(v, at) };
    const kind = typeof ctor === "function" && ctor.name !== "" ? ctor.name : "an unknown class";
    return this.fail(at, `is an instance of ${kind}, which is not registered (pass it in \`classes\`, or use plain objects)`);
  }
}

const NONE = Symbol("none");

function toJSONOf(v: object): unknown {
  const fn = (v as { toJSON?: unknown }).toJSON;
  return typeof fn === "function" ? (fn as () => unknown).call(v) : NONE;
}

function join(at: string, key: string): string {
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return at === "" ? key : `${at}.${key}`;
  return `${at}[${JSON.stringify(key)}]`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function decodeValue(v: unknown, classes: ClassRegistry): unknown {
  if (typeof v !== "object" || v === null) return v;
  if (Array.isArray(v)) return v.map((item) => decodeValue(item, classes));
  const o = v as Record<string, unknown>;
  const tag = o[TAG];
  if (typeof tag !== "string") {
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(o)) out[k] = decodeValue(item, classes);
    return out;
  }
  const inner = o["v"];
  switch (tag) {
    case "u":
      return undefined;
    case "n":
      return Number(inner);
    case "b":
      return BigInt(String(inner));
    case "D":
      return new Date(typeof inner === "string" ? inner : Number.NaN);
    case "M":
      return new Map(asArray(inner).map((pair) => {
        const [k, val] = asArray(pair);
        return [decodeValue(k, classes), decodeValue(val, classes)] as const;
      }));
    case "S":
      return new Set(asArray(inner).map((item) => decodeValue(item, classes)));
    case "O": {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(isRecord(inner) ? inner : {})) out[k] = decodeValue(item, classes);
      return out;
    }
    case "C": {
      const name = String(o["c"]);
      const ctor = classes[name];
      if (ctor === undefined) throw new SessionEncodeError(`saved state has an instance of class "${name}", which is not registered`);
      // Revived without running the constructor: the saved fields are the whole state.
      const out = Object.create(ctor.prototype as object) as Record<string, unknown>;
      for (const [k, item] of Object.entries(isRecord(inner) ? inner : {})) out[k] = decodeValue(item, classes);
      return out;
    }
    default:
      throw new SessionEncodeError(`saved state has an unknown tag "${tag}"`);
  }
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
