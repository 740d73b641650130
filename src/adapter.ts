/**
 * `livetemplate/adapter`: what authors of session stores, broadcast buses and other integrations
 * need beyond the user API (the Redis adapter, `livetemplate/redis`, is built on exactly this).
 * Applications rarely import it.
 */
export { LiveTemplateError } from "./errors.js";
export type { ErrorCode } from "./errors.js";

// Session stores: the full contract, with the binding a handler hands to its store.
export { MemorySessionStore } from "./server/session-store.js";
export type { SessionStore, SessionStoreBinding, MemorySessionStoreOptions, TransactResult } from "./server/session-store.js";
export { SINGLE_STORE } from "./session/types.js";
// The codec a serializing session store can use (the Redis store's format).
export { decodeStores, encodeStores, SessionEncodeError } from "./session/state-codec.js";
export type { ClassRegistry } from "./session/state-codec.js";
export type { SessionStores, MaybePromise, Logger, LiveView } from "./session/types.js";

// Cross-instance notices.
export { RESYNC_CHANNEL } from "./server/broadcast-bus.js";
export type { BroadcastBus, BroadcastMessage, BroadcastTarget, TopicPayload } from "./server/broadcast-bus.js";

// Connections as the handler indexes them.
export { ConnectionRegistry } from "./server/connection-registry.js";
export type { RegisteredConnection } from "./server/connection-registry.js";
export type { LiveConnection } from "./transport/frames.js";

// Change tracking: the write journal, the one path type, copying state.
export { WriteJournal } from "./changes/journal.js";
export { deepClone } from "./changes/deep-clone.js";
export type { ChangePath, ChangeHint, ChangeEntry, ListEdit, Splice } from "./changes/path.js";

// Logging defaults.
export { consoleLogger, silentLogger } from "./server/options.js";
