/**
 * html/template contextual escaping.
 *
 * `escapeTrees` rewrites, in place, the trees reachable from `name`: it appends escaper calls to
 * every action's pipeline (by the context the action lands in), strips HTML comments from text,
 * and adds derived templates for templates invoked in other contexts. Afterwards the trees are
 * ordinary text/template trees whose execution with `escaperFuncs` gives html/template's output.
 */
import type { Tree } from "../node.js";
import { TemplateEscapeError } from "../errors.js";
import { ctx, ctxString, failureMessage, type Context } from "./context.js";
import { cssEscaper, cssValueFilter } from "./css.js";
import { Escaper } from "./escaper.js";
import { attrEscaper, commentEscaper, htmlEscaper, htmlNameFilter, nospaceEscaper, rcdataEscaper } from "./html.js";
import { jsRegexpEscaper, jsStrEscaper, jsTmplLitEscaper, jsValEscaper } from "./js.js";
import { ensurePipelineContains } from "./pipeline.js";
import { sprint } from "../fmt.js";
import { srcsetEscaper, urlEscaper, urlFilter, urlNormalizer } from "./url.js";

/** Prints the arguments of `{{html a b}}` rewritten as `{{_eval_args_ a b | html}}`. */
function evalArgs(...args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === "string") return args[0];
  return sprint(args);
}

/**
 * The functions that escaped pipelines call, by the names Go gives them. Each takes the
 * pipeline value (or several arguments, printed like fmt.Sprint) and returns a string; a
 * trusted value of the matching kind (see `content.ts`) passes through.
 */
export const escaperFuncs: Record<string, (...args: unknown[]) => unknown> = {
  _html_template_attrescaper: attrEscaper,
  _html_template_commentescaper: commentEscaper,
  _html_template_cssescaper: cssEscaper,
  _html_template_cssvaluefilter: cssValueFilter,
  _html_template_htmlnamefilter: htmlNameFilter,
  _html_template_htmlescaper: htmlEscaper,
  _html_template_jsregexpescaper: jsRegexpEscaper,
  _html_template_jsstrescaper: jsStrEscaper,
  _html_template_jstmpllitescaper: jsTmplLitEscaper,
  _html_template_jsvalescaper: jsValEscaper,
  _html_template_nospaceescaper: nospaceEscaper,
  _html_template_rcdataescaper: rcdataEscaper,
  _html_template_srcsetescaper: srcsetEscaper,
  _html_template_urlescaper: urlEscaper,
  _html_template_urlfilter: urlFilter,
  _html_template_urlnormalizer: urlNormalizer,
  _eval_args_: evalArgs,
};

/**
 * Output contexts of the templates already escaped in a set, so that escaping a second entry
 * point of the same set reuses (and does not re-edit) what the first one rewrote.
 */
const escapedSets = new WeakMap<Map<string, Tree>, Map<string, Context>>();

/**
 * Escapes the template `name` of the set and everything it invokes, in place.
 *
 * Throws a TemplateEscapeError (message `html/template:NAME:LINE:COL: ...`, as Go words it)
 * when the template cannot be escaped safely: an action in an ambiguous context, branches
 * ending in different contexts, a template ending inside a tag or script, a missing template.
 * On error nothing is rewritten. Calling it again for an already escaped name does nothing.
 *
 * @example
 * const trees = parse("page", '<a href="/x?q={{.}}">{{.}}</a>', {});
 * escapeTrees(trees, "page");
 * // the two actions now end in `| _html_template_urlescaper | _html_template_attrescaper`
 * // and `| _html_template_htmlescaper`
 */
export function escapeTrees(trees: Map<string, Tree>, name: string): void {
  const known = escapedSets.get(trees) ?? new Map<string, Context>();
  const root = trees.get(name);
  const source = { parseName: root?.parseName ?? name, text: root?.text ?? "" };
  const e = new Escaper(trees, known, source);
  let c: Context;
  try {
    [c] = e.escapeTree(ctx(), null, name, 0);
  } catch (err) {
    // A safety net: only a chain of thousands of nested template calls gets this deep.
    if (err instanceof RangeError) throw new TemplateEscapeError(`html/template:${name}: max depth exceeded`);
    throw err;
  }
  if (c.err !== null) {
    c.err.name = name;
    throw new TemplateEscapeError(failureMessage(c.err));
  }
  if (c.state !== "stateText") {
    throw new TemplateEscapeError(`html/template:${name}: ends in a non-text context: ${ctxString(c)}`);
  }
  for (const [dname, tree] of e.derived) trees.set(dname, tree);
  for (const [node, names] of e.actionEdits) ensurePipelineContains(node.pipe, names);
  for (const [node, callee] of e.templateEdits) node.name = callee;
  for (const [node, text] of e.textEdits) node.text = text;
  escapedSets.set(trees, e.output);
}
