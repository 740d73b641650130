/**
 * Template errors. Messages read like Go's so that users can search them:
 * parse errors `template: NAME:LINE:COL: message`, execution errors
 * `template: NAME:LINE:COL: executing "NAME" at <NODE>: message`, escaping errors
 * `html/template:NAME:LINE:COL: message`. Lower case, no final period.
 */
import { LiveTemplateError } from "../errors.js";

/** The template text is not valid template syntax. */
export class TemplateParseError extends LiveTemplateError {
  constructor(message: string) {
    super("LT_ERR_TEMPLATE_PARSE", message);
  }
}

/** Executing a template failed. */
export class TemplateExecError extends LiveTemplateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("LT_ERR_TEMPLATE_EXEC", message, options);
  }
}

/** A template was executed or invoked that is not defined (or is empty). */
export class TemplateUndefinedError extends LiveTemplateError {
  constructor(message: string) {
    super("LT_ERR_TEMPLATE_UNDEFINED", message);
  }
}

/** Template invocations nested deeper than the limit. */
export class TemplateDepthError extends LiveTemplateError {
  constructor(message: string) {
    super("LT_ERR_TEMPLATE_DEPTH", message);
  }
}

/** html/template could not escape a template safely. */
export class TemplateEscapeError extends LiveTemplateError {
  constructor(message: string) {
    super("LT_ERR_TEMPLATE_ESCAPE", message);
  }
}
