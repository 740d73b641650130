/**
 * The compact range encoding (capability `rows`, asked for by our client on its WebSocket URL):
 * in a full tree, a range item whose slots are exactly `"0"` .. `"n-1"` is sent as the array of
 * its slot values, `["1","Row 1",0]` instead of `{"0":"1","1":"Row 1","2":0}`, which is where most
 * of a long list's first frame goes. The published client never asks for it and gets objects.
 * Only full trees (a root with statics) are compacted, so diffs and range operations keep their
 * one format; the client expands a compact full tree back into objects as it arrives.
 */
import { RANGE_ITEMS, STATICS } from "./wire.js";

type Loose = { [key: string]: unknown };

const isObject = (v: unknown): v is Loose => typeof v === "object" && v !== null && !Array.isArray(v);

/** The slot values of `item` in order when its keys are exactly "0".."n-1", else undefined. */
function slotArray(item: Loose): unknown[] | undefined {
  const out: unknown[] = [];
  for (const k in item) {
    if (k !== String(out.length)) return undefined;
    out.push(compactValue(item[k]));
  }
  return out;
}

function compactValue(v: unknown): unknown {
  if (!isObject(v)) return v;
  const items = v[RANGE_ITEMS];
  const out: Loose = {};
  for (const k in v) out[k] = k === RANGE_ITEMS && Array.isArray(items) && Array.isArray(v[STATICS]) ? items.map(compactItem) : compactValue(v[k]);
  return out;
}

function compactItem(item: unknown): unknown {
  if (!isObject(item)) return item;
  return slotArray(item) ?? compactValue(item);
}

/** A copy of the full tree `tree` with its range items compacted (the input is not changed). */
export function compactTree<T>(tree: T): T {
  return compactValue(tree) as T;
}

/** A tree as it arrives: a compact full tree is expanded into objects; anything else is returned as is. */
export function expandTree(update: unknown): unknown {
  return isObject(update) && Array.isArray(update[STATICS]) ? expandValue(update) : update;
}

function expandValue(v: unknown): unknown {
  if (!isObject(v)) return v;
  const out: Loose = {};
  for (const k in v) {
    const x = v[k];
    out[k] = k === RANGE_ITEMS && Array.isArray(x) ? x.map((item: unknown) => expandValue(Array.isArray(item) ? { ...item } : item)) : expandValue(x);
  }
  return out;
}
