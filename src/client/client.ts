/**
 * One live wrapper: its connection (WebSocket on the page URL, HTTP when that is not possible),
 * its cached tree, and everything that runs after a patch (forms, hooks, infinite scroll).
 */
import { ACTION_PING, ATTR_LOADING, HEADER_WEBSOCKET, STATICS } from "../protocol/wire.js";
import type { ClientMessage, ResponseMeta } from "../protocol/messages.js";
import { attach, detach, scanEventNames } from "./events.js";
import { Forms } from "./forms.js";
import { HookRunner } from "./hooks.js";
import type { Hook } from "./hooks.js";
import { showLoading } from "./loading.js";
import { patch } from "./patch.js";
import type { Payload } from "./payload.js";
import { InfiniteScroll } from "./scroll.js";
import { TreeState } from "./tree.js";

/** Options of {@link connect}; every one has a default. */
export interface ClientOptions {
  /** URL of the live page (HEAD probe, JSON GET/POST, WebSocket). Default: the current URL. */
  url?: string;
  /** Try WebSocket at all. Default `true`; `false` talks HTTP only. */
  websocket?: boolean;
  /** Reconnect a dropped socket. Default `true`. */
  reconnect?: boolean;
  /** First reconnect delay in ms, doubled per attempt, with jitter. Default 500. */
  reconnectDelay?: number;
  /** Longest reconnect delay in ms. Default 15000. */
  reconnectMaxDelay?: number;
  /** Heartbeat interval in ms (`__ping__`); a ping unanswered by the next beat drops the socket. 0 disables. Default 25000, or the wrapper's `data-lvt-heartbeat-ms`. */
  heartbeat?: number;
  /** Hooks for `lvt-hook`, looked up before the global registry. */
  hooks?: Record<string, Hook>;
}

declare const DEV_MODE: boolean;

type Message = { tree?: unknown; meta?: Partial<ResponseMeta>; pong?: unknown; type?: unknown };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/** A connected wrapper; created by {@link connect}. */
export class LiveClient {
  /** The wrapper element (`[data-lvt-id]`). */
  readonly wrapper: HTMLElement;
  private readonly url: string;
  private readonly opts: ClientOptions;
  private readonly tree = new TreeState();
  private readonly forms = new Forms();
  private readonly hookRunner: HookRunner;
  private readonly scroll: InfiniteScroll;
  private ws: WebSocket | null = null;
  private everOpened = false;
  private attempts = 0;
  private retryTimer = 0;
  private beatTimer = 0;
  private awaitingPong = false;
  /** True once this session's HTTP render cache matches our tree (after a JSON GET). */
  private httpSynced = false;
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
    this.hookRunner = new HookRunner(options.hooks, (a, d) => this.act(a, d));
    this.scroll = new InfiniteScroll(wrapper, (a) => this.act(a, {}));
  }

  /** Shows the loading state, probes the server and connects. */
  start(): void {
    if (this.wrapper.hasAttribute(ATTR_LOADING)) this.endLoading = showLoading(this.wrapper);
    attach(this);
    void this.probe();
  }

  /** Closes the connection and stops reacting to events; hooks get `destroyed`. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.beatTimer);
    this.ws?.close();
    this.ws = null;
    this.scroll.stop();
    this.hookRunner.destroyAll();
    detach(this);
  }

  /** Sends an action to the server: over the socket when it is open, else as an HTTP POST. */
  act(action: string, data: Payload, form?: HTMLFormElement, submitter?: HTMLElement | null): void {
    const msg: ClientMessage = { action, data };
    const name = (submitter as HTMLButtonElement | null | undefined)?.name;
    if (name) msg.submitter = name;
    const ws = this.ws;
    const open = ws !== null && ws.readyState === WebSocket.OPEN;
    if (form) this.forms.begin(form, submitter ?? null, msg, !open);
    if (open) ws.send(JSON.stringify(msg));
    else this.http(() => this.post(msg));
  }

  private async probe(): Promise<void> {
    let ws = this.opts.websocket !== false;
    if (ws) {
      try {
        const res = await fetch(this.url, { method: "HEAD", credentials: "same-origin" });
        ws = res.headers.get(HEADER_WEBSOCKET) !== "disabled";
      } catch {
        // A failed probe says nothing about WebSocket; try it.
      }
    }
    if (ws) this.open();
    else this.http(() => this.sync());
  }

  private open(): void {
    if (this.stopped) return;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(new URL(this.url, `${scheme}//${location.host}`).href.replace(/^http/, "ws"));
    this.ws = ws;
    ws.onopen = () => {
      this.epoch++;
      this.everOpened = true;
      this.attempts = 0;
      // The server starts every connection with a full tree.
      this.tree.reset();
      this.httpSynced = false;
      this.beat();
    };
    ws.onmessage = (e) => {
      this.awaitingPong = false;
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
    if (this.opts.reconnect === false) return;
    const base = this.opts.reconnectDelay ?? 500;
    const max = this.opts.reconnectMaxDelay ?? 15_000;
    const delay = Math.min(max, base * 2 ** this.attempts++);
    // Jitter spreads the reconnects of many tabs after a server restart.
    this.retryTimer = window.setTimeout(() => this.open(), delay / 2 + (Math.random() * delay) / 2);
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

  private async request(method: string, body?: ClientMessage): Promise<Message> {
    const init: RequestInit = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body) {
      init.headers = { Accept: "application/json", "Content-Type": "application/json" };
      init.body = JSON.stringify(body);
    }
    const res = await fetch(this.url, init);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return (await res.json()) as Message;
  }

  /** JSON GET: a full tree, which also resets the server's HTTP diff base for this session. */
  private async sync(): Promise<void> {
    const epoch = this.epoch;
    try {
      const msg = await this.request("GET");
      if (epoch !== this.epoch) return;
      this.tree.reset();
      this.httpSynced = true;
      this.receive(msg, undefined);
    } catch {
      this.setConnected(false, "http");
    }
  }

  private async post(msg: ClientMessage): Promise<void> {
    try {
      const epoch = this.epoch;
      if (!this.httpSynced) await this.sync();
      const reply = await this.request("POST", msg);
      // A socket opened meanwhile has sent a full tree that this diff is not relative to; the
      // socket also carries the action's effect, so only the reply's metadata is used.
      if (epoch !== this.epoch) reply.tree = {};
      this.receive(reply, msg.action);
    } catch {
      this.httpSynced = false;
      this.forms.settle(msg.action, { success: false, errors: { _general: "request failed" } });
      this.scroll.settle(msg.action);
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
    const msg = raw as Message;
    if (msg.type === "error") {
      this.emit("lvt:error", msg);
      return;
    }
    if (!isObject(msg.tree)) return;
    const first = !this.tree.ready;
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
    }
    if (first && usable) {
      this.wrapper.removeAttribute(ATTR_LOADING);
      this.endLoading?.();
      this.endLoading = null;
      this.setConnected(true, this.ws ? "websocket" : "http");
    }
    const meta = msg.meta;
    const name = meta?.action ?? action;
    this.forms.settle(name, meta);
    this.scroll.settle(name);
    this.emit("lvt:updated", { action: name, success: meta?.success ?? true, meta });
  }
}
