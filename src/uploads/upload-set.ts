/**
 * A set of upload entries by name: a session group's (entries streamed over its live
 * connections), or one HTTP request's (the files of a multipart post). What `.lvt.Uploads` and
 * `ctx.uploads` read.
 */
import type { StagedEntry, UploadEntryView, UploadError } from "./entry.js";

/** What `.lvt` reads about uploads. */
export interface UploadView {
  entries(name: string): readonly UploadEntryView[];
  errors(name: string): readonly { readonly Code: string; readonly Message: string }[];
  readonly idle: boolean;
}

export class UploadSet implements UploadView {
  private readonly byName = new Map<string, StagedEntry[]>();
  private readonly byId = new Map<string, StagedEntry>();
  /** Errors of an upload name that belong to no entry (too many files), until its next selection. */
  private readonly nameErrors = new Map<string, UploadError[]>();

  get(id: string): StagedEntry | undefined {
    return this.byId.get(id);
  }

  /** Entries of `name`, in the order they were announced. */
  list(name: string): readonly StagedEntry[] {
    return this.byName.get(name) ?? [];
  }

  all(): IterableIterator<StagedEntry> {
    return this.byId.values();
  }

  add(e: StagedEntry): void {
    this.byId.set(e.id, e);
    const list = this.byName.get(e.name);
    if (list === undefined) this.byName.set(e.name, [e]);
    else list.push(e);
  }

  delete(e: StagedEntry): void {
    if (this.byId.get(e.id) !== e) return;
    this.byId.delete(e.id);
    const list = this.byName.get(e.name)?.filter((x) => x !== e) ?? [];
    if (list.length === 0) this.byName.delete(e.name);
    else this.byName.set(e.name, list);
  }

  setNameErrors(name: string, errors: readonly UploadError[]): void {
    if (errors.length === 0) this.nameErrors.delete(name);
    else this.nameErrors.set(name, [...errors]);
  }

  nameErrorsOf(name: string): readonly UploadError[] {
    return this.nameErrors.get(name) ?? [];
  }

  get size(): number {
    return this.byId.size;
  }

  entries(name: string): readonly UploadEntryView[] {
    // An entry being consumed by the action now running is already gone for its render.
    return this.list(String(name))
      .filter((e) => !e.consuming)
      .map((e) => e.view());
  }

  errors(name: string): readonly { readonly Code: string; readonly Message: string }[] {
    return this.nameErrorsOf(String(name)).map((e) => ({ Code: e.code, Message: e.message }));
  }

  /** True when an entry or the name itself shows an error (a form post is then answered with its page). */
  get hasErrors(): boolean {
    if (this.nameErrors.size > 0) return true;
    for (const e of this.byId.values()) if (!e.valid) return true;
    return false;
  }

  get idle(): boolean {
    return this.byId.size === 0 && this.nameErrors.size === 0;
  }
}
