/**
 * livetemplate: reactive server-rendered web apps for Node.js.
 * The user API: every export an application needs is named here. What authors of session stores,
 * buses and other integrations need besides is in `livetemplate/adapter` (src/adapter.ts).
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
export type { TreeNode, RangeNode, RangeItem, RangeOp, SlotValue, TreeUpdate } from "./protocol/tree.js";
export { Template } from "./live/template.js";
export type { UpdateOptions, PageOptions } from "./live/template.js";
export { treeToHtml } from "./tree/html.js";
export type { ChangePath, ChangeHint } from "./changes/path.js";

// --- the live handler (src/server, src/session, src/transport) ---
export { createLiveHandler } from "./server/live-handler.js";
export type { LiveHandler, BroadcastUpdate, RequestListener } from "./server/live-handler.js";
export { prometheusHandler, prometheusText } from "./server/prometheus.js";
export type { MetricsSource } from "./server/prometheus.js";
export type { HandlerMetrics, Durations } from "./server/metrics.js";
export type { HealthReport, BackendHealth } from "./server/health.js";
export { namedStores, resolveActionMethod, RESERVED_METHODS } from "./session/store-set.js";
export type { NamedStores, StoreOf } from "./session/store-set.js";
export { ActionData } from "./session/action-context.js";
export type { ActionContext } from "./session/action-context.js";
export type { NavigationControls } from "./session/navigation.js";
export { TopicError } from "./topics/errors.js";
export type {
  PresenceDiff,
  PresenceEntry,
  PresenceMeta,
  SubscribeOptions,
  SubscriptionScope,
  TopicContext,
  TopicControls,
  TopicOptions,
  TopicRequest,
} from "./topics/types.js";
export { UPLOAD_DEFAULTS } from "./uploads/options.js";
export type { UploadConfig, UploadStaging, PresignFn, PresignEntry } from "./uploads/options.js";
export type { UploadEntry, ConsumedUpload, UploadError, UploadErrorCode, UploadEntryView } from "./uploads/entry.js";
export type { UploadControls } from "./session/upload-state.js";
export { ValidationError, MultiError, ActionFailedError } from "./session/action-errors.js";
export { AnonymousAuthenticator, BasicAuthenticator, UnauthorizedError } from "./server/authenticator.js";
export type { Authenticator, AnonymousAuthenticatorOptions } from "./server/authenticator.js";
export { MemorySessionStore } from "./server/session-store.js";
export type { SessionStore, MemorySessionStoreOptions } from "./server/session-store.js";
export { CLOSE_CODES } from "./transport/frames.js";
export { CLIENT_SCRIPT_QUERY } from "./protocol/wire.js";
export { DEFAULTS as SERVER_DEFAULTS, consoleLogger, silentLogger } from "./server/options.js";
export type { LiveHandlerOptions, OriginValidator } from "./server/options.js";
export type { Store, StoreSource, ConnectContext, MountContext, Broadcaster, RequestInfo, Logger, MaybePromise } from "./session/types.js";

// --- protocol (src/protocol) ---
export type { ClientMessage, ResponseMeta, TreeMessage, ErrorMessage, PongMessage, ServerMessage } from "./protocol/messages.js";
export type { UploadMode, UploadEntryWire, UploadStartReply, UploadProgressMessage, UploadErrorMessage, UploadCompleteReply, CancelUploadReply, ExternalUpload } from "./protocol/uploads.js";
