/**
 * The word emitted in place of a value that a filter rejected: harmless in every language the
 * escaper deals with, never empty, and easy to search for when it shows up in a page.
 */
export const FILTER_FAILSAFE = "ZgotmplZ";
