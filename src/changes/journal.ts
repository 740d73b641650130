/**
 * A write journal: while an action runs, the stores are seen through Proxies that record every
 * write (old value first, so it can be undone) and the data path it touched. One mechanism serves
 * two needs: rollback of an action that throws, and the list of changed paths that lets the tree
 * engine re-render only what an action wrote.
 */
import { isSlotted } from "./builtins.js";
import type { ChangeEntry, ChangePath, ListEdit } from "./path.js";
import { ArrayLog, arrayWriteSplice, isIndex, shiftingCall, type ShiftingMethod } from "./array-log.js";
import { restorer, spliceIn, undoAll, type UndoEntry } from "./undo.js";
import { computedMembers } from "./computed-members.js";

export { snapshotStores } from "./undo.js";

type Key = string | symbol;



function isPassThrough(v: object): boolean {
  return v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet || v instanceof RegExp;
}

/** Reading this key through a journal's proxy yields the raw object behind it. */
const RAW: unique symbol = Symbol("livetemplate.raw");

/**
 * One proxy's handler, which is also its place in the data (parent handler and key); the traps
 * are prototype methods, so a handler costs one small object.
 */
class Handler implements ProxyHandler<object> {
  constructor(
    readonly journal: WriteJournal,
    readonly parent: Handler | null,
    readonly key: string,
    /** Base path of a root handler. */
    readonly base: readonly string[] | undefined,
    /** The raw object this handler's proxy stands for. */
    readonly target: object,
  ) {}

  get(t: object, key: string | symbol, receiver: unknown): unknown {
    if (key === RAW) return t;
    const value: unknown = Reflect.get(t, key, receiver);
    if (typeof value !== "object" || value === null || typeof key === "symbol") {
      if (typeof value === "function" && SHIFTING.has(value) && Array.isArray(t)) {
        return this.journal.shiftingMethod(this, t as unknown[], value as ShiftingMethod, receiver);
      }
      return value;
    }
    return this.journal.proxyFor(value, this, t, key);
  }

  set(t: object, key: string | symbol, value: unknown, receiver: unknown): boolean {
    const raw = this.journal.deepUnwrap(value, new Set());
    if (typeof raw === "object" && raw !== null) this.journal.referenceWritten = true;
    if (hasSetter(t, key)) return Reflect.set(t, key, raw, receiver);
    if (Array.isArray(t)) this.journal.logArrayWrite(this, t, key, raw);
    this.journal.remember(t, key);
    this.journal.mark(this, key);
    return Reflect.set(t, key, raw);
  }

  deleteProperty(t: object, key: string | symbol): boolean {
    if (!Object.hasOwn(t, key)) return true;
    if (Array.isArray(t)) this.journal.logArrayWrite(this, t, key, undefined);
    this.journal.remember(t, key);
    this.journal.mark(this, key);
    return Reflect.deleteProperty(t, key);
  }

  defineProperty(t: object, key: string | symbol, desc: PropertyDescriptor): boolean {
    if (Array.isArray(t)) this.journal.logArrayWrite(this, t, key, desc.value);
    this.journal.remember(t, key);
    this.journal.mark(this, key);
    if ("value" in desc) desc = { ...desc, value: this.journal.deepUnwrap(desc.value, new Set()) };
    if (typeof desc.value === "object" && desc.value !== null) this.journal.referenceWritten = true;
    return Reflect.defineProperty(t, key, desc);
  }
}

/** The array methods that shift elements, which the journal runs natively and records as splices. */
const SHIFTING: ReadonlySet<unknown> = new Set<unknown>([Array.prototype.splice, Array.prototype.shift, Array.prototype.unshift]);

/** One recorded write: its path as written, and where it was made (to re-derive the path). */
interface Written {
  readonly path: string[];
  readonly at: Handler;
  readonly key: string | undefined;
  /** An earlier write, through another object, had the same path. */
  readonly dup: boolean;
}

function pathOf(h: Handler): string[] {
  const keys: string[] = [];
  let n: Handler | null = h;
  for (; n !== null && n.base === undefined; n = n.parent) keys.push(n.key);
  return [...(n?.base ?? []), ...keys.reverse()];
}

/**
 * Records writes made through {@link WriteJournal.wrap}ped objects. After the action, call
 * {@link WriteJournal.close}; then {@link WriteJournal.rollback} (on failure) undoes every
 * recorded write, newest first. Proxies handed out stay usable after `close` but record nothing.
 *
 * Cost is proportional to the objects an action touches (one Proxy and one small handler each,
 * created on first access), not to the size of the state.
 */
