/**
 * A small room page for the topics tests: the room comes from the query, every connection is
 * tracked under its user id, messages are published to the room's topic. The user is the
 * `x-user` header and the session group the `x-group` header (default: one group per user).
 */
import type { IncomingMessage } from "node:http";
import WebSocket from "ws";
import { TreeRenderer } from "@livetemplate/client/dist/state/tree-renderer.js";
import { createLogger } from "@livetemplate/client/dist/utils/logger.js";
import { Template } from "../../src/live/template.js";
import type { Authenticator } from "../../src/server/authenticator.js";
import type { LiveHandlerOptions } from "../../src/server/options.js";
import type { ActionContext } from "../../src/session/action-context.js";
import type { ConnectContext, MountContext } from "../../src/session/types.js";
import type { PresenceDiff, TopicContext, TopicControls } from "../../src/topics/types.js";
import { until } from "../redis/cluster.js";

export const ROOM_TEMPLATE =
  '<p id="room">{{.Room}}</p><p id="online">{{range .Online}}{{.}};{{end}}</p><p id="count">{{.Received}}</p><p id="diff">{{.LastDiff}}</p><ul>{{range .Messages}}<li>{{.}}</li>{{end}}</ul>';

export class Room {
  Room = "";
  Online: string[] = [];
  Messages: string[] = [];
  /** Messages received by this group's store (each `onMessage` call). */
  Received = 0;
  /** Every presence diff received, for the tests. */
  Diffs: PresenceDiff[] = [];
  /** The last diff as `joined KEYS left KEYS`. */
  LastDiff = "";

  async mount(ctx: MountContext): Promise<void> {
    this.Room = ctx.query["room"] ?? "lobby";
    await ctx.subscribe(`room:${this.Room}`);
    this.Online = names(ctx, this.Room);
  }

  async onConnect(ctx: ConnectContext & TopicControls): Promise<void> {
    await ctx.track(`room:${this.Room}`, ctx.userId, { name: ctx.userId });
    this.Online = names(ctx, this.Room);
  }

  say(ctx: ActionContext): void {
    ctx.publish(`room:${this.Room}`, { text: ctx.data.getString("text") });
  }

  async join(ctx: ActionContext): Promise<void> {
    await ctx.subscribe(ctx.data.getString("topic"));
  }

  /** Subscribes, tracks, publishes, unsubscribes from the room and untracks itself, then fails. */
  async doThenFail(ctx: ActionContext): Promise<void> {
    await ctx.subscribe("side");
    await ctx.track("side", "ghost", { name: "ghost" }, { scope: "group" });
    await ctx.track(`room:${this.Room}`, ctx.userId, { name: "renamed" });
    ctx.publish(`room:${this.Room}`, { text: "never sent" });
    ctx.unsubscribe(`room:${this.Room}`);
    ctx.untrack(`room:${this.Room}`, ctx.userId);
    this.Messages.push("half done");
    throw new Error("the action fails after its topic calls");
  }

  leave(ctx: ActionContext): void {
    ctx.unsubscribe(`room:${this.Room}`);
  }

  onMessage(_topic: string, event: unknown): void {
    this.Received++;
    this.Messages.push((event as { text: string }).text);
  }

  onPresence(topic: string, diff: PresenceDiff, ctx: TopicContext): void {
    this.Diffs.push(diff);
    this.LastDiff = `joined ${diff.joins.map((e) => e.key).join(",")} left ${diff.leaves.map((e) => e.key).join(",")}`;
    if (topic === `room:${this.Room}`) this.Online = names(ctx, this.Room);
  }
}

function names(ctx: TopicControls, room: string): string[] {
  return ctx.presence(`room:${room}`).map((e) => e.key);
}

export const headerAuth: Authenticator = {
  identify: (req: IncomingMessage) => String(req.headers["x-user"] ?? ""),
  getSessionGroup: (req: IncomingMessage, user: string) => String(req.headers["x-group"] ?? `g-${user}`),
};

/** The room handler with header auth and no rate limit. */
export function roomHandler(options: LiveHandlerOptions = {}) {
  return new Template("room").parse(ROOM_TEMPLATE).handle(Room, {
    authenticator: headerAuth,
    rateLimit: false,
    heartbeatMs: 0,
    clientScript: { inject: false },
    ...options,
  });
}

/** A live tab that renders every update with the published client's renderer. */
export class RoomTab {
  html = "";
  frames = 0;
  readonly replies: Array<{ meta?: { success?: boolean; errors?: Record<string, string> } }> = [];
  private readonly renderer = new TreeRenderer(createLogger({ level: "silent" }));
  private pong = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const msg = JSON.parse(String(data)) as { tree?: Record<string, unknown>; pong?: boolean; meta?: { action?: string } };
      if (msg.pong === true) {
        this.pong++;
        return;
      }
      if (msg.tree !== undefined) this.html = this.renderer.applyUpdate(msg.tree).html;
      if (msg.meta?.action !== undefined) this.replies.push(msg as never);
      this.frames++;
    });
    ws.on("error", () => {});
  }

  static async open(url: string, user: string, group?: string): Promise<RoomTab> {
    const headers: Record<string, string> = { "x-user": user };
    if (group !== undefined) headers["x-group"] = group;
    const ws = new WebSocket(url, { headers });
    const tab = new RoomTab(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    await until(() => tab.frames > 0, "first render");
    return tab;
  }

  get online(): string[] {
    const m = /<p id="online">([^<]*)<\/p>/.exec(this.html)?.[1] ?? "";
    return m.split(";").filter((s) => s !== "");
  }

  get messages(): string[] {
    return [...this.html.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1] ?? "");
  }

  get lastDiff(): string {
    return /<p id="diff">([^<]*)<\/p>/.exec(this.html)?.[1] ?? "";
  }

  get room(): string {
    return /<p id="room">([^<]*)<\/p>/.exec(this.html)?.[1] ?? "";
  }

  send(action: string, data: Record<string, unknown> = {}): void {
    this.ws.send(JSON.stringify({ action, data }));
  }

  /** Sends an action and resolves with its reply. */
  async act(action: string, data: Record<string, unknown> = {}): Promise<{ meta?: { success?: boolean; errors?: Record<string, string> } }> {
    const before = this.replies.length;
    this.send(action, data);
    await until(() => this.replies.length > before, `reply to ${action}`);
    return this.replies[before]!;
  }

  /**
   * Resolves once the server has written everything it queued for this tab before now (a ping
   * is answered after every frame queued ahead of it).
   */
  async settle(): Promise<void> {
    const before = this.pong;
    this.ws.send(JSON.stringify({ action: "__ping__" }));
    await until(() => this.pong > before, "pong");
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((r) => this.ws.once("close", r));
    this.ws.close();
    await closed;
  }
}
