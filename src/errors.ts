/**
 * The error registry: every error the library throws or sends carries a stable code
 * `LT_ERR_<AREA>_<WHAT>`. Codes are listed in docs/errors.md; a test checks that every code
 * declared here is documented there.
 */

/** Every error code, with a one-line meaning. Add new codes here and in docs/errors.md. */
export const ERROR_CODES = {
  LT_ERR_TEMPLATE_PARSE: "the template text is not valid template syntax",
  LT_ERR_TEMPLATE_EXEC: "executing a template failed (bad field, wrong argument, failed function)",
  LT_ERR_TEMPLATE_ESCAPE: "html/template could not escape the template safely (ambiguous context)",
  LT_ERR_TEMPLATE_DEPTH: "template invocation nested deeper than the limit",
  LT_ERR_TEMPLATE_UNDEFINED: "a template was executed or invoked that is not defined",
  LT_ERR_TREE_COMPILE: "a template could not be compiled into a live tree",
  LT_ERR_PROTOCOL_MALFORMED: "a client message is not valid JSON or lacks an action, or a form body cannot be parsed",
  LT_ERR_PROTOCOL_TOO_LARGE: "a client message exceeds the maximum message size",
  LT_ERR_PROTOCOL_UNKNOWN_ACTION: "no store handles the requested action",
  LT_ERR_PROTOCOL_RATE_LIMIT: "the connection sent more messages than the rate limit allows",
  LT_ERR_AUTH_UNAUTHORIZED: "the request could not be authenticated",
  LT_ERR_AUTH_ORIGIN: "a WebSocket upgrade or a POST came from a disallowed origin",
  LT_ERR_AUTH_SECRET: "session ids are signed with a random per-process key while the session store is shared by several instances",
  LT_ERR_AUTH_ROTATE: "rotateSession() was called with an authenticator whose sessions cannot be rotated",
  LT_ERR_ACTION_FAILED: "a store's action threw an unexpected error",
  LT_ERR_ACTION_VALIDATION: "action data failed validation",
  LT_ERR_ACTION_EVENT: "ctx.pushEvent was given a bad event name or a command list that is not a list",
  LT_ERR_ACTION_ASYNC: "ctx.async was given a bad key or no function",
  LT_ERR_SERVER_LIMIT: "a server limit was reached (connections, send queue)",
  LT_ERR_SESSION_STORE: "the session store failed to load or save a session group",
  LT_ERR_SESSION_UNAVAILABLE: "the shared session store did not answer in time: the action was rolled back, not acknowledged",
  LT_ERR_SESSION_ENCODE: "a store's state cannot be saved by a serializing session store (function, cycle, unregistered class)",
  LT_ERR_TOPIC_FORBIDDEN: "the topics ACL refused a subscription or a presence entry",
  LT_ERR_TOPIC_INVALID: "a topic name, presence key or meta, or a published event is not valid",
  LT_ERR_UPLOAD_TOO_LARGE: "an uploaded file is larger than its upload's maxFileSize, or than the size its client announced",
  LT_ERR_UPLOAD_TYPE: "an uploaded file's type or extension is not in its upload's accept list",
  LT_ERR_UPLOAD_TOO_MANY: "more files were selected than the upload's maxEntries allows",
  LT_ERR_UPLOAD_QUOTA: "staging the file would exceed the disk quota for uploads",
  LT_ERR_UPLOAD_UNKNOWN: "an upload message names an upload that is not configured, or an entry that does not exist (any more)",
  LT_ERR_UPLOAD_MALFORMED: "an upload message or binary chunk frame is malformed (bad fields, bad base64, wrong offset)",
  LT_ERR_UPLOAD_INCOMPLETE: "an upload was completed with fewer bytes than its client announced",
  LT_ERR_UPLOAD_EXPIRED: "a staged upload was not finished or consumed within its expiry and was removed",
  LT_ERR_UPLOAD_DISK: "writing a staged upload to disk failed",
  LT_ERR_UPLOAD_PRESIGN: "the presign function of a direct upload threw or returned no URL",
  LT_ERR_UPLOAD_NOT_READY: "ctx.consume was given an entry that is not done, not valid, or already consumed",
  LT_ERR_TOPIC_NO_CONNECTION: "a connection-scoped subscription or a presence entry was asked for outside a live connection",
} as const;

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Base class of every error the library throws; `code` is stable and documented. */
export class LiveTemplateError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
