/**
 * How a session group's stores become one string in Redis and back: the library's state codec
 * (`livetemplate/adapter`), which hibernating groups use too.
 */
export { decodeStores, encodeStores, SessionEncodeError } from "../../adapter.js";
export type { ClassRegistry } from "../../adapter.js";
