/**
 * livetemplate: reactive server-rendered web apps for Node.js.
 * Every public export is named here; nothing else is public.
 */
export { LiveTemplateError, ERROR_CODES } from "./errors.js";
export type { ErrorCode } from "./errors.js";

// --- template engine (src/template) ---
export {
  TemplateParseError,
  TemplateExecError,
  TemplateUndefinedError,
  TemplateDepthError,
  TemplateEscapeError,
} from "./template/errors.js";
export { HTML, HTMLAttr, JS, JSStr, CSS, URL, Srcset, TrustedContent } from "./template/content.js";
export type { ContentKind } from "./template/content.js";
export { TextTemplate, HtmlTemplate } from "./template/template.js";
export type { TemplateOptions } from "./template/template.js";
export type { TemplateFunction, MissingKeyMode } from "./template/exec.js";

// --- live tree (src/tree, src/live) ---
export type { TreeNode, RangeNode, RangeItem, RangeOp, SlotValue, TreeUpdate } from "./tree/types.js";
export { Template } from "./live/template.js";
export type { UpdateOptions, PageOptions } from "./live/template.js";
export { treeToHtml } from "./tree/html.js";
export type { ChangePath } from "./tree/changes.js";

// --- server (src/server) ---

// --- protocol (src/protocol) ---
export type { ClientMessage, ResponseMeta, TreeMessage, ErrorMessage } from "./protocol/wire.js";
