// The gallery chat as it was before topics and presence, kept for bench/presence.bench.mjs: one
// in-process room shared by every session group, presence built by hand from onConnect /
// onDisconnect, and room changes pushed with handler.broadcast() (messages at once, presence at
// most once per PRESENCE_MS). It works on one instance only. Its template is legacy-chat.tmpl.
import { readFileSync } from "node:fs";

const HISTORY = 50;

export class ChatRoom {
  Messages = [];
  /** Names of the groups with at least one open connection, sorted. */
  Online = [];
  notify = () => {};
  nextId = 1;
  guests = 0;
  connections = new Map();
  names = new Map();

  guestName() {
    return `guest-${++this.guests}`;
  }

  post(author, text) {
    this.Messages = [...this.Messages, { ID: this.nextId++, Author: author, Text: text }].slice(-HISTORY);
    this.notify("messages");
  }

  join(connectionId, groupId, name) {
    this.connections.set(connectionId, groupId);
    this.names.set(groupId, name);
    this.updatePresence();
  }

  leave(connectionId) {
    this.connections.delete(connectionId);
    this.updatePresence();
  }

  rename(groupId, name) {
    this.names.set(groupId, name);
    this.updatePresence();
  }

  updatePresence() {
    const groups = new Set(this.connections.values());
    this.Online = [...groups].map((g) => this.names.get(g) ?? "?").sort();
    this.notify("presence");
  }
}

export class ChatSession {
  Errors = {};
  constructor(room) {
    this.Room = room;
    this.Name = room.guestName();
  }
  onConnect(ctx) {
    this.Room.join(ctx.connectionId, ctx.groupId, this.Name);
  }
  onDisconnect(ctx) {
    this.Room.leave(ctx.connectionId);
  }
  send(ctx) {
    const text = ctx.data.getString("text").trim();
    this.Errors = text === "" ? { text: "Type a message first" } : {};
    if (this.Errors.text === undefined) this.Room.post(this.Name, text);
  }
  rename(ctx) {
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

/** The legacy chat handler, wired as the old gallery app.ts did. */
export function legacyChat(Template, handlerOptions, presenceMs = 250) {
  const read = (f) => readFileSync(new URL(f, import.meta.url), "utf8");
  const layout = readFileSync(new URL("../examples/gallery/layout.tmpl", import.meta.url), "utf8");
  const room = new ChatRoom();
  const handler = new Template("chat").parse(read("legacy-chat.tmpl") + layout).handle(() => new ChatSession(room), handlerOptions);
  let scheduled = false;
  let presenceTimer;
  const broadcastRoom = () => {
    scheduled = false;
    clearTimeout(presenceTimer);
    presenceTimer = undefined;
    handler
      .broadcast((data) => {
        data.Room = room;
      })
      .catch((err) => console.error("chat broadcast failed", err));
  };
  room.notify = (change) => {
    if (change === "presence") {
      presenceTimer ??= setTimeout(broadcastRoom, presenceMs);
      return;
    }
    if (scheduled) return;
    scheduled = true;
    setImmediate(broadcastRoom);
  };
  return handler;
}
