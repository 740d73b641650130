/**
 * The in-process test API (`livetemplate/testing`): mounts a live page on a handler's own engine
 * through a transport that is a real `LiveConnection` over an in-memory socket, so no port, no
 * WebSocket and no browser are involved, while every frame takes the path a WebSocket frame takes.
 * A page keeps the tree exactly as the browser client does (`client/tree.ts`, the client's own
 * merge code), so `html()` is what a browser shows after the same replies.
 */
import type { WebSocket } from "ws";
import { TreeState } from "../client/tree.js";
import type { ErrorMessage, ServerMessage, TreeMessage } from "../protocol/messages.js";
import { isErrorMessage, stringValues, validateMessage, errorMessage } from "../protocol/messages.js";
import { ACTION_NAVIGATE, ACTION_PING, DEV_COOKIE } from "../protocol/wire.js";
import { internalsOf, type HandlerInternals } from "../server/handler-internals.js";
import type { LiveHandler } from "../server/live-handler.js";
import type { LiveHandlerOptions } from "../server/options.js";
import type { NamedStores } from "../session/store-set.js";
import { flashes } from "../session/flash.js";
import type { ConnectContext, StoreSource } from "../session/types.js";
import { LiveConnection } from "../transport/frames.js";
import { parseHtml, textOf, type DomElement } from "./html-dom.js";
import { eventAction, formOf, type ClientAction, type Payload } from "./page-events.js";
import { select } from "./selector.js";

/** What a `handle`-able template offers; `Template` from `livetemplate` is one. */
export interface HandleableTemplate {
  handle<S extends object>(stores: StoreSource<S> | NamedStores<S>, options?: LiveHandlerOptions): LiveHandler<S>;
}

/** Options of {@link liveTest}. */
export interface LiveTestOptions {
  /** The page URL the tab opens (its query goes to `mount`). Default `"/"`. */
  url?: string;
  /** The user id of the first tab. Default `""` (anonymous). */
  userId?: string;
  /** Request headers store code sees in `onConnect` (`ctx.request.headers`). Default none. */
  headers?: Record<string, string>;
  /** Handler options when `liveTest` builds the handler from a template (logger, tracking, ...). */
  handler?: LiveHandlerOptions;
}

/** An element of the page as `find` returns it. */
export interface FoundElement {
  /** Lower-case tag name. */
  readonly tag: string;
  /** The text content, whitespace collapsed and trimmed. */
  readonly text: string;
  /** Attributes by name (values decoded). */
  readonly attrs: Readonly<Record<string, string>>;
  /** One attribute, or undefined. */
  attr(name: string): string | undefined;
}

/** A message the tab received, with its size on the wire. */
export interface ReceivedMessage {
  readonly message: ServerMessage;
  /** Bytes of the UTF-8 JSON, as a WebSocket text frame's payload carries them. */
  readonly bytes: number;
}

let nextGroup = 0;

/** The in-memory socket under a test tab's `LiveConnection`: it records what the server writes. */
class MemorySocket {
  readonly OPEN = 1;
  readonly CLOSED = 3;
  readyState = 1;
  bufferedAmount = 0;
  extensions = "";
  conn: LiveConnection | undefined;
  private closeListeners: (() => void)[] = [];
  constructor(private readonly onFrame: (payload: Buffer) => void) {}
  send(payload: Buffer): void {
    this.onFrame(payload);
  }
  /** The peer is in-process and always answers. */
  ping(): void {
    if (this.conn !== undefined) this.conn.alive = true;
  }
  close(): void {
    if (this.readyState === this.CLOSED) return;
    this.readyState = this.CLOSED;
    for (const l of this.closeListeners.splice(0)) l();
  }
  terminate(): void {
    this.close();
  }
  once(event: string, listener: () => void): void {
    if (event !== "close") return;
    if (this.readyState === this.CLOSED) listener();
    else this.closeListeners.push(listener);
  }
}

/** What the tabs of one `liveTest` share: the handler and whether the test made it. */
class TestServer<S> {
  private nextConn = 0;
  readonly tabs = new Set<LivePage<S>>();
  constructor(
    readonly handler: LiveHandler<S>,
    readonly internals: HandlerInternals,
    readonly owned: boolean,
  ) {}
  connectionId(): string {
    return `t${++this.nextConn}`;
  }
}

/**
 * One tab of a live page, connected in-process. Every action method resolves once the server's
 * reply has been applied to the tab's tree (and pushed to the group's other tabs).
 */
