/**
 * The chat demo, built on topics and presence: rooms chosen by the query (`/chat?room=x`), who
 * is online, a typing indicator, and several instances sharing rooms over a broadcast bus.
 *
 * Each session group (a browser) has its own {@link ChatSession}: its name, the room it shows
 * and its copy of the room's recent messages, who is online and who is typing. `mount`
 * subscribes the group to the room's topic; `onConnect` tracks the group in the room's presence
 * (one entry per browser, however many tabs). Messages and typing notices are published to the
 * topic, and every subscribed group, on every instance, gets them in `onMessage`; joins and
 * leaves arrive in `onPresence`. A busy room costs one render per group per batch: presence
 * updates are batched (the window grows with the room), and the page lists the first
 * {@link SHOWN} names with a count.
 *
 * {@link ChatRooms} holds what belongs to the instance rather than to a group: the recent
 * messages of each room it has seen (so a newcomer sees the history) and the timers that end a
 * typing indicator. Stores name it by id, so that no shared object sits in their state.
 *
 * Input errors are state (`Errors`), not thrown, so they render next to the inputs for every
 * client including plain HTML forms (see todos.ts).
 */
import { randomBytes } from "node:crypto";
import type { ActionContext, ConnectContext, MountContext, PresenceDiff, PresenceEntry, TopicContext, TopicControls } from "livetemplate";

export interface ChatMessage {
  ID: string;
  Author: string;
  Text: string;
}

/** What travels on a room's topic. */
export type ChatEvent =
  | { kind: "message"; message: ChatMessage; from: string }
  | { kind: "typing"; key: string; name: string }
  | { kind: "stopped"; key: string };

/** Messages kept per room; older ones are dropped. */
const HISTORY = 50;
/** Names listed on the page; the rest are counted. */
export const SHOWN = 50;
/** A typing indicator ends this long after the last keystroke, ms. */
const TYPING_MS = 3000;

/** The topic of a room. */
export function roomTopic(room: string): string {
  return `chat:${room}`;
}

/** A room name from the query: lower-case letters, digits and dashes, 1 to 32; else "lobby". */
export function roomName(query: string | undefined): string {
  const q = (query ?? "").trim().toLowerCase();
  return /^[a-z0-9-]{1,32}$/.test(q) ? q : "lobby";
}

const registry = new Map<string, ChatRooms>();

/** This instance's part of the chat: each room's recent messages and the typing timers. */
export class ChatRooms {
  readonly id = randomBytes(6).toString("hex");
  /** Publishes to a topic; app.ts points it at `handler.publish`. */
  publish: (topic: string, event: ChatEvent) => void = () => {};
  private readonly history = new Map<string, ChatMessage[]>();
  private readonly typing = new Map<string, NodeJS.Timeout>();
  private guests = 0;
  private messages = 0;

  constructor() {
    registry.set(this.id, this);
  }

  static get(id: string): ChatRooms {
    const rooms = registry.get(id);
    if (rooms === undefined) throw new Error("the chat rooms are closed");
    return rooms;
  }

  /** A fresh default name for a new session group. */
  guestName(): string {
    return `guest-${++this.guests}`;
  }

  /** A message with an id unique across instances. */
  message(author: string, text: string): ChatMessage {
    return { ID: `${this.id}-${++this.messages}`, Author: author, Text: text };
  }

  /** Adds a message to the room's history (once, however many groups here receive it). */
  record(room: string, m: ChatMessage): void {
    const list = this.history.get(room) ?? [];
    if (list.some((x) => x.ID === m.ID)) return;
    this.history.set(room, [...list, m].slice(-HISTORY));
  }

  recent(room: string): ChatMessage[] {
    return this.history.get(room) ?? [];
  }

  /** (Re)starts the timer that tells the room `key` stopped typing. */
  typed(room: string, key: string): void {
    const id = `${room}\u0000${key}`;
    clearTimeout(this.typing.get(id));
    const t = setTimeout(() => {
      this.typing.delete(id);
      this.publish(roomTopic(room), { kind: "stopped", key });
    }, TYPING_MS);
    t.unref();
    this.typing.set(id, t);
  }

  /** Ends `key`'s typing indicator now (it sent its message). */
  stopped(room: string, key: string): void {
    const id = `${room}\u0000${key}`;
    const t = this.typing.get(id);
    if (t === undefined) return;
    clearTimeout(t);
    this.typing.delete(id);
    this.publish(roomTopic(room), { kind: "stopped", key });
  }

  close(): void {
    for (const t of this.typing.values()) clearTimeout(t);
    this.typing.clear();
    registry.delete(this.id);
  }
}

