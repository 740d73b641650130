/**
 * The session store `lvt serve` gives an app's handlers, so that session state outlives the
 * server process: a TypeScript change restarts the server and the open tabs reconnect to their
 * state. Every group is kept encoded (the Redis adapter's codec: the stores' own fields, revived
 * onto fresh store instances) in one JSON file, written on every save.
 *
 * Only `lvt serve` turns it on, by setting `LT_DEV_SESSION_FILE` for the app's process; a handler
 * given its own `sessionStore` keeps it.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { decodeStores, encodeStores } from "../../adapters/redis/codec.js";
import type { SessionStore, SessionStoreBinding } from "../../server/session-store.js";
import type { SessionStores } from "../../session/types.js";

/** Environment variable naming the file; set by `lvt serve`. */
export const DEV_SESSION_FILE_ENV = "LT_DEV_SESSION_FILE";

/** Saved groups by handler path, then by group id (handlers share the session cookie). */
type SavedFile = Record<string, Record<string, string>>;

export class DevSessionStore implements SessionStore {
  private binding: SessionStoreBinding | undefined;
  /** Decoded groups: the handler's objects, so that a get after a set returns the same state. */
  private readonly live = new Map<string, SessionStores>();

  constructor(
    private readonly file: string,
    private readonly scope: string,
  ) {}

  bind(binding: SessionStoreBinding): void {
    this.binding = binding;
  }

  async get(groupId: string): Promise<SessionStores | undefined> {
    const held = this.live.get(groupId);
    if (held) return held;
    const text = this.read()[this.scope]?.[groupId];
    if (text === undefined) return undefined;
    try {
      const stores = decodeStores(text, await this.binding?.createStores());
      this.live.set(groupId, stores);
      return stores;
    } catch {
      // State saved by an older version of the stores that no longer decodes: start afresh.
      return undefined;
    }
  }

  set(groupId: string, stores: SessionStores): void {
    this.live.set(groupId, stores);
    let text: string;
    try {
      text = encodeStores(stores);
    } catch {
      // State that cannot be written (a socket, a function) lives in memory only.
      return;
    }
    this.update((saved) => {
      (saved[this.scope] ??= {})[groupId] = text;
    });
  }

  delete(groupId: string): void {
    this.live.delete(groupId);
    this.update((saved) => {
      delete saved[this.scope]?.[groupId];
    });
  }

  list(): string[] {
    return [...new Set([...this.live.keys(), ...Object.keys(this.read()[this.scope] ?? {})])];
  }

  private read(): SavedFile {
    try {
      return JSON.parse(readFileSync(this.file, "utf8")) as SavedFile;
    } catch {
      return {};
    }
  }

  /** Read-modify-write of the file; several handlers of one process share it. */
  private update(change: (saved: SavedFile) => void): void {
    const saved = this.read();
    change(saved);
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(saved));
    renameSync(tmp, this.file);
  }
}

/**
 * The dev session store for the handler on `path`, when the process runs under `lvt serve`;
 * otherwise undefined (the handler keeps its default).
 */
export function devSessionStore(path: string | undefined): SessionStore | undefined {
  const file = process.env[DEV_SESSION_FILE_ENV];
  return file === undefined || file === "" ? undefined : new DevSessionStore(file, path ?? "");
}