export class LivePage<S = unknown> {
  private readonly tree = new TreeState();
  private readonly conn: LiveConnection;
  private readonly socket: MemorySocket;
  private readonly received: ReceivedMessage[] = [];
  private last: ReceivedMessage | undefined;
  private lastErrors: Record<string, string> = {};
  private lastProtocolError: ErrorMessage | undefined;
  private inFlight = 0;
  private dom: DomElement | undefined;
  private readonly context: ConnectContext;

  /** @internal use {@link liveTest}, {@link LivePage.tab} or {@link LivePage.user} */
  constructor(
    private readonly server: TestServer<S>,
    readonly groupId: string,
    readonly userId: string,
    private url: string,
    private readonly headers: Record<string, string>,
  ) {
    this.socket = new MemorySocket((payload) => this.receive(payload));
    const request = { url, headers, method: "GET" };
    this.conn = new LiveConnection(
      server.connectionId(),
      groupId,
      userId,
      this.socket as unknown as WebSocket,
      request,
      Number.MAX_SAFE_INTEGER,
      false,
      () => {},
    );
    this.socket.conn = this.conn;
    this.context = { connectionId: this.conn.id, userId, groupId, request: { url, headers } };
    this.socket.once("close", () => {
      if (this.conn.closed) return;
      this.conn.closed = true;
      this.server.tabs.delete(this);
      void this.engine.dispatch(this.conn.groupId, { kind: "disconnect", context: this.context }, { kind: "live", member: this.conn });
    });
  }

  private get engine(): HandlerInternals["engine"] {
    return this.server.internals.engine;
  }

  /** @internal connects the tab: mount, onConnect, the first full tree. */
  async open(): Promise<this> {
    this.server.tabs.add(this);
    await this.engine.dispatch(this.groupId, { kind: "connect", query: queryOf(this.url), context: this.context }, { kind: "live", member: this.conn });
    if (!this.tree.ready) throw new Error(`the page did not render: ${JSON.stringify(this.last?.message ?? null)}`);
    return this;
  }

  private receive(payload: Buffer): void {
    const message = JSON.parse(payload.toString("utf8")) as ServerMessage;
    const r: ReceivedMessage = { message, bytes: payload.length };
    this.received.push(r);
    if (this.received.length > 1000) this.received.splice(0, 500);
    this.last = r;
    if (isErrorMessage(message)) {
      this.lastProtocolError = message;
      return;
    }
    if (!("tree" in message)) return;
    const m = message as TreeMessage;
    this.tree.apply(m.tree);
    this.dom = undefined;
    if (m.meta.action !== undefined) {
      this.lastErrors = m.meta.errors;
      this.lastProtocolError = undefined;
    }
  }

  // ------------------------------------------------------------------ reading

  /** The live part of the page (the wrapper's inner HTML), as the browser client shows it. */
  html(): string {
    return this.tree.render();
  }

  /** Every element matching a CSS selector (see `selector.ts` for what is supported). */
  find(selector: string): FoundElement[] {
    this.dom ??= parseHtml(this.html());
    return select(this.dom, selector).map(found);
  }

  /** The text of the first element matching `selector`; throws when there is none. */
  text(selector: string): string {
    return found(this.one(selector, "text")).text;
  }

  /** The last message this tab received (a reply or a push), with its byte size. */
  lastReply(): ReceivedMessage | undefined {
    return this.last;
  }

  /** Every message received since the last call (at most the latest 1000). */
  takeMessages(): ReceivedMessage[] {
    return this.received.splice(0);
  }

  /**
   * The errors of the tab's latest action reply (`meta.errors`: field names, `_general`,
   * `_rate_limit`); `{}` when it succeeded.
   */
  errors(): Readonly<Record<string, string>> {
    return this.lastErrors;
  }

  /** The error envelope of the latest action when it got one (unknown action, malformed message). */
  protocolError(): ErrorMessage | undefined {
    return this.lastProtocolError;
  }

  /**
   * The group's flash messages by kind (`ctx.flash(kind, message)`), as `.lvt.Flash` reads them
   * now; with `kind`, that one message or `""`.
   */
  flash(): Readonly<Record<string, string>>;
  flash(kind: string): string;
  flash(kind?: string): Readonly<Record<string, string>> | string {
    const all = flashes.view(this.conn.groupId);
    return kind === undefined ? all : Object.prototype.hasOwnProperty.call(all, kind) ? all[kind]! : "";
  }

  /**
   * The group's state as store code sees it, typed by the stores given to `liveTest` or
   * `handle<S>`: the store itself, or the stores by name for `namedStores`. For reading in
   * assertions; a change made through it reaches the page only with a broadcast or `send()`.
   */
  state(): S {
    const s = this.engine.stateOf(this.conn.groupId);
    if (s === undefined) throw new Error("the tab's session group is not in memory");
    return s as S;
  }

