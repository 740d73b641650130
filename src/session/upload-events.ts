/**
 * The engine's side of uploads: an `upload` event (`upload_start`, a chunk, `upload_complete`,
 * `cancel_upload`) for a group, from a live connection or an HTTP request. Selections,
 * completions and cancels run in the group's queue and re-render it; chunks are written outside
 * the queue (an upload must not hold up the group's actions) and re-render it at most every
 * {@link RENDER_MS}. The reply to a chunk resolves once its bytes are on disk, which is what lets
 * a transport hold back reading until then.
 */
import { errorMessage } from "../protocol/messages.js";
import { completeAction, UPLOAD_ERROR, UPLOAD_PROGRESS, type UploadClientMessage, type UploadServerMessage } from "../protocol/uploads.js";
import type { ServerMessage } from "../protocol/messages.js";
import { StagedEntry, type UploadError } from "../uploads/entry.js";
import { UploadSet } from "../uploads/upload-set.js";
import type { Uploader, Uploads } from "../uploads/uploads.js";
import type { Origin, Reply } from "./events.js";
import type { Member } from "./frame.js";
import type { SessionGroup } from "./group.js";
import { LVT_KEY } from "./lvt.js";
import { messageReply } from "./replies.js";
import { uploadSetOf, uploadView } from "./upload-state.js";
import type { Logger } from "./types.js";

/** Least time between two renders caused by arriving bytes, ms. */
export const RENDER_MS = 100;

const NONE: Reply = { kind: "none" };

/** What the upload events need of the engine. */
export interface UploadEngine {
  /** The group, loaded or created (a visitor's made a real one). */
  group(id: string): Promise<SessionGroup>;
  /** The group if it is in memory. */
  peek(id: string): SessionGroup | undefined;
  /** Writes a message to a member inside the group's task, in order with its other frames. */
  reply(g: SessionGroup, member: Member, message: ServerMessage): Reply;
  /** Writes a message to a member now (progress; outside any task). */
  write(g: SessionGroup, member: Member, message: ServerMessage): void;
  /** True when a store of the group handles `action`. */
  routes(g: SessionGroup, action: string): boolean;
  /** Runs an action with `ctx.uploads` reading `scope`. */
  action(g: SessionGroup, action: string, origin: Origin, scope: UploadSet | undefined): Promise<Reply>;
}