export class WriteJournal {
  private readonly undo: UndoEntry[] = [];
  private readonly written: Written[] = [];
  /** Every array written directly, with its writes as splices (see array-log.ts). */
  private readonly arrays = new Map<Handler, ArrayLog>();
  /** Objects a shifting call took out of an array in this run and did not put back yet. */
  private readonly detached = new Set<object>();
  /** Each written path (joined) and the handler that first wrote it. */
  private readonly writtenKeys = new Map<string, Handler>();
  /** Raw object -> its proxy (the proxy gives its raw object back through {@link RAW}). */
  private readonly proxies = new WeakMap<object, object>();
  private readonly snapshotted = new WeakSet<object>();
  private readonly targets = new Set<object>();
  private readonly writtenAt = new Set<Handler>();
  private active = true;
  /**
   * True once an action stored an object (or touched a Map/Set): it may have created a second
   * path to an object, so the state's aliasing must be checked again.
   */
  referenceWritten = false;

  /** A recording view of `root`, whose paths start with `basePath`. */
  wrap<T extends object>(root: T, basePath: readonly string[]): T {
    return this.proxyOf(root, new Handler(this, null, "", [...basePath], root)) as T;
  }

  /**
   * Paths written so far, without duplicates, in first-write order. The indices and `length` of
   * an array that a shifting call (`splice`, `shift`, `unshift` moving elements) edited are not
   * listed: {@link edits} reports its splices instead, and paths below its elements name the
   * indices those elements have now.
   */
  paths(): ChangePath[] {
    const shifted = this.shiftedArrays();
    if (shifted.size === 0) return this.written.filter((w) => !w.dup).map((w) => [...w.path]);
    const out: ChangePath[] = [];
    const seen = new Set<string>();
    const now = new Map<Handler, string[] | null>();
    for (const w of this.written) {
      if (shifted.has(w.at) && w.key !== undefined && (w.key === "length" || isIndex(w.key))) continue;
      const base = this.currentPath(w.at, shifted, now);
      if (base === null) continue;
      const full = w.key === undefined ? base : [...base, w.key];
      const id = full.join("\u0000");
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(full);
    }
    return out;
  }

  /**
   * The splices of every array a shifting call edited, outer arrays first. An array edited by
   * very many calls is reported as its written indices instead (what the splices touched).
   */
  edits(): ChangeEntry[] {
    const shifted = this.shiftedArrays();
    if (shifted.size === 0) return [];
    const now = new Map<Handler, string[] | null>();
    const out: { depth: number; entry: ChangeEntry[] }[] = [];
    for (const [h, log] of shifted) {
      const list = this.currentPath(h, shifted, now);
      if (list === null) continue;
      const entry: ChangeEntry[] = log.tooLong() ? log.indexPaths(list) : [{ list, splices: log.splices } satisfies ListEdit];
      out.push({ depth: list.length, entry });
    }
    out.sort((a, b) => a.depth - b.depth);
    return out.flatMap((e) => e.entry);
  }

  /**
   * What the renderer needs: {@link edits}, then the written paths, plus the getters and methods
   * of every object on the way to a write (`["remaining"]` for a store whose `get remaining()`
   * counts `this.todos`): a template reading a computed member depends on state below the object
   * it belongs to, which a write path alone does not name.
   */
  hintPaths(): ChangeEntry[] {
    const out: ChangeEntry[] = [...this.edits(), ...this.paths()];
    const shifted = this.shiftedArrays();
    const now = new Map<Handler, string[] | null>();
    const seen = new Set<Handler>();
    for (const at of this.writtenAt) {
      for (let h: Handler | null = at; h !== null && !seen.has(h); h = h.parent) {
        seen.add(h);
        const names = computedMembers(h.target);
        if (names.length === 0) continue;
        const base = shifted.size === 0 ? pathOf(h) : this.currentPath(h, shifted, now);
        if (base === null) continue;
        for (const name of names) out.push([...base, name]);
      }
    }
    return out;
  }

  private shiftedArrays(): Map<Handler, ArrayLog> {
    const out = new Map<Handler, ArrayLog>();
    for (const [h, log] of this.arrays) if (log.shifted) out.set(h, log);
    return out;
  }