/** One session group's view of the chat. */
export class ChatSession {
  Name: string;
  /** The room shown (from `?room=`). */
  Room = "";
  Messages: ChatMessage[] = [];
  /** The first {@link SHOWN} names online, sorted. */
  Online: string[] = [];
  OnlineCount = 0;
  /** Online but not listed (beyond {@link SHOWN}). */
  More = 0;
  /** Names of the others typing now. */
  Typing: string[] = [];
  /** Field errors of the last action (`text`, `name`), shown next to the inputs. */
  Errors: Record<string, string> = {};
  /** This browser's presence id: random, so that it tells nothing about the session. */
  readonly Me = randomBytes(6).toString("hex");
  private readonly typingNames: Record<string, string> = {};

  constructor(private readonly roomsId: string) {
    this.Name = ChatRooms.get(roomsId).guestName();
  }

  /** The presence key: sorts by name; the id keeps two people of one name apart. */
  private get key(): string {
    return `${this.Name}\u0000${this.Me}`;
  }

  async mount(ctx: MountContext): Promise<void> {
    const room = roomName(ctx.query["room"]);
    if (room !== this.Room) {
      if (this.Room !== "") ctx.unsubscribe(roomTopic(this.Room));
      this.Room = room;
      this.Messages = [...ChatRooms.get(this.roomsId).recent(room)];
      for (const k of Object.keys(this.typingNames)) delete this.typingNames[k];
      this.Typing = [];
    }
    await ctx.subscribe(roomTopic(room));
    this.showPresence(ctx);
  }

  async onConnect(ctx: ConnectContext & TopicControls): Promise<void> {
    await ctx.track(roomTopic(this.Room), this.key, { name: this.Name, me: this.Me }, { scope: "group" });
    this.showPresence(ctx);
  }

  send(ctx: ActionContext): void {
    const text = ctx.data.getString("text").trim();
    this.Errors = text === "" ? { text: "Type a message first" } : text.length > 500 ? { text: "Keep it under 500 characters" } : {};
    if (this.Errors["text"] !== undefined) return;
    const rooms = ChatRooms.get(this.roomsId);
    const message = rooms.message(this.Name, text);
    rooms.record(this.Room, message);
    this.append(message);
    rooms.stopped(this.Room, this.Me);
    ctx.publish(roomTopic(this.Room), { kind: "message", message, from: this.Me } satisfies ChatEvent);
  }

  /** A keystroke in the message box (throttled by the page). */
  typing(ctx: ActionContext): void {
    ctx.publish(roomTopic(this.Room), { kind: "typing", key: this.Me, name: this.Name } satisfies ChatEvent);
    ChatRooms.get(this.roomsId).typed(this.Room, this.Me);
  }

  async rename(ctx: ActionContext): Promise<void> {
    const name = ctx.data.getString("name").trim();
    if (name === "" || name.length > 24) {
      this.Errors = { name: "Use 1 to 24 characters" };
      return;
    }
    this.Errors = {};
    if (name === this.Name) return;
    const topic = roomTopic(this.Room);
    ctx.untrack(topic, this.key);
    this.Name = name;
    // Over HTTP (no connection) the new name shows from this browser's next live connection.
    if (ctx.connectionId !== undefined) await ctx.track(topic, this.key, { name, me: this.Me }, { scope: "group" });
    this.showPresence(ctx);
  }

  onMessage(topic: string, event: unknown): void {
    if (topic !== roomTopic(this.Room)) return;
    const e = event as ChatEvent;
    switch (e.kind) {
      case "message":
        ChatRooms.get(this.roomsId).record(this.Room, e.message);
        this.append(e.message);
        this.setTyping(e.from, undefined);
        return;
      case "typing":
        if (e.key !== this.Me) this.setTyping(e.key, e.name);
        return;
      case "stopped":
        this.setTyping(e.key, undefined);
        return;
    }
  }

  onPresence(topic: string, diff: PresenceDiff, ctx: TopicContext): void {
    if (topic !== roomTopic(this.Room)) return;
    // Whoever left stops typing.
    for (const left of diff.leaves) for (const m of left.metas) this.setTyping(String(m["me"] ?? ""), undefined);
    this.showPresence(ctx);
  }

  private append(m: ChatMessage): void {
    if (this.Messages.some((x) => x.ID === m.ID)) return;
    this.Messages = [...this.Messages, m].slice(-HISTORY);
  }

  private setTyping(key: string | undefined, name: string | undefined): void {
    if (key === undefined || key === "") return;
    if (name === undefined) {
      if (!(key in this.typingNames)) return;
      delete this.typingNames[key];
    } else {
      if (this.typingNames[key] === name) return;
      this.typingNames[key] = name;
    }
    this.Typing = Object.values(this.typingNames).sort();
  }

  private showPresence(ctx: TopicControls): void {
    const list: readonly PresenceEntry[] = ctx.presence(roomTopic(this.Room));
    this.OnlineCount = list.length;
    this.More = Math.max(0, list.length - SHOWN);
    const names = list.slice(0, SHOWN).map((e) => String(e.metas[0]?.["name"] ?? "?"));
    if (names.length !== this.Online.length || names.some((n, i) => n !== this.Online[i])) this.Online = names;
  }
}
