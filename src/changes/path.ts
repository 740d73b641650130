/**
 * The one type for "what changed": a data path from the root of the template data, made of
 * property names and array indices (`["todos", 3, "done"]`). A path covers everything below it;
 * `[]` covers everything.
 */
export type ChangePath = readonly (string | number)[];

/**
 * One splice of an array, as `Array.prototype.splice` makes it: at index `at`, `removed`
 * elements were taken out and `added` elements put in their place (the elements after them
 * shifted by `added - removed`).
 */
export type Splice = readonly [at: number, removed: number, added: number];

/**
 * The array at `list` was edited by `splices`, applied in order to the array as the previous
 * render saw it. Its elements are not listed as written: an element at another index than
 * before is the same element (an element written inside is listed by a path below its index
 * *after* the splices, e.g. `["todos", 7, "done"]`). What a write journal reports for
 * `splice`, `shift` and `unshift`, so that a removal in a list of 10,000 rows is one entry
 * instead of the 5,000 indices it shifted.
 */
export interface ListEdit {
  readonly list: ChangePath;
  readonly splices: readonly Splice[];
}

/** A written path, or the splices of one array. */
export type ChangeEntry = ChangePath | ListEdit;

/**
 * What changed since the last render: a list of entries in the order the writes were made, or
 * `undefined` when it is not known (the state was replaced, or store code wrote through an alias
 * the journal cannot name), in which case the next render is unhinted.
 */
export type ChangeHint = readonly ChangeEntry[] | undefined;

/** True for a {@link ListEdit} entry. */
export function isListEdit(e: ChangeEntry): e is ListEdit {
  return !Array.isArray(e);
}
