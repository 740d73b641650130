/**
 * The client's copy of the live tree (PROTOCOL.md §4-6): merges updates and range operations into
 * the cached tree and renders it back to HTML. No DOM access, so it runs (and is tested) in Node.
 *
 * Nodes are never mutated once stored: a merge copies every node on the path to a change. That
 * lets {@link TreeState.render} cache the HTML of each node and range item by object identity, so
 * a one-row update re-renders one row and re-joins cached strings for the rest.
 */
import { expandTree } from "../protocol/compact.js";
import { GENERATED_KEY, OP, RANGE_ITEMS, RANGE_META, STATICS } from "../protocol/wire.js";

/** A tree node or range node as received from the server (validated lazily, hence loose). */
export type Node = { [key: string]: unknown };

const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && !Array.isArray(v);
const isStatics = (v: unknown): v is string[] => Array.isArray(v);
const isRange = (v: unknown): v is Node & { s: string[]; d: Node[] } =>
  isNode(v) && isStatics(v[STATICS]) && Array.isArray(v[RANGE_ITEMS]);

/** A list of range operations is a list whose first element is a list with a string head. */
export const isOps = (v: unknown): v is unknown[][] =>
  Array.isArray(v) && Array.isArray(v[0]) && typeof v[0][0] === "string";

const slotKeys = (n: Node): string[] => Object.keys(n).filter((k) => /^\d+$/.test(k));

/** The key of a range item: its generated `_k`, else the slot named by the range's `m.idKey`. */
function itemKey(item: unknown, idKey: string | undefined): string | undefined {
  if (!isNode(item)) return undefined;
  const k = item[GENERATED_KEY] ?? (idKey === undefined ? undefined : item[idKey]);
  return k === undefined || k === null ? undefined : String(k);
}

/** Applies range operations to a range node, returning a new node (the old one is untouched). */
export function applyOps(range: Node, ops: unknown[][]): Node {
  let statics = range[STATICS];
  let meta = range[RANGE_META];
  const items = (range[RANGE_ITEMS] as unknown[]).slice();
  const idKey = (): string | undefined => (isNode(meta) && typeof meta["idKey"] === "string" ? meta["idKey"] : undefined);
  const indexOf = (key: unknown): number => items.findIndex((it) => itemKey(it, idKey()) === String(key));
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
  for (const op of ops) {
    const [head, a, b, c] = op;
    switch (head) {
      case OP.remove: {
        const i = indexOf(a);
        if (i >= 0) items.splice(i, 1);
        break;
      }
      case OP.update: {
        const i = indexOf(a);
        if (i >= 0 && isNode(b)) items[i] = merge(items[i], b);
        break;
      }
      case OP.append:
      case OP.prepend:
        if (isStatics(b)) statics = b;
        if (isNode(c)) meta = c;
        if (head === OP.append) items.push(...list(a));
        else items.unshift(...list(a));
        break;
      case OP.insert: {
        const i = indexOf(a);
        if (i >= 0) items.splice(i + 1, 0, ...list(b));
        break;
      }
      case OP.order: {
        const byKey = new Map(items.map((it) => [itemKey(it, idKey()), it] as const));
        items.length = 0;
        for (const k of list(a)) {
          const it = byKey.get(String(k));
          if (it !== undefined) items.push(it);
        }
        break;
      }
      default:
        // Unknown operations are skipped so a newer server degrades instead of breaking the page.
        break;
    }
  }
  const out: Node = { ...range, [STATICS]: statics, [RANGE_ITEMS]: items };
  if (meta !== undefined) out[RANGE_META] = meta;
  return out;
}

/**
 * Merges an update into a cached value. An update carrying statics describes a whole node, but it
 * may still omit nested statics the client holds, so it replaces the old node only when the shapes
 * cannot line up (range versus plain node, or slots the new node no longer has).
 */
export function merge(old: unknown, update: unknown): unknown {
  if (!isNode(update) || !isNode(old)) return update;
  if (isStatics(update[STATICS])) {
    if (isRange(old) !== (RANGE_ITEMS in update)) return update;
    if (slotKeys(old).some((k) => !(k in update))) return update;
  }
  const out: Node = { ...old };
  for (const [k, v] of Object.entries(update)) {
    const prev = out[k];
    if (isOps(v)) {
      if (isRange(prev)) out[k] = applyOps(prev, v);
    } else {
      out[k] = merge(prev, v);
    }
  }
  return out;
}

