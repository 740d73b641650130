/**
 * livetemplate/testing: mount a live page in-process and drive it as a user would, without a
 * server, a socket or a browser (docs/testing.md).
 */
export { liveTest, LivePage } from "./live-test.js";
export type { LiveTestOptions, FoundElement, ReceivedMessage, HandleableTemplate } from "./live-test.js";
export type { Payload, ClientAction } from "./page-events.js";