export class UploadEvents {
  private readonly timers = new WeakMap<SessionGroup, NodeJS.Timeout>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    readonly uploads: Uploads,
    private readonly engine: UploadEngine,
    private readonly logger: Logger,
  ) {
    // Expiry is checked a few times per expiry period (at most every 30 s).
    const every = Math.max(20, Math.min(30_000, Math.floor(uploads.staging.expiryMs / 3)));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
  }

  async handle(groupId: string, message: UploadClientMessage, origin: Origin): Promise<Reply> {
    if (origin.kind === "server") throw new TypeError("uploads come from a client");
    if (origin.kind === "request") return this.overHttp(await this.engine.group(groupId), message, origin);
    const member = origin.member;
    switch (message.kind) {
      case "chunk": {
        const g = this.engine.peek(groupId);
        if (g === undefined) return NONE;
        return this.chunk(g, member, message.entryId, message.bytes, message.offset);
      }
      case "start": {
        const g = await this.engine.group(groupId);
        return g.run(async () => {
          if (member.closed) return NONE;
          const set = this.setOf(g);
          const who: Uploader = { userId: member.userId, groupId: g.id, connectionId: member.id };
          const reply = this.engine.reply(g, member, await this.uploads.start(set, message.name, message.files, who));
          this.render(g);
          return reply;
        });
      }
      case "complete": {
        const g = await this.engine.group(groupId);
        const set = this.setOf(g);
        const done = await g.run(async () => {
          const r = await this.uploads.complete(set, message.entryIds);
          const ack: UploadServerMessage = { upload_name: message.name, success: r.error === undefined, entry_ids: [...message.entryIds] };
          if (r.error !== undefined) Object.assign(ack, { error: r.error.message, error_code: r.error.code });
          const reply = this.engine.reply(g, member, ack);
          this.render(g);
          return { reply, ok: r.ok.length > 0 };
        });
        // The completion action runs as an action of its own (queued after the acknowledgement).
        const action = completeAction(message.name);
        if (!done.ok || !this.engine.routes(g, action)) return done.reply;
        return this.engine.action(g, action, origin, undefined);
      }
      case "cancel": {
        const g = await this.engine.group(groupId);
        return g.run(() => {
          const set = uploadSetOf(g);
          const e = set.get(message.entryId);
          if (e !== undefined) this.uploads.release(set, e);
          const reply = this.engine.reply(g, member, { entry_id: message.entryId, success: e !== undefined });
          if (e !== undefined) this.render(g);
          return reply;
        });
      }
      case "completeHttp":
        return this.engine.reply(await this.engine.group(groupId), member, errorMessage("LT_ERR_UPLOAD_MALFORMED", "upload_complete needs entry_ids over a WebSocket"));
      default: {
        const never: never = message;
        return never;
      }
    }
  }

  /** One chunk: limits checked, bytes queued for the disk; resolves once they are written. */
  private async chunk(g: SessionGroup, member: Member, id: string, bytes: Uint8Array, offset: number | undefined): Promise<Reply> {
    const set = uploadSetOf(g);
    const r = this.uploads.chunk(set, id, bytes, offset, member.id);
    switch (r.kind) {
      case "ignored":
        this.logger.debug(`upload chunk for unknown or finished entry ${id} ignored`);
        return NONE;
      case "malformed":
        this.engine.write(g, member, errorMessage("LT_ERR_UPLOAD_MALFORMED", r.message));
        return NONE;
      case "failed":
        this.failed(g, member, r.entry, r.error);
        return NONE;
      case "taken":
        try {
          await r.written;
        } catch {
          this.failed(g, member, r.entry, r.entry.errors[0] ?? { code: "LT_ERR_UPLOAD_DISK", message: "the file could not be stored" });
          return NONE;
        }
        if (r.report && !r.entry.gone) this.engine.write(g, member, progressOf(r.entry));
        this.throttledRender(g);
        return NONE;
      default: {
        const never: never = r;
        return never;
      }
    }
  }

  private failed(g: SessionGroup, member: Member, e: StagedEntry, error: UploadError): void {
    this.engine.write(g, member, { type: UPLOAD_ERROR, upload_name: e.name, entry_id: e.id, code: error.code, message: error.message });
    void g.run(() => this.render(g));
  }

  /**
   * Over HTTP (the socket is down): a selection is only checked and answered (nothing is kept:
   * the files follow as multipart posts), a direct upload's completion runs the completion
   * action with the entries rebuilt from what the client sent.
   */
  private async overHttp(g: SessionGroup, message: UploadClientMessage, origin: Extract<Origin, { kind: "request" }>): Promise<Reply> {
    const who: Uploader = { userId: origin.userId, groupId: g.id, connectionId: undefined };
    switch (message.kind) {
      case "start": {
        const scratch = new UploadSet();
        const reply = await this.uploads.start(scratch, message.name, message.files, who);
        for (const e of [...scratch.all()]) this.uploads.release(scratch, e);
        return messageReply(reply);
      }
      case "completeHttp": {
        const scope = new UploadSet();
        this.uploads.rebuild(scope, message.name, message.entries);
        try {
          const action = completeAction(message.name);
          if (!this.engine.routes(g, action)) return messageReply(errorMessage("LT_ERR_PROTOCOL_UNKNOWN_ACTION", `no store handles action "${action}"`));
          return await this.engine.action(g, action, origin, scope);
        } finally {
          this.releaseAll(scope);
        }
      }
      default:
        return messageReply(errorMessage("LT_ERR_UPLOAD_MALFORMED", `${message.kind} is not accepted over HTTP: send the file as a multipart post`));
    }
  }

  /** Removes what a request's set still holds (files not consumed by its action). */
  releaseAll(set: UploadSet): void {
    this.uploads.releaseAll(set);
  }

  /** A live connection closed: entries only it held go. Call inside the group's task; true when the render changes. */
  closed(g: SessionGroup, member: Member): boolean {
    const set = uploadView(g) as UploadSet | undefined;
    if (set === undefined || !this.uploads.connectionClosed(set, member.id)) return false;
    g.noteChanged([[LVT_KEY]]);
    return true;
  }

  /** Renders the group now. Call inside the group's task. */
  private render(g: SessionGroup): void {
    const t = this.timers.get(g);
    if (t !== undefined) clearTimeout(t);
    this.timers.delete(g);
    g.noteChanged([[LVT_KEY]]);
    g.pushUpdate();
  }

  /** Renders the group within {@link RENDER_MS}, once however many chunks arrive meanwhile. */
  private throttledRender(g: SessionGroup): void {
    if (this.timers.has(g)) return;
    const t = setTimeout(() => {
      if (this.timers.get(g) !== t) return;
      g.run(() => this.render(g)).catch((err: unknown) => this.logger.error("upload progress render failed", err));
    }, RENDER_MS);
    t.unref();
    this.timers.set(g, t);
  }

  private sweep(): void {
    for (const set of this.uploads.sweep()) {
      const g = this.bySet.get(set);
      if (g !== undefined) g.run(() => this.render(g)).catch(() => {});
    }
    for (const [set] of this.bySet) if (set.size === 0) this.bySet.delete(set);
  }

  /** The group of each live upload set (for the sweep's renders); entries only live while held, so this stays small. */
  private readonly bySet = new Map<UploadSet, SessionGroup>();

  /** The group's upload set, noted for the sweep. */
  private setOf(g: SessionGroup): UploadSet {
    const set = uploadSetOf(g);
    this.bySet.set(set, g);
    return set;
  }

  /** Stops the expiry timer and removes every staged file. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.bySet.clear();
    await this.uploads.closeAll();
  }
}

function progressOf(e: StagedEntry): UploadServerMessage {
  return { type: UPLOAD_PROGRESS, upload_name: e.name, entry_id: e.id, client_name: e.wireName, progress: e.progress, bytes_recv: e.received, bytes_total: e.size };
}
