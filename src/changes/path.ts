/**
 * The one type for "what changed": a data path from the root of the template data, made of
 * property names and array indices (`["todos", 3, "done"]`). A path covers everything below it;
 * `[]` covers everything.
 */
export type ChangePath = readonly (string | number)[];

/**
 * What changed since the last render: a list of paths, or `undefined` when it is not known (the
 * state was replaced, or store code wrote through an alias the journal cannot name), in which
 * case the next render is unhinted.
 */
export type ChangeHint = readonly ChangePath[] | undefined;
