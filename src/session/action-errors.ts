/**
 * Errors an action throws to report problems to the user. They end up in the reply's
 * `meta.errors` (field name -> message); anything else thrown is an unexpected failure.
 */
import { LiveTemplateError } from "../errors.js";
import { ERROR_GENERAL } from "../protocol/wire.js";

/**
 * A problem with one field of the submitted data (or with no field: use `_general`).
 *
 * @example
 * ```ts
 * if (title.trim() === "") throw new ValidationError("title", "title is required");
 * ```
 */
export class ValidationError extends LiveTemplateError {
  /** The field the message belongs to; `_general` when it belongs to none. */
  readonly field: string;

  constructor(field: string, message: string) {
    super("LT_ERR_ACTION_VALIDATION", message);
    this.field = field === "" ? ERROR_GENERAL : field;
  }
}

/** Several validation problems at once; `bindAndValidate` throws one. */
export class MultiError extends LiveTemplateError {
  readonly errors: readonly ValidationError[];

  constructor(errors: readonly ValidationError[]) {
    super("LT_ERR_ACTION_VALIDATION", errors.map((e) => `${e.field}: ${e.message}`).join("; "));
    this.errors = errors;
  }
}

/** An action failed unexpectedly; its details are logged (sent only in dev mode). */
export class ActionFailedError extends LiveTemplateError {
  constructor(action: string, options?: { cause?: unknown }) {
    super("LT_ERR_ACTION_FAILED", `action "${action}" failed`, options);
  }
}

/**
 * Turns whatever an action threw into `meta.errors`. Validation errors map to their fields (the
 * first message per field wins); other errors become `_general`, with their message only in dev
 * mode. Returns whether the error was unexpected (so the caller logs it).
 */
export function errorsFromThrown(
  thrown: unknown,
  dev: boolean,
): { errors: Record<string, string>; unexpected: boolean } {
  const errors: Record<string, string> = {};
  if (thrown instanceof ValidationError) {
    errors[thrown.field] = thrown.message;
    return { errors, unexpected: false };
  }
  if (thrown instanceof MultiError) {
    for (const e of thrown.errors) errors[e.field] ??= e.message;
    if (thrown.errors.length === 0) errors[ERROR_GENERAL] = thrown.message || "invalid input";
    return { errors, unexpected: false };
  }
  const detail = thrown instanceof Error ? thrown.message : String(thrown);
  errors[ERROR_GENERAL] = dev ? `internal error: ${detail}` : "internal error";
  return { errors, unexpected: true };
}
