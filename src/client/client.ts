/**
 * One live wrapper: its connection (WebSocket on the page URL, HTTP when that is not possible),
 * its cached tree, and everything that runs after a patch (forms, hooks, infinite scroll).
 */
import {
  ACTION_LOAD_MORE,
  ACTION_NAVIGATE,
  ACTION_PING,
  ATTR_LOADING,
  ATTR_WRAPPER_ID,
  CAPABILITY_NAV,
  CAPABILITY_ROWS,
  CAPABILITY_QUERY,
  ERROR_GENERAL,
  HEADER_ACTION_IDS,
  HEADER_RENDER,
  HEADER_WEBSOCKET,
  STATICS,
  UPLOAD_NAME,
} from "../protocol/wire.js";
import type { ClientMessage } from "../protocol/messages.js";
import { HEADER_UPLOAD } from "../protocol/uploads.js";
import { loadChunk } from "./chunks.js";
import { attach, detach, scanEventNames, wantCommands, wantFx, wantUploads } from "./events.js";
import type { FxChunk } from "./fx/api.js";
import { Forms } from "./forms.js";
import { HookRunner } from "./hooks.js";
import { isObject } from "./options.js";
import type { ClientOptions, ErrorDetail, Message } from "./options.js";
import { InFlight, showLoading } from "./loading.js";
import { fetchPage, listenForNavigation, pushEntry, swapWrapper } from "./navigation.js";
import { patch } from "./patch.js";
import { commands, fire } from "./pushed.js";
import type { Payload } from "./payload.js";
import { InfiniteScroll } from "./scroll.js";
import { TreeState } from "./tree.js";
import type { UploadChunk } from "./upload/api.js";

declare const DEV_MODE: boolean;

/** Thrown by a request that did not reach the server (network error, or a gateway's 5xx page). */
const UNREACHABLE = new Error("unreachable");

/** The connected wrappers (see `connect`). */
export const clients = new Map<HTMLElement, LiveClient>();

/** The upload chunk, once a page with an `lvt-upload*` attribute has loaded it. */
let uploads: UploadChunk | undefined;

/** The `push` command: an action sent from `el` by its wrapper's client, with `el`'s loading state. */
const actFrom = (el: Element, action: string, data: Payload): void =>
  clients.get(el.closest<HTMLElement>(`[${ATTR_WRAPPER_ID}]`)!)?.act(action, data, undefined, null, el, "push");

/** A connected wrapper; created by {@link connect}. */
export class LiveClient {
  /** The wrapper element (`[data-lvt-id]`). */
  readonly wrapper: HTMLElement;
  /** Path and query of the page this client is live on (changes with navigation). */
  private url: string;
  /** Where to scroll once the next tree is applied (a navigation's). */
  private scrollAfter: number | null = null;
  private readonly opts: ClientOptions;
  private readonly tree = new TreeState();
  private readonly forms = new Forms();
  private readonly flight = new InFlight();
  private readonly hookRunner: HookRunner;
  private readonly scroll: InfiniteScroll;
  private ws: WebSocket | null = null;
  private everOpened = false;
  private attempts = 0;
  private retryTimer = 0;
  private beatTimer = 0;
  private awaitingPong = false;
  /** Id of the HTTP render our tree is ("" when it came over the socket); the server diffs only against it. */
  private render = "";
  /** Whether the server remembers action ids (it sent `X-LiveTemplate-Action-Ids`): only then is an action resent. */
  private ids = false;
  private readonly idPrefix = Math.random().toString(36).slice(2, 10);
  private seq = 0;
  /** Actions waiting to be handed to a transport: new ones, and unsent ones waiting for the server. */
  private outbox: ClientMessage[] = [];
  private readonly reported = new WeakSet<ClientMessage>();
  private resendTimer = 0;
  private resends = 0;
  private unreachable = false;
  private httpQueue: Promise<void> = Promise.resolve();
  /** Counts sockets opened; an HTTP reply from before the latest full tree must not be merged. */
  private epoch = 0;
  private stopped = false;
  private endLoading: (() => void) | null = null;
  private connected: boolean | null = null;

