/**
 * A session group's uploads (kept beside the group, like its async work) and what store code
 * gets to read and consume them (`ctx.uploads`, `ctx.consume`, `ctx.cancelUpload`). Consuming
 * and cancelling inside an action take effect when the action is saved: an action that throws
 * leaves its entries as they were, files included.
 */
import { LiveTemplateError } from "../errors.js";
import type { ConsumedUpload, StagedEntry, UploadEntry } from "../uploads/entry.js";
import { UploadSet, type UploadView } from "../uploads/upload-set.js";
import type { Uploads } from "../uploads/uploads.js";

const sets = new WeakMap<object, UploadSet>();

/** The uploads of `group`, made on first use. */
export function uploadSetOf(group: object): UploadSet {
  let s = sets.get(group);
  if (s === undefined) {
    s = new UploadSet();
    sets.set(group, s);
  }
  return s;
}

/** The uploads of `group` for `.lvt`, if it ever had any. */
export function uploadView(group: object): UploadView | undefined {
  return sets.get(group);
}

/** `ctx.uploads` and friends, in actions. */
export interface UploadControls {
  /**
   * The entries of upload `name` (`lvt-upload="name"`), in the order they were selected: those
   * still arriving, done ones, and ones with errors. Over a WebSocket these are the session
   * group's; in a multipart form post, the files of that post.
   */
  uploads(name: string): readonly UploadEntry[];
  /**
   * Hands a done, valid entry to `fn` (the staged file's `path` and `open()` for a read stream;
   * for `direct` the URL the browser uploaded to) and resolves with what `fn` returns. Once the
   * action is saved the entry is gone and its staged file deleted; if the action throws, it
   * stays, file included. Copy the file (or stream it) rather than move it. Throws
   * `LT_ERR_UPLOAD_NOT_READY` for an entry that is not done, has errors or was consumed.
   *
   * @example
   * ```ts
   * async upload_avatar_complete(ctx: ActionContext) {
   *   for (const e of ctx.uploads("avatar").filter((e) => e.done && e.valid)) {
   *     this.avatar = await ctx.consume(e, async (f) => f.kind === "file" ? copyToStore(f.path) : "");
   *   }
   * }
   * ```
   */
  consume<T>(entry: UploadEntry | string, fn: (file: ConsumedUpload) => T | Promise<T>): Promise<T>;
  /** {@link consume} for every done, valid entry of `name`, in order; resolves with the results. */
  consumeAll<T>(name: string, fn: (file: ConsumedUpload) => T | Promise<T>): Promise<T[]>;
  /** Drops an entry (its staged file too) once the action is saved. Unknown ids are ignored. */
  cancelUpload(entry: UploadEntry | string): void;
}

/** What an action without uploads configured gets: no entries, nothing to consume. */
export const NO_UPLOAD_CONTROLS: UploadControls = {
  uploads: () => [],
  consume: (entry) => Promise.reject(new LiveTemplateError("LT_ERR_UPLOAD_NOT_READY", `no upload entry ${typeof entry === "string" ? entry : entry.id}`)),
  consumeAll: () => Promise.resolve([]),
  cancelUpload: () => {},
};

/** The uploads one run of store code may consume or cancel, settled when the run's outcome is known. */
export class UploadRun {
  private readonly touched: StagedEntry[] = [];

  constructor(
    private readonly set: UploadSet,
    private readonly uploads: Uploads,
    /** Told when the run consumes or cancels an entry (what `.lvt.Uploads` shows changes). */
    private readonly onChange: () => void,
  ) {}

  controls(): UploadControls {
    const find = (entry: UploadEntry | string): StagedEntry | undefined => this.set.get(typeof entry === "string" ? entry : entry.id);
    const consume = async <T>(entry: UploadEntry | string, fn: (file: ConsumedUpload) => T | Promise<T>): Promise<T> => {
      const e = find(entry);
      const id = typeof entry === "string" ? entry : entry.id;
      if (e === undefined || e.gone || e.consuming || !e.done || !e.valid) {
        throw new LiveTemplateError("LT_ERR_UPLOAD_NOT_READY", `upload entry ${id} is not ready to be consumed (not done, not valid, or consumed already)`);
      }
      e.consuming = true;
      this.touched.push(e);
      this.onChange();
      return fn(e.consumed());
    };
    return {
      uploads: (name) => this.set.list(String(name)).filter((e) => !e.consuming).map((e) => e.snapshot()),
      consume,
      consumeAll: async (name, fn) => {
        const out = [];
        for (const e of this.set.list(String(name)).filter((x) => x.done && x.valid && !x.consuming && !x.gone)) out.push(await consume(e.id, fn));
        return out;
      },
      cancelUpload: (entry) => {
        const e = find(entry);
        if (e === undefined || e.consuming) return;
        e.consuming = true;
        this.touched.push(e);
        this.onChange();
      },
    };
  }

  /** True when the run consumed or cancelled anything. */
  get changed(): boolean {
    return this.touched.length > 0;
  }

  /** The run was saved: its consumed and cancelled entries go. Otherwise they stay as they were. */
  settle(saved: boolean): void {
    for (const e of this.touched) {
      e.consuming = false;
      if (saved) this.uploads.release(this.set, e);
    }
    this.touched.length = 0;
  }
}