  /**
   * The path of `h` now: an element of a shifted array is named by the index it has after the
   * splices (found in O(1) when it did not move since its proxy was made, else by a scan), and
   * null when it is no longer in that array.
   */
  private currentPath(h: Handler, shifted: ReadonlyMap<Handler, ArrayLog>, now: Map<Handler, string[] | null>): string[] | null {
    const hit = now.get(h);
    if (hit !== undefined) return hit;
    let out: string[] | null;
    if (h.base !== undefined) out = [...h.base];
    else {
      const parent = h.parent!;
      const up = this.currentPath(parent, shifted, now);
      let seg: string | null = h.key;
      if (up !== null && shifted.has(parent)) {
        const arr = parent.target as unknown[];
        if (!isIndex(seg) || arr[Number(seg)] !== h.target) {
          const i = arr.indexOf(h.target);
          seg = i < 0 ? null : String(i);
        }
      }
      out = up === null || seg === null ? null : [...up, seg];
    }
    now.set(h, out);
    return out;
  }

  /** The objects whose properties (or contents) were written. */
  writtenObjects(): ReadonlySet<object> {
    return this.targets;
  }

  /** Number of undo entries (for diagnostics and benchmarks). */
  get size(): number {
    return this.undo.length;
  }

  /** Stops recording; proxies become plain pass-through views. */
  close(): void {
    this.active = false;
  }

  /** Undoes every recorded write, newest first, and forgets them. */
  rollback(): void {
    undoAll(this.undo);
    this.undo.length = 0;
  }

  /**
   * Hands over what {@link rollback} would undo, as a function that undoes it later, and forgets
   * it here: a caller that may still have to undo a finished run (until its save is known to have
   * worked) keeps only that list alive, not the journal with its proxies and indexes.
   */
  takeUndo(): () => void {
    const entries = this.undo.splice(0);
    return () => undoAll(entries);
  }

  /** The raw object behind a proxy of this journal, or the value itself. */
  unwrap<T>(value: T): T {
    if (typeof value !== "object" || value === null) return value;
    return (rawOf(value) ?? value) as T;
  }

  /** @internal The proxy of `value`, read at `key` of `holder` (seen through `parent`). */
  proxyFor(value: object, parent: Handler, holder: object, key: string): object {
    const existing = this.proxies.get(value);
    if (existing !== undefined) return existing;
    if (isPassThrough(value)) return value;
    // A Proxy must return the exact value of a frozen data property.
    const own = Reflect.getOwnPropertyDescriptor(holder, key);
    if (own !== undefined && own.configurable === false && own.writable === false) return value;
    return this.proxyOf(value, new Handler(this, parent, key, undefined, value));
  }

  private proxyOf(target: object, handler: Handler): object {
    const proxy = isSlotted(target) ? this.slottedProxy(target, handler) : new Proxy(target, handler);
    this.proxies.set(target, proxy);
    return proxy;
  }

  /** @internal Marks `key` under `at` (or `at` itself when `key` is undefined) as written. */
  mark(at: Handler, key?: Key): void {
    if (!this.active) return;
    this.writtenAt.add(at);
    const base = pathOf(at);
    const full = key === undefined ? base : [...base, typeof key === "symbol" ? key.toString() : key];
    const id = full.join("\u0000");
    const first = this.writtenKeys.get(id);
    if (first === at) return;
    // The same path written through another object: the same place now, but a shift may have
    // moved one of them since (so both are kept until the paths are derived).
    if (first === undefined) this.writtenKeys.set(id, at);
    this.written.push({ path: full, at, key: key === undefined ? undefined : full[full.length - 1]!, dup: first !== undefined });
  }

  /** @internal Records a direct write to an array's index or length as the splice it makes. */
  logArrayWrite(at: Handler, arr: unknown[], key: Key, value: unknown): void {
    if (!this.active) return;
    const sp = arrayWriteSplice(arr.length, key, value);
    if (sp === null) return;
    let log = this.arrays.get(at);
    if (log === undefined) this.arrays.set(at, (log = new ArrayLog()));
    log.add(sp, false, arr.length);
  }

