/**
 * The stores of a hibernating group as one string (the state codec's format, `state-codec.ts`),
 * rebuilt on the group's next event. Only state that comes back exactly is frozen: plain objects,
 * arrays, Date, Map, Set and primitives, each object reachable once (an object at two places
 * would come back as two), no getters, symbols, non-enumerable or frozen properties, no
 * `toJSON`. Everything else keeps the group's stores in memory as they are.
 *
 * What comes back is a copy: the stores are new objects of the same classes (their prototypes
 * are kept), so this is only for state that nothing outside the stores refers to (see the
 * `hibernateStores` option).
 */
import { decodeStores, encodeStores } from "./state-codec.js";
import { SINGLE_STORE, type SessionStores } from "./types.js";

/** The prototype of a handler's single unnamed store. */
class Proto {
  constructor(readonly proto: object | null) {}
}

/**
 * A session store that keeps a group's stores as objects (the memory store) implements this
 * symbol, to keep the group's frozen stores instead while the group sleeps (else freezing would
 * free nothing).
 */
export const HOLD_FROZEN: unique symbol = Symbol("livetemplate.holdFrozen");

export interface HoldsFrozen {
  /** Keeps `frozen` instead of `stores` for `groupId`, if `stores` is what it holds for it. */
  [HOLD_FROZEN](groupId: string, stores: SessionStores, frozen: FrozenStores): void;
}

export function holdsFrozen(store: object): store is HoldsFrozen {
  return typeof (store as Partial<HoldsFrozen>)[HOLD_FROZEN] === "function";
}

export class FrozenStores {
  /** Defined until the first {@link thaw}, which replaces it with `thawed`. */
  private text: string | undefined;
  private thawed: SessionStores | undefined;

  private constructor(
    text: string,
    /**
     * Each store's prototype, by name, in order; for the one unnamed store of most handlers, its
     * prototype alone (a list of pairs would cost more than the rest of a small state's frozen form).
     */
    private readonly protos: readonly (readonly [string, object | null])[] | Proto,
  ) {
    // JSON.stringify may return a string made of pieces; reading a character joins them in place.
    text.charCodeAt(0);
    this.text = text;
  }

  /** The frozen form of `stores`, or `undefined` when some state would not come back exactly. */
  static of(stores: SessionStores): FrozenStores | undefined {
    const seen = new Set<object>();
    const protos: [string, object | null][] = [];
    for (const [name, store] of Object.entries(stores)) {
      if (!ownDataOnly(store) || seen.has(store) || typeof (store as { toJSON?: unknown }).toJSON === "function") return undefined;
      seen.add(store);
      for (const key of Object.keys(store)) if (!exact((store as Record<string, unknown>)[key], seen)) return undefined;
      protos.push([name, Object.getPrototypeOf(store) as object | null]);
    }
    let text: string;
    try {
      text = encodeStores(stores);
    } catch {
      return undefined;
    }
    const only = protos.length === 1 && protos[0]![0] === SINGLE_STORE ? protos[0]![1] : undefined;
    return new FrozenStores(text, only !== undefined ? new Proto(only) : protos);
  }

  /** The stores, rebuilt the first time (later calls return the same objects). */
  thaw(): SessionStores {
    if (this.thawed !== undefined) return this.thawed;
    const fresh: SessionStores = {};
    const protos = this.protos;
    if (protos instanceof Proto) fresh[SINGLE_STORE] = Object.create(protos.proto) as object;
    else for (const [name, proto] of protos) fresh[name] = Object.create(proto) as object;
    this.thawed = decodeStores(this.text!, fresh);
    this.text = undefined;
    return this.thawed;
  }

  /** Characters of the frozen text (0 once thawed). */
  get size(): number {
    return this.text?.length ?? 0;
  }
}

/** Own properties: enumerable, string-keyed, plain values; the object extensible and not frozen. */
function ownDataOnly(o: object): boolean {
  if (!Object.isExtensible(o)) return false;
  for (const key of Reflect.ownKeys(o)) {
    if (typeof key !== "string") return false;
    const d = Object.getOwnPropertyDescriptor(o, key)!;
    if (!("value" in d) || d.enumerable !== true || d.writable !== true || d.configurable !== true) {
      // An array's `length` is the one own property that is neither enumerable nor configurable.
      if (!(Array.isArray(o) && key === "length")) return false;
    }
  }
  return true;
}

/** Whether the codec brings `v` back as an equal value, each object in it reached only once. */
function exact(v: unknown, seen: Set<object>): boolean {
  switch (typeof v) {
    case "string":
    case "boolean":
    case "bigint":
    case "undefined":
      return true;
    case "number":
      return !Object.is(v, -0);
    case "object":
      break;
    default:
      return false;
  }
  if (v === null) return true;
  if (seen.has(v)) return false;
  seen.add(v);
  if (!ownDataOnly(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Date.prototype) return Object.keys(v).length === 0;
  if (proto === Map.prototype) {
    if (Object.keys(v).length > 0) return false;
    for (const [k, val] of v as Map<unknown, unknown>) if (!exact(k, seen) || !exact(val, seen)) return false;
    return true;
  }
  if (proto === Set.prototype) {
    if (Object.keys(v).length > 0) return false;
    for (const item of v as Set<unknown>) if (!exact(item, seen)) return false;
    return true;
  }
  if (proto === Array.prototype) {
    const a = v as unknown[];
    // Holes and extra properties do not come back.
    if (Object.keys(a).length !== a.length) return false;
    for (const item of a) if (!exact(item, seen)) return false;
    return true;
  }
  if (proto !== Object.prototype || typeof (v as { toJSON?: unknown }).toJSON === "function") return false;
  for (const key of Object.keys(v)) if (!exact((v as Record<string, unknown>)[key], seen)) return false;
  return true;
}