  constructor(wrapper: HTMLElement, options: ClientOptions = {}) {
    this.wrapper = wrapper;
    this.opts = options;
    this.url = options.url ?? location.pathname + location.search;
    this.hookRunner = new HookRunner(options.hooks, (a, d, done) => this.act(a, d, undefined, null, undefined, undefined, done));
    this.scroll = new InfiniteScroll(wrapper, (a) => this.act(a, {}));
  }

  /** Shows the loading state, probes the server and connects. */
  start(): void {
    if (this.wrapper.hasAttribute(ATTR_LOADING)) this.endLoading = showLoading(this.wrapper);
    attach(this);
    listenForNavigation(clients);
    void this.probe();
  }

  /** Closes the connection and stops reacting to events; hooks get `destroyed`. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.resendTimer);
    clearInterval(this.beatTimer);
    this.ws?.close();
    this.ws = null;
    this.scroll.stop();
    this.hookRunner.destroyAll();
    detach(this);
  }

  /**
   * Shows `href` live: the same page with another query is asked for with `__navigate__` on the
   * open connection; another live page is fetched and swapped in, with a new connection for it
   * (this client stops); anything else is loaded by the browser. `push` adds a history entry;
   * `scroll` is where to scroll afterwards (the top, or a remembered position on back/forward).
   */
  async go(href: string, push: boolean, scroll = 0): Promise<void> {
    const to = new URL(href, location.href);
    const here = new URL(this.url, location.href);
    const path = to.pathname + to.search;
    if (to.pathname === here.pathname) {
      if (to.search === here.search) return;
      if (push) pushEntry(path + to.hash);
      this.url = path;
      this.scrollAfter = scroll;
      this.act(ACTION_NAVIGATE, Object.fromEntries(to.searchParams));
      return;
    }
    const doc = await fetchPage(to.href);
    if (!doc || this.stopped) return void location.assign(to.href);
    if (push) pushEntry(path + to.hash);
    this.stop();
    clients.delete(this.wrapper);
    swapWrapper(this.wrapper, doc);
    scrollTo(0, scroll);
    const next = new LiveClient(this.wrapper, { ...this.opts, url: path });
    clients.set(this.wrapper, next);
    next.start();
  }

  /**
   * Sends an action to the server: over the socket when it is open, else as an HTTP POST. When
   * the server remembers action ids, the action carries one, and an action the server could not be
   * reached for is kept and sent again (same id, so it runs at most once) when it answers again.
   */
  act(
    action: string,
    data: Payload,
    form?: HTMLFormElement,
    submitter?: HTMLElement | null,
    el?: Element,
    type?: string,
    done?: Parameters<InFlight["begin"]>[3],
  ): void {
    // The reply to a navigation names no action: it settles nothing.
    if (action !== ACTION_NAVIGATE) this.flight.begin(action, el, type, done, !this.open());
    const msg: ClientMessage = { action, data };
    const name = (submitter as HTMLButtonElement | null | undefined)?.name;
    if (name) msg.submitter = name;
    if (this.ids) msg.id = `${this.idPrefix}.${++this.seq}`;
    if (form) this.forms.begin(form, submitter ?? null, msg, !this.open());
    this.outbox.push(msg);
    this.flush();
  }

