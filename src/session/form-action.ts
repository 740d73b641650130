/**
 * The action of a no-JS form post (PROTOCOL.md §1): the `lvt-action` field, else the first field
 * named after an action method (the submit button's `name`, `store.action` for named stores).
 * That field is removed from the data.
 */
import { FORM_ACTION_FIELD } from "../protocol/wire.js";
import { ownStore, resolveActionMethod } from "./store-set.js";
import type { SessionStores } from "./types.js";

/** The form's action, its data without the field that named it, and the submitter. */
export interface FormAction {
  action: string;
  data: Record<string, unknown>;
  submitter: string | undefined;
}

export function pickFormAction(stores: SessionStores, fields: Record<string, unknown>): FormAction | undefined {
  const data = { ...fields };
  const explicit = data[FORM_ACTION_FIELD];
  if (typeof explicit === "string" && explicit !== "") {
    delete data[FORM_ACTION_FIELD];
    return { action: explicit, data, submitter: undefined };
  }
  for (const key of Object.keys(fields)) {
    const dot = key.indexOf(".");
    const storeName = dot > 0 ? key.slice(0, dot) : undefined;
    const actionName = dot > 0 ? key.slice(dot + 1) : key;
    const candidates = storeName !== undefined ? [ownStore(stores, storeName)] : Object.values(stores);
    if (candidates.some((s) => s !== undefined && resolveActionMethod(s, actionName) !== undefined)) {
      delete data[key];
      return { action: key, data, submitter: key };
    }
  }
  return undefined;
}
