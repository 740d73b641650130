/**
 * A session store for tests that behaves like a shared remote one: state is serialized (every
 * load makes fresh objects through the handler's binding), every save bumps a version, and
 * `transact` re-runs a change when someone saved in between. Counters tell tests which path saved.
 */
import type { SessionStore, SessionStoreBinding, TransactResult } from "../../src/server/session-store.js";
import type { SessionStores } from "../../src/session/types.js";

/** A versioned store in memory that serializes like a remote one; `set` is a plain overwrite. */
export class VersionedStore implements SessionStore {
  readonly saved = new Map<string, { version: number; json: string }>();
  readonly versions = new WeakMap<SessionStores, number>();
  sets = 0;
  transacts = 0;
  private binding: SessionStoreBinding | undefined;

  bind(binding: SessionStoreBinding): void {
    this.binding = binding;
  }

  private async load(id: string): Promise<SessionStores | undefined> {
    const entry = this.saved.get(id);
    if (entry === undefined) return undefined;
    const stores = await this.binding!.createStores();
    const data = JSON.parse(entry.json) as Record<string, object>;
    for (const [name, fields] of Object.entries(data)) Object.assign(stores[name]!, fields);
    this.versions.set(stores, entry.version);
    return stores;
  }

  private write(id: string, stores: SessionStores): void {
    const version = (this.saved.get(id)?.version ?? 0) + 1;
    this.saved.set(id, { version, json: JSON.stringify(stores) });
    this.versions.set(stores, version);
  }

  get(id: string): Promise<SessionStores | undefined> {
    return this.load(id);
  }

  set(id: string, stores: SessionStores): void {
    this.sets++;
    this.write(id, stores);
  }

  delete(id: string): void {
    this.saved.delete(id);
  }

  list(): string[] {
    return [...this.saved.keys()];
  }

  async transact(id: string, current: SessionStores, change: (s: SessionStores) => Promise<boolean>): Promise<TransactResult> {
    this.transacts++;
    let stores = current;
    for (;;) {
      const latest = this.saved.get(id)?.version ?? 0;
      if ((this.versions.get(stores) ?? 0) !== latest) stores = (await this.load(id))!;
      const base = this.versions.get(stores) ?? 0;
      if (!(await change(stores))) return { stores, saved: false };
      if ((this.saved.get(id)?.version ?? 0) !== base) continue; // someone saved meanwhile: re-run
      this.write(id, stores);
      return { stores, saved: true };
    }
  }
}