  private open(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** The socket while it is open (for the upload chunk's binary frames). */
  sock(): WebSocket | null {
    return this.open() ? this.ws : null;
  }

  /** An upload's HTTP request (see `UploadHost.upload`): in the HTTP queue, its reply handled as any other. */
  upload(body: object | FormData, kind: string): Promise<Message> {
    return new Promise((ok, fail) =>
      this.http(async () => {
        try {
          const [msg, render] = await this.request("POST", body as ClientMessage, kind);
          this.receive(msg, undefined);
          if (isObject(msg.tree)) this.render = render;
          ok(msg);
        } catch (e) {
          fail(e);
        }
      }),
    );
  }

  /** Hands every waiting action to a transport, in order. */
  private flush(): void {
    clearTimeout(this.resendTimer);
    this.resendTimer = 0;
    const waiting = this.outbox;
    this.outbox = [];
    for (const msg of waiting) {
      if (this.open()) this.ws?.send(JSON.stringify(msg));
      else this.http(() => this.post(msg));
    }
  }

  /** Delay before retry `n` (ms): doubling from `reconnectDelay` up to `reconnectMaxDelay`, half of it random. */
  private backoff(n: number): number {
    const d = Math.min(this.opts.reconnectMaxDelay ?? 15_000, (this.opts.reconnectDelay ?? 500) * 2 ** n);
    return d / 2 + (Math.random() * d) / 2;
  }

  private async probe(): Promise<void> {
    let ws = this.opts.websocket !== false;
    if (ws) {
      try {
        const res = await fetch(this.url, { method: "HEAD", credentials: "same-origin" });
        this.ids = res.headers.has(HEADER_ACTION_IDS);
        ws = res.headers.get(HEADER_WEBSOCKET) !== "disabled";
      } catch {
        // A failed probe says nothing about WebSocket; try it.
      }
    }
    if (ws) this.connect();
    else this.http(() => this.sync());
  }

  private connect(): void {
    if (this.stopped) return;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const u = new URL(this.url, `${scheme}//${location.host}`);
    // Asks for what the published client does not know: `__navigate__` answered with a diff,
    // and full trees with compact range items.
    u.searchParams.set(CAPABILITY_QUERY, `${CAPABILITY_NAV},${CAPABILITY_ROWS}`);
    const ws = new WebSocket(u.href.replace(/^http/, "ws"));
    this.ws = ws;
    ws.onopen = () => {
      this.epoch++;
      this.everOpened = true;
      this.attempts = 0;
      // The server starts every connection with a full tree.
      this.tree.reset();
      this.render = "";
      this.beat();
    };
    ws.onmessage = (e) => {
      this.awaitingPong = false;
      // Whatever came over the socket, our tree is no longer an HTTP render.
      this.render = "";
      let msg: unknown;
      try {
        msg = JSON.parse(String(e.data));
      } catch (err) {
        if (DEV_MODE) console.warn("livetemplate: unreadable message", e.data, err);
        return;
      }
      this.receive(msg, undefined);
    };
    ws.onclose = () => this.closed(ws);
  }

  private closed(ws: WebSocket): void {
    if (this.ws !== ws) return;
    ws.onclose = ws.onmessage = ws.onopen = null;
    this.ws = null;
    clearInterval(this.beatTimer);
    if (this.stopped) return;
    if (!this.everOpened) {
      // WebSocket never worked here (proxy, server option): live over HTTP instead.
      this.http(() => this.sync());
      return;
    }
    this.setConnected(false, "websocket");
    this.forms.failAll("connection lost", true);
    this.flight.failAll("connection lost");
    if (this.opts.reconnect === false) return;
    // Jitter spreads the reconnects of many tabs after a server restart.
    this.retryTimer = window.setTimeout(() => this.connect(), this.backoff(this.attempts++));
  }

  private beat(): void {
    const attr = this.wrapper.getAttribute("data-lvt-heartbeat-ms");
    const ms = this.opts.heartbeat ?? (attr !== null && /^\d+$/.test(attr) ? Number(attr) : 25_000);
    clearInterval(this.beatTimer);
    this.awaitingPong = false;
    if (ms <= 0) return;
    this.beatTimer = window.setInterval(() => {
      const ws = this.ws;
      if (!ws || ws.readyState !== WebSocket.OPEN) return;
      if (this.awaitingPong) {
        // Nothing heard since the last ping: the socket is dead even if the browser has not noticed.
        ws.close();
        this.closed(ws);
        return;
      }
      this.awaitingPong = true;
      ws.send(JSON.stringify({ action: ACTION_PING }));
    }, ms);
  }

  /** Runs HTTP exchanges one after another: each POST diff is relative to the previous reply. */
  private http(task: () => Promise<void>): void {
    this.httpQueue = this.httpQueue.then(task, task);
  }

  /**
   * One JSON exchange. Resolves with the server's message (an error envelope too, whatever the
   * status) and the render id of its tree; throws {@link UNREACHABLE} when the server could not be
   * reached, another error when it answered without a message.
   */
  private async request(method: string, body?: ClientMessage | FormData, upload?: string): Promise<[Message, string]> {
    const headers: Record<string, string> = { Accept: "application/json" };
    const init: RequestInit = { method, credentials: "same-origin", headers };
    if (upload) headers[HEADER_UPLOAD] = upload;
    if (body) {
      headers[HEADER_RENDER] = this.render;
      // A multipart body sets its own Content-Type (with the boundary).
      if (body instanceof FormData) init.body = body;
      else {
        headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
      }
    }
    let res: Response;
    try {
      res = await fetch(this.url, init);
    } catch {
      throw UNREACHABLE;
    }
    if (res.headers.has(HEADER_ACTION_IDS)) this.ids = true;
    const msg: unknown = await res.json().catch(() => null);
    // A gateway's error page during a deploy says nothing about the action: try again later.
    if (!isObject(msg)) throw res.status >= 500 ? UNREACHABLE : new Error(`HTTP ${res.status}`);
    return [msg, res.headers.get(HEADER_RENDER) ?? ""];
  }

  /** JSON GET: a full tree (the first one when living over HTTP). */
  private async sync(): Promise<void> {
    const epoch = this.epoch;
    try {
      const [msg, render] = await this.request("GET");
      if (epoch !== this.epoch) return;
      this.tree.reset();
      this.receive(msg, undefined);
      this.render = render;
    } catch {
      this.setConnected(false, "http");
    }
  }

  private async post(msg: ClientMessage): Promise<void> {
    const epoch = this.epoch;
    let reply: Message;
    let render: string;
    try {
      [reply, render] = await this.request("POST", msg);
    } catch (err) {
      if (err === UNREACHABLE) this.unsent(msg);
      else this.settle(msg.action, String(err));
      return;
    }
    // A socket opened meanwhile has sent a full tree that this diff is not relative to; the
    // socket also carries the action's effect, so only the reply's metadata is used.
    const stale = epoch !== this.epoch;
    if (stale && isObject(reply.tree)) reply.tree = {};
    this.receive(reply, msg.action);
    if (!stale && isObject(reply.tree)) this.render = render;
    this.resends = 0;
    if (this.unreachable) {
      this.unreachable = false;
      this.setConnected(true, "http");
    }
    if (this.outbox.length > 0) this.flush();
  }

  /**
   * An action that did not reach the server: reported with `lvt:error`, then kept for a retry
   * when the server remembers ids (a retry cannot run it twice), else given up.
   */
  private unsent(msg: ClientMessage): void {
    this.unreachable = true;
    this.setConnected(false, "http");
    // A lost load_more is sent again by the sentinel itself.
    const queued = msg.id !== undefined && msg.action !== ACTION_LOAD_MORE;
    if (!this.reported.has(msg)) {
      this.reported.add(msg);
      const message = `"${msg.action}" was not sent: the server is unreachable` + (queued ? "; it is sent once the server answers again" : "");
      this.error({ type: "error", code: "LT_ERR_CLIENT_UNREACHABLE", message, action: msg.action, queued });
    }
    if (!queued) {
      this.settle(msg.action, "the server is unreachable");
      return;
    }
    this.outbox.push(msg);
    if (this.resendTimer === 0) this.resendTimer = window.setTimeout(() => this.flush(), this.backoff(this.resends++));
  }

  /** Ends a form or load_more that will get no reply. */
  private settle(action: string, reason: string): void {
    const meta = { success: false, errors: { [ERROR_GENERAL]: reason } };
    this.forms.settle(action, meta);
    this.flight.end(action, meta);
    this.scroll.settle(action);
  }

  /** Emits `lvt:error` on the wrapper; logs it to the console unless a listener called `preventDefault()`. */
  private error(detail: ErrorDetail): void {
    if (this.wrapper.dispatchEvent(new CustomEvent("lvt:error", { bubbles: true, cancelable: true, detail }))) {
      console.error(`livetemplate: ${detail.code}: ${detail.message}`);
    }
  }

  private setConnected(up: boolean, transport: "websocket" | "http"): void {
    if (this.connected === up) return;
    this.connected = up;
    const c = this.wrapper.classList;
    c.toggle("lvt-connected", up);
    c.toggle("lvt-disconnected", !up);
    this.emit(up ? "lvt:connected" : "lvt:disconnected", { transport });
  }

  private emit(name: string, detail: unknown): void {
    this.wrapper.dispatchEvent(new CustomEvent(name, { bubbles: true, detail }));
  }

  /** Handles one server message; `action` names the request for HTTP replies. */
  private receive(raw: unknown, action: string | undefined): void {
    if (!isObject(raw) || raw["pong"]) return;
    if (UPLOAD_NAME in raw) return void uploads?.receive(raw, this);
    const msg = raw as Message;
    if (msg.type === "error") {
      const detail: ErrorDetail = { type: "error", code: String(msg.code), message: String(msg.message ?? "") };
      if (action !== undefined) detail.action = action;
      this.error(detail);
      // Over HTTP the envelope is the action's reply; over the socket it cannot be matched to one.
      if (action !== undefined) this.settle(action, detail.message);
      return;
    }
    if (!isObject(msg.tree)) return;
    const first = !this.tree.ready;
    // A full tree (statics at the root) replaces whatever we hold.
    if (STATICS in msg.tree) this.tree.reset();
    // Before a full tree (statics included) there is nothing a diff could be merged into.
    const usable = !first || STATICS in msg.tree;
    const rows = usable ? this.tree.apply(msg.tree) : null;
    if (usable && (first || Object.keys(msg.tree).length > 0)) {
      const changed = patch(this.wrapper, () => {
        const html = this.tree.render();
        scanEventNames(html);
        return html;
      }, rows);
      if (rows) for (const h of rows.values()) if (h) scanEventNames(h);
      this.forms.reapply();
      this.hookRunner.sync(this.wrapper, changed);
      this.scroll.refresh();
      if (wantCommands) void commands(this.url, actFrom).then((c) => c.scan(this.wrapper));
      if (wantUploads) void loadChunk<UploadChunk>("upload", this.url).then((u) => (uploads = u).scan(this));
      if (wantFx) void loadChunk<FxChunk>("fx", this.url).then((f) => f.run(this.wrapper));
    }
    // Also after an empty diff (the navigation changed nothing on the page).
    if (usable && this.scrollAfter !== null) {
      scrollTo(0, this.scrollAfter);
      this.scrollAfter = null;
    }
    if (first && usable) {
      this.wrapper.removeAttribute(ATTR_LOADING);
      this.endLoading?.();
      this.endLoading = null;
      this.setConnected(true, this.ws ? "websocket" : "http");
      // Back after an outage: what waited for the server goes out now.
      if (this.outbox.length > 0) this.flush();
    }
    const meta = msg.meta;
    const name = meta?.action ?? action;
    this.forms.settle(name, meta);
    this.scroll.settle(name);
    this.flight.end(name, meta ?? {});
    this.emit("lvt:updated", { action: name, success: meta?.success ?? true, meta });
    for (const e of meta?.events ?? []) fire(e, this.hookRunner, () => commands(this.url, actFrom));
    const nav = meta?.navigation;
    if (nav?.kind === "redirect") location.assign(nav.to);
    else if (nav?.kind === "navigate") void this.go(nav.to, true);
    else if (nav) {
      // A patch: the server has already mounted the new query; only the URL follows.
      const to = new URL(nav.to, location.href);
      this.url = to.pathname + to.search;
      pushEntry(this.url);
    }
  }
}