  /** Actions sent whose reply has not arrived yet (the client's pending state). */
  get pending(): number {
    return this.inFlight;
  }

  /** True once the tab is closed (by {@link close} or by the server). */
  get closed(): boolean {
    return this.conn.closed;
  }

  /**
   * Resolves once `check()` is true, checking after every turn of the event loop; rejects after
   * `timeoutMs` (default 2000). For changes that reach the tab later than the action's reply:
   * broadcasts the application schedules, timers, `send()` from other code.
   */
  async waitFor(check: () => boolean, timeoutMs = 2000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > until) throw new Error(`waitFor: still false after ${timeoutMs} ms; the page is\n${this.html()}`);
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  // ------------------------------------------------------------------ acting

  /** Clicks the first element matching `selector`: the action its `lvt-click` (or an ancestor's) names. */
  click(selector: string): Promise<ServerMessage> {
    return this.fire("click", this.one(selector, "click"), {});
  }

  /**
   * Submits a form: `selector` names the form or one of its submit buttons (which then is the
   * submitter). `fields` are the values the user typed or ticked, by field name; other fields keep
   * the values the page shows.
   */
  submit(selector: string, fields: Payload = {}): Promise<ServerMessage> {
    const el = this.one(selector, "submit");
    const form = el.tag === "form" ? el : formOf(el);
    if (form === undefined) throw new Error(`"${selector}" is neither a form nor inside one`);
    return this.fire("submit", form, { values: fields, submitter: el === form ? undefined : el });
  }

  /** A change event on the element (or form) matching `selector`, with the new field values. */
  change(selector: string, fields: Payload = {}): Promise<ServerMessage> {
    return this.fire("change", this.one(selector, "change"), { values: fields });
  }

  /** An input event on the element matching `selector`, with the new field values. */
  input(selector: string, fields: Payload = {}): Promise<ServerMessage> {
    return this.fire("input", this.one(selector, "input"), { values: fields });
  }

  /**
   * A key released on the element matching `selector`: `key` as `KeyboardEvent.key` ("Enter"),
   * or a chord ("Mod+Enter"). An `lvt-key` filter that does not match sends nothing (resolves
   * with `undefined`).
   */
  keyup(selector: string, key: string, fields: Payload = {}): Promise<ServerMessage | undefined> {
    const el = this.one(selector, "keyup");
    const a = eventAction("keyup", el, { values: fields, key });
    return a === undefined ? Promise.resolve(undefined) : this.send(a.action, a.data);
  }

  /** What the client would send for the hook `pushEvent(action, data)`: an ordinary action. */
  pushEvent(action: string, data: Payload = {}): Promise<ServerMessage> {
    return this.send(action, data);
  }

  /**
   * In-page navigation to another query of this page (`__navigate__`): `mount` runs with the new
   * query and the tab gets the full tree; the group's other tabs see the state mount changed.
   */
  async navigate(url: string): Promise<ServerMessage> {
    this.url = url;
    return this.send(ACTION_NAVIGATE, { ...queryOf(url) });
  }

  /**
   * Sends a raw client message, checked as the WebSocket transport checks it: a malformed one
   * gets the `LT_ERR_PROTOCOL_MALFORMED` envelope, `__ping__` the pong.
   */
  async send(action: string, data: Payload = {}, submitter?: string): Promise<ServerMessage> {
    if (this.conn.closed) throw new Error("the tab is closed");
    // Through JSON, as over the wire: what cannot be sent (functions, Dates) arrives as the client's would.
    const wire: unknown = JSON.parse(JSON.stringify({ action, data, ...(submitter !== undefined ? { submitter } : {}) }));
    const msg = validateMessage(wire);
    if (typeof msg === "string") return this.local(errorMessage("LT_ERR_PROTOCOL_MALFORMED", msg));
    if (msg.action === ACTION_PING) return this.local({ pong: true });
    const event =
      msg.action === ACTION_NAVIGATE
        ? ({ kind: "navigate", query: stringValues(msg.data) } as const)
        : ({ kind: "action", action: msg.action, data: msg.data, submitter: msg.submitter } as const);
    this.inFlight++;
    try {
      const reply = await this.engine.dispatch(this.conn.groupId, event, { kind: "live", member: this.conn });
      if (reply.kind !== "message") throw new Error(`the server did not reply to "${action}"`);
      return reply.message;
    } finally {
      this.inFlight--;
    }
  }

  private local(message: ServerMessage): ServerMessage {
    this.conn.send(message);
    return message;
  }