  /**
   * @internal `splice`, `shift` or `unshift` of a journaled array. A call that moves elements runs
   * on the raw array at native speed and is recorded as one splice (one undo entry putting the
   * taken elements back); any other call runs through the proxy, recorded index by index.
   */
  shiftingMethod(at: Handler, arr: unknown[], fn: ShiftingMethod, proxy: unknown): (...args: unknown[]) => unknown {
    return (...args: unknown[]): unknown => {
      const len = arr.length;
      const call = this.active ? shiftingCall(fn, len, args) : null;
      if (call === null) return Reflect.apply(fn, proxy, args);
      const [start, removed] = call.splice;
      const ins = call.items.map((v) => this.deepUnwrap(v, new Set()));
      for (const v of ins) {
        if (typeof v !== "object" || v === null) continue;
        // An element taken out by this run and put back (a move) is no new reference.
        if (this.detached.has(v)) this.detached.delete(v);
        else this.referenceWritten = true;
      }
      const taken = arr.slice(start, start + removed);
      for (const v of taken) if (typeof v === "object" && v !== null) this.detached.add(v);
      this.targets.add(arr);
      this.undo.push({ kind: "restore", restore: () => spliceIn(arr, start, ins.length, taken) });
      spliceIn(arr, start, removed, ins);
      let log = this.arrays.get(at);
      if (log === undefined) this.arrays.set(at, (log = new ArrayLog()));
      log.add([start, removed, ins.length], true, len);
      this.writtenAt.add(at);
      // The taken elements are handed back as proxies, so writes to them are still journaled.
      const out = taken.map((v, j) =>
        typeof v === "object" && v !== null && !isPassThrough(v) ? (this.proxies.get(v) ?? this.proxyOf(v, new Handler(this, at, String(start + j), undefined, v))) : v,
      );
      return fn === Array.prototype.splice ? out : fn === Array.prototype.shift ? out[0] : arr.length;
    };
  }

  /** @internal */
  remember(target: object, key: Key): void {
    if (!this.active) return;
    this.targets.add(target);
    // Writing past the end of an array also grows its length, which no trap reports.
    if (Array.isArray(target) && typeof key === "string" && /^\d+$/.test(key) && Number(key) >= target.length) {
      this.undo.push({ kind: "prop", target, key: "length", desc: Reflect.getOwnPropertyDescriptor(target, "length") });
    }
    this.undo.push({ kind: "prop", target, key, desc: Reflect.getOwnPropertyDescriptor(target, key) });
  }

  /** @internal Replaces proxies inside a value being stored, so state never holds proxies. */
  deepUnwrap(value: unknown, seen: Set<object>): unknown {
    if (typeof value !== "object" || value === null) return value;
    const raw = rawOf(value);
    if (raw !== undefined) return raw;
    // Objects already in the state (reached through a proxy) hold no proxies.
    if (seen.has(value) || this.proxies.has(value)) return value;
    seen.add(value);
    if (value instanceof Map) {
      for (const [k, v] of value) {
        const u = this.deepUnwrap(v, seen);
        if (u !== v) value.set(k, u);
      }
    } else if (value instanceof Set) {
      for (const v of [...value]) {
        const u = this.deepUnwrap(v, seen);
        if (u !== v) {
          value.delete(v);
          value.add(u);
        }
      }
    } else if (!isSlotted(value) && !isPassThrough(value)) {
      for (const key of Object.keys(value)) {
        const desc = Object.getOwnPropertyDescriptor(value, key);
        if (desc === undefined || !("value" in desc) || !desc.writable) continue;
        const u = this.deepUnwrap(desc.value, seen);
        if (u !== desc.value) (value as Record<string, unknown>)[key] = u;
      }
    }
    return value;
  }

  /**
   * Map, Set, Date and typed arrays keep their state in internal slots, out of a Proxy's reach:
   * on first touch the whole object is snapshotted (restored in place on rollback) and its path
   * marked written; methods run on the raw object with proxies unwrapped from their arguments.
   */
  private slottedProxy(target: object, at: Handler): object {
    const touch = (): void => {
      if (!this.active || this.snapshotted.has(target)) return;
      this.snapshotted.add(target);
      this.targets.add(target);
      this.referenceWritten = true;
      this.undo.push({ kind: "restore", restore: restorer(target) });
      this.mark(at);
    };
    return new Proxy(target, {
      get: (t, key) => {
        if (key === RAW) return t;
        touch();
        const value: unknown = Reflect.get(t, key, t);
        if (typeof value !== "function") return value;
        const fn = value as (...args: unknown[]) => unknown;
        return (...args: unknown[]) => fn.apply(t, args.map((a) => this.deepUnwrap(a, new Set())));
      },
      set: (t, key, value: unknown) => {
        touch();
        return Reflect.set(t, key, this.deepUnwrap(value, new Set()), t);
      },
    });
  }
}

/** The raw object behind a journal proxy, or undefined for anything else. */
function rawOf(value: object): object | undefined {
  const raw = (value as { [RAW]?: unknown })[RAW];
  return typeof raw === "object" && raw !== null ? raw : undefined;
}

function hasSetter(target: object, key: Key): boolean {
  for (let o: object | null = target; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const desc = Reflect.getOwnPropertyDescriptor(o, key);
    if (desc !== undefined) return desc.set !== undefined;
  }
  return false;
}
