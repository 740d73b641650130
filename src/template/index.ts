/**
 * The template engine: Go's text/template language and html/template escaping over
 * JavaScript data. Re-exports what other areas of the library (and the public index) use.
 */
export { TextTemplate, HtmlTemplate, BaseTemplate } from "./template.js";
export type { TemplateOptions, PreparedTemplate } from "./template.js";
export {
  ExecState,
  TemplateSet,
  executeTree,
  DEFAULT_MAX_DEPTH,
  WALK_NEXT,
  WALK_BREAK,
  WALK_CONTINUE,
} from "./exec.js";
export type { ExecOptions, MissingKeyMode, TemplateFrame, TemplateFunction, WalkSignal } from "./exec.js";
export { isTrue } from "./value.js";
export {
  TemplateParseError,
  TemplateExecError,
  TemplateUndefinedError,
  TemplateDepthError,
  TemplateEscapeError,
} from "./errors.js";
export { HTML, HTMLAttr, JS, JSStr, CSS, URL, Srcset, TrustedContent } from "./content.js";
export type { ContentKind } from "./content.js";
export type * from "./node.js";