/**
 * Whether each item of a range renders as one element that carries its key as `data-key` or
 * `data-lvt-key` in its first tag, so the DOM row of a key can be found by attribute.
 */
function keyedElement(range: Node & { s: string[] }): boolean {
  const meta = range[RANGE_META];
  const slot = isNode(meta) ? Number(meta["idKey"]) : NaN;
  const head = range.s.slice(0, slot + 1).join("");
  return Number.isInteger(slot) && /^\s*<[a-zA-Z][^>]*\b(data-key|data-lvt-key)="$/.test(head);
}

/** The cached tree of one wrapper, with HTML memoised per node. */
export class TreeState {
  private root: unknown = undefined;
  private html = new WeakMap<object, string>();
  private itemHtml = new WeakMap<object, { s: unknown; h: string }>();

  /** Forgets the tree; the next update must be a full tree (reconnect, JSON GET). */
  reset(): void {
    this.root = undefined;
  }

  /** Whether a tree has been received since the last reset. */
  get ready(): boolean {
    return this.root !== undefined;
  }

  /**
   * Merges one server update (a full tree or a diff) into the cache.
   * @returns the changed rows when the update is nothing but `u`/`r` operations on ranges whose
   * items are elements keyed by `data-key`/`data-lvt-key` (key -> new item HTML, or null when
   * removed), so the caller may patch those rows alone; otherwise null
   */
  apply(received: unknown): Map<string, string | null> | null {
    const update = expandTree(received);
    const before = this.root;
    this.root = before === undefined ? update : merge(before, update);
    const rows = new Map<string, string | null>();
    return before !== undefined && isNode(update) && this.rows(update, before, this.root, rows) && rows.size > 0 ? rows : null;
  }

  private rows(update: Node, before: unknown, after: unknown, out: Map<string, string | null>): boolean {
    for (const [k, v] of Object.entries(update)) {
      const old = isNode(before) ? before[k] : undefined;
      const cur = isNode(after) ? after[k] : undefined;
      if (isOps(v)) {
        if (!isRange(old) || !isRange(cur) || !keyedElement(old) || old.s !== cur.s) return false;
        const idKey = (cur[RANGE_META] as Node | undefined)?.["idKey"] as string | undefined;
        for (const [head, key] of v) {
          const item = cur.d.find((it) => itemKey(it, idKey) === String(key));
          if (head === OP.update && item) out.set(String(key), this.item(item, cur.s));
          else if (head === OP.remove && !item) out.set(String(key), null);
          else return false;
        }
      } else if (!isNode(v) || STATICS in v || isRange(old) || !this.rows(v, old, cur, out)) {
        return false;
      }
    }
    return true;
  }

  /** The HTML of the whole tree: exactly the wrapper's inner HTML. */
  render(): string {
    return this.value(this.root);
  }

  private value(v: unknown): string {
    if (v === undefined || v === null) return "";
    if (typeof v !== "object") return String(v);
    if (Array.isArray(v)) return isOps(v) ? "" : v.map((x) => this.value(x)).join("");
    const n = v as Node;
    const hit = this.html.get(n);
    if (hit !== undefined) return hit;
    let out = "";
    if (isRange(n)) {
      if (n.d.length === 0 && n["else"] !== undefined) out = this.value(n["else"]);
      else for (const item of n.d) out += this.item(item, n.s);
    } else if (isStatics(n[STATICS])) {
      out = this.fill(n, n[STATICS]);
    } else {
      // A node without statics (never expected once merged) renders its slots in order.
      for (const k of slotKeys(n).sort((a, b) => Number(a) - Number(b))) out += this.value(n[k]);
    }
    this.html.set(n, out);
    return out;
  }

  private item(item: unknown, statics: string[]): string {
    if (!isNode(item)) return "";
    const hit = this.itemHtml.get(item);
    if (hit !== undefined && hit.s === statics) return hit.h;
    const h = this.fill(item, statics);
    this.itemHtml.set(item, { s: statics, h });
    return h;
  }

  private fill(n: Node, statics: string[]): string {
    let out = statics[0] ?? "";
    for (let i = 1; i < statics.length; i++) out += this.value(n[i - 1]) + statics[i];
    return out;
  }
}
