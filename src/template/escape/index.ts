/**
 * html/template contextual escaping (placeholder entry point; the escaper replaces it).
 *
 * `escapeTrees` rewrites, in place, the trees reachable from `name`: it appends escaper calls to
 * every action's pipeline (by the context the action lands in), strips HTML comments from text,
 * and adds derived templates for templates invoked in other contexts. Afterwards the trees are
 * ordinary text/template trees whose execution with `escaperFuncs` gives html/template's output.
 */
import type { Tree } from "../node.js";

/** The functions that escaped pipelines call, by name. */
export const escaperFuncs: Record<string, (...args: unknown[]) => unknown> = {};

/** Escapes the template `name` of the set and everything it invokes, in place. */
export function escapeTrees(trees: Map<string, Tree>, name: string): void {
  void trees;
  void name;
}
