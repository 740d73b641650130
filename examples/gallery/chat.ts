/**
 * The chat demo: one room shared by every session group, a per-group display name, and presence.
 *
 * Each session group (a browser) has its own {@link ChatSession} store holding its name; all of
 * them point at the same {@link ChatRoom}. A change to the room is visible to every group only
 * after a re-render, so the room calls `notify` (wired to `handler.broadcast()` by app.ts) after
 * each change, saying what changed. Presence uses the BroadcastAware hooks: every live connection
 * joins the room in `onConnect` and leaves in `onDisconnect`.
 *
 * A presence change re-renders every group, so pushing each one at once makes N joins cost N²/2
 * pushes; app.ts therefore sends presence at most once per interval (messages go at once).
 *
 * Input errors are state (`Errors`), not thrown, so they render next to the inputs for every
 * client including plain HTML forms (see todos.ts).
 *
 * The room lives in this process's memory; several instances would need it in a shared store.
 */
import type { ActionContext, ConnectContext } from "livetemplate";

export interface ChatMessage {
  ID: number;
  Author: string;
  Text: string;
}

/** What a room change touched: the message list, or who is online. */
export type RoomChange = "messages" | "presence";

/** Messages kept in the room; older ones are dropped. */
const HISTORY = 50;

export class ChatRoom {
  Messages: ChatMessage[] = [];
  /** Names of the groups with at least one open connection, sorted. */
  Online: string[] = [];
  /**
   * Called after every change of the room with what changed; app.ts points it at
   * `handler.broadcast()` (at once for messages, batched for presence).
   */
  notify: (change: RoomChange) => void = () => {};
  private nextId = 1;
  private guests = 0;
  private readonly connections = new Map<string, string>();
  private readonly names = new Map<string, string>();

  /** A fresh default name for a new session group. */
  guestName(): string {
    return `guest-${++this.guests}`;
  }

  post(author: string, text: string): void {
    this.Messages = [...this.Messages, { ID: this.nextId++, Author: author, Text: text }].slice(-HISTORY);
    this.notify("messages");
  }

  join(connectionId: string, groupId: string, name: string): void {
    this.connections.set(connectionId, groupId);
    this.names.set(groupId, name);
    this.updatePresence();
  }

  leave(connectionId: string): void {
    this.connections.delete(connectionId);
    this.updatePresence();
  }

  rename(groupId: string, name: string): void {
    this.names.set(groupId, name);
    this.updatePresence();
  }

  private updatePresence(): void {
    // Kept up to date at once, so a joining connection's first render already lists it; only
    // the push to the others waits (see app.ts).
    const groups = new Set(this.connections.values());
    this.Online = [...groups].map((g) => this.names.get(g) ?? "?").sort();
    this.notify("presence");
  }
}

/** One session group's view of the chat. */
export class ChatSession {
  Name: string;
  /** Field errors of the last action (`text`, `name`), shown next to the inputs. */
  Errors: Record<string, string> = {};
  /** The shared room; re-assigned by every room broadcast (see app.ts). */
  Room: ChatRoom;

  constructor(room: ChatRoom) {
    this.Room = room;
    this.Name = room.guestName();
  }

  onConnect(ctx: ConnectContext): void {
    this.Room.join(ctx.connectionId, ctx.groupId, this.Name);
  }

  onDisconnect(ctx: ConnectContext): void {
    this.Room.leave(ctx.connectionId);
  }

  send(ctx: ActionContext): void {
    const text = ctx.data.getString("text").trim();
    this.Errors = text === "" ? { text: "Type a message first" } : text.length > 500 ? { text: "Keep it under 500 characters" } : {};
    if (this.Errors["text"] === undefined) this.Room.post(this.Name, text);
  }

  rename(ctx: ActionContext): void {
    const name = ctx.data.getString("name").trim();
    if (name === "" || name.length > 24) {
      this.Errors = { name: "Use 1 to 24 characters" };
      return;
    }
    this.Errors = {};
    this.Name = name;
    this.Room.rename(ctx.groupId, name);
  }
}
