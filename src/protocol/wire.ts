/**
 * Wire keys and message shapes shared by the server and the browser client (PROTOCOL.md).
 * This file is the only place where protocol spellings live; it imports nothing, so the client
 * bundle can include it without pulling server code.
 */

/** Key of the statics array in a tree node. */
export const STATICS = "s";
/** Key of the item list in a range node. */
export const RANGE_ITEMS = "d";
/** Key of the range metadata (`{idKey}`) in a range node. */
export const RANGE_META = "m";
/** Key of a generated content key in a range item. */
export const GENERATED_KEY = "_k";

/** Range operation heads (PROTOCOL.md §6). */
export const OP = {
  remove: "r",
  update: "u",
  append: "a",
  prepend: "p",
  insert: "i",
  order: "o",
} as const;

/** Reserved action names. */
export const ACTION_PING = "__ping__";
export const ACTION_NAVIGATE = "__navigate__";
export const ACTION_LOAD_MORE = "load_more";

/** Reserved error keys in `meta.errors`. */
export const ERROR_GENERAL = "_general";
export const ERROR_RATE_LIMIT = "_rate_limit";

/** Response header telling the client whether WebSocket is available. */
export const HEADER_WEBSOCKET = "X-LiveTemplate-WebSocket";
/**
 * HTTP header carrying the id of a render: on every JSON response with a tree, the id of the tree
 * it brings the client to; on a JSON POST from our client, the id of the tree the client holds
 * (empty when that tree did not come over HTTP). The server diffs only against exactly that render.
 */
export const HEADER_RENDER = "X-LiveTemplate-Render";
/**
 * Response header announcing that the server remembers action ids (`"id"` in a client message),
 * with how many per session group. Our client sends ids only to a server that announces this.
 */
export const HEADER_ACTION_IDS = "X-LiveTemplate-Action-Ids";
/** Attribute of the wrapper div holding the wrapper id. */
export const ATTR_WRAPPER_ID = "data-lvt-id";
/** Attribute present on the wrapper until the client has connected. */
export const ATTR_LOADING = "data-lvt-loading";
/** Form field naming the action of a no-JS form post (else the submit button's name does). */
export const FORM_ACTION_FIELD = "lvt-action";
/**
 * Query parameter that selects the client bundle: `GET /page?lvt-client=<anything>` answers with
 * the script instead of the page. The injected tag uses the bundle's content hash as the value,
 * so a new bundle gets a new URL.
 */
export const CLIENT_SCRIPT_QUERY = "lvt-client";
/**
 * Query parameter our client adds to the WebSocket URL to ask for what the published client does
 * not know, a comma-separated list; the server removes it from the query `mount` sees.
 * `nav`: `__navigate__` is answered with a diff instead of a full tree.
 */
export const CAPABILITY_QUERY = "lvt-cap";
export const CAPABILITY_NAV = "nav";
/** Capability: range items of full trees as arrays of slot values (see `compact.ts`). */
export const CAPABILITY_ROWS = "rows";
/** Attribute of an element kept as it is (same DOM node) across live navigations. */
export const ATTR_PERSIST = "lvt-persist";
/** Attribute of a link our client leaves to the browser (as the published client does). */
export const ATTR_NO_INTERCEPT = "lvt-nav:no-intercept";
/**
 * Query parameter of an on-demand part of the client (`GET /page?lvt-chunk=upload`): the core
 * loads such a part only on pages that use it (docs/client.md, "Chunks").
 */
export const CHUNK_SCRIPT_QUERY = "lvt-chunk";
/** Name of the global object through which a loaded chunk hands its exports to the core. */
export const CHUNK_GLOBAL = "__lvtChunks";
/** Query parameter of the dev-mode overlay script (`livetemplate.dev.js`), served in dev mode only. */
export const DEV_SCRIPT_QUERY = "lvt-dev";
/**
 * Cookie a dev-mode page sets (`lvt-dev=1`): connections whose upgrade carries it asked for
 * `meta.dev` details on failed replies (the page has the overlay); others get the plain protocol.
 */
export const DEV_COOKIE = "lvt-dev";
/** Name of the anonymous session cookie. */
export const SESSION_COOKIE = "livetemplate-id";

/** Attribute names whose following slot is a range item's key (PROTOCOL.md §4). */
export const KEY_ATTRIBUTES = ["data-key", "data-lvt-key", "lvt-key", "key", "id"] as const;
/**
 * Keys of `meta` for server-pushed events and replies. `events`: a list of
 * `{name, payload?, commands?}` the client dispatches once the message's tree is applied (as the
 * DOM event `lvt:<name>` on `window` and to hooks' `handleEvent`), running `commands` (a JSON
 * command list, docs/client.md) first. `reply`: the value an action gave `ctx.reply(value)`,
 * handed to a hook's `pushEvent` promise. The published client ignores both.
 */
export const META_EVENTS = "events";
export const META_REPLY = "reply";
/** Prefix of the DOM event name a pushed event is dispatched under (`lvt:<name>`). */
export const EVENT_PREFIX = "lvt:";

/**
 * Key present in every server message about uploads (`upload_start`'s answer, `upload_progress`,
 * `upload_complete`'s answer, `upload_error`); our client hands such a message to its upload chunk
 * (the other upload spellings are in `uploads.ts`).
 */
export const UPLOAD_NAME = "upload_name";
