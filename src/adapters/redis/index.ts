/**
 * livetemplate/redis: session groups and cross-instance broadcasting in Redis, for running
 * several instances of an app. Needs the optional peer dependency `ioredis` (5 or later).
 */
export { RedisSessionStore } from "./session-store.js";
export type { RedisSessionStoreOptions, RedisSessionStoreStats } from "./session-store.js";
export { SessionUnavailableError } from "./unavailable-policy.js";
export type { UnavailablePolicy } from "./unavailable-policy.js";
export { RedisBroadcastBus } from "./broadcast-bus.js";
export type { RedisBroadcastBusOptions } from "./broadcast-bus.js";
export { SessionEncodeError, encodeStores, decodeStores } from "./codec.js";
export type { ClassRegistry } from "./codec.js";
export { RedisTimeoutError } from "./connection.js";
export type { RedisSource } from "./connection.js";
