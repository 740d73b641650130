/**
 * livetemplate: reactive server-rendered web apps for Node.js.
 * Every public export is named here; nothing else is public.
 */
export { LiveTemplateError, ERROR_CODES } from "./errors.js";
export type { ErrorCode } from "./errors.js";