  private fire(type: string, el: DomElement, opts: { values?: Payload; submitter?: DomElement | undefined }): Promise<ServerMessage> {
    const a: ClientAction | undefined = eventAction(type, el, opts);
    if (a === undefined) throw new Error(`nothing handles ${type} on <${el.tag}> or its ancestors (no lvt-${type} / lvt-on:${type})`);
    return this.send(a.action, a.data, a.submitter);
  }

  private one(selector: string, what: string): DomElement {
    this.dom ??= parseHtml(this.html());
    const el = select(this.dom, selector)[0];
    if (el === undefined) throw new Error(`${what}: no element matches "${selector}" in\n${this.html()}`);
    return el;
  }

  // ------------------------------------------------------------------ more tabs

  /** A second tab of the same session group (same user): it sees every change this one makes. */
  tab(url: string = this.url): Promise<LivePage<S>> {
    return new LivePage<S>(this.server, this.conn.groupId, this.userId, url, this.headers).open();
  }

  /** A tab of another session (a new group) for user `id`: another browser. */
  user(id: string, url: string = this.url): Promise<LivePage<S>> {
    return new LivePage<S>(this.server, newGroupId(), id, url, this.headers).open();
  }

  /** The handler the page runs on (for `handler.broadcast(...)` and `handler.metrics()`). */
  get handler(): LiveHandler<S> {
    return this.server.handler;
  }

  /** Closes this tab (its `onDisconnect` runs); resolves when the server has handled it. */
  async closeTab(): Promise<void> {
    if (this.conn.closed) return;
    this.conn.closed = true;
    this.server.tabs.delete(this);
    this.socket.close();
    await this.engine.dispatch(this.conn.groupId, { kind: "disconnect", context: this.context }, { kind: "live", member: this.conn });
  }

  /** Closes every tab of this test, and the handler when `liveTest` built it from a template. */
  async close(): Promise<void> {
    for (const t of [...this.server.tabs]) await t.closeTab();
    if (this.server.owned) await this.server.handler.close();
  }
}

function newGroupId(): string {
  return `test-${process.pid}-${++nextGroup}`;
}

function queryOf(url: string): Record<string, string> {
  const q: Record<string, string> = {};
  for (const [k, v] of new URL(url, "http://test").searchParams) q[k] = v;
  return q;
}

function found(el: DomElement): FoundElement {
  const attrs = Object.fromEntries(el.attrs);
  return { tag: el.tag, text: textOf(el).replace(/\s+/g, " ").trim(), attrs, attr: (name) => el.attrs.get(name.toLowerCase()) };
}

/**
 * Mounts a live page in-process and returns its first tab, connected: no port, no socket, no
 * browser. Pass a handler (`tmpl.handle(...)`, so `handler.broadcast` in the application reaches
 * the test's tabs) or a template and its stores.
 *
 * @example
 * ```ts
 * const page = await liveTest(tmpl, Counter);
 * await page.click("button[lvt-click=increment]");
 * expect(page.text("output")).toBe("1");
 * await page.close();
 * ```
 */
export function liveTest<S>(handler: LiveHandler<S>, options?: LiveTestOptions): Promise<LivePage<S>>;
export function liveTest<S extends object>(
  template: HandleableTemplate,
  stores: StoreSource<S> | NamedStores<S>,
  options?: LiveTestOptions,
): Promise<LivePage<S>>;
export async function liveTest(
  source: LiveHandler<unknown> | HandleableTemplate,
  storesOrOptions?: StoreSource | NamedStores | LiveTestOptions,
  maybeOptions?: LiveTestOptions,
): Promise<LivePage<unknown>> {
  let handler: LiveHandler<unknown>;
  let options: LiveTestOptions;
  let owned = false;
  if (internalsOf(source) !== undefined) {
    handler = source as LiveHandler<unknown>;
    options = (storesOrOptions as LiveTestOptions | undefined) ?? {};
  } else {
    if (storesOrOptions === undefined) throw new TypeError("liveTest(template, stores): the stores are missing");
    options = maybeOptions ?? {};
    handler = (source as HandleableTemplate).handle(storesOrOptions as StoreSource | NamedStores, { heartbeatMs: 0, ...options.handler });
    owned = true;
  }
  const internals = internalsOf(handler);
  if (internals === undefined) throw new TypeError("liveTest: expected a live handler or a template");
  const server = new TestServer<unknown>(handler, internals, owned);
  // In dev mode a tab is a page that loaded the dev overlay: it asks for `meta.dev` as one does.
  const headers = internals.options.dev ? { cookie: `${DEV_COOKIE}=1`, ...options.headers } : (options.headers ?? {});
  return new LivePage<unknown>(server, newGroupId(), options.userId ?? "", options.url ?? "/", headers).open();
}
