/**
 * A minimal LiveView for handler tests: one flat node whose slots come from a function of the
 * data. Its trees follow PROTOCOL.md §4-5 (full tree with statics, then changed slots only).
 */
import type { ChangeHint } from "../../src/changes/path.js";
import type { TreeUpdate } from "../../src/protocol/tree.js";
import type { LiveView } from "../../src/session/types.js";

/** Every FakeView created (clones included), newest last. */
export const createdViews: FakeView[] = [];

export class FakeView implements LiveView {
  private prev: string[] | undefined;
  /** Every hint this instance received, for tests of the change-hint plumbing. */
  readonly hints: ChangeHint[] = [];

  constructor(
    private readonly statics: string[],
    private readonly slots: (data: unknown) => string[],
  ) {
    createdViews.push(this);
  }

  executeUpdates(data: unknown, options: { changed?: Iterable<ReadonlyArray<string | number>> } = {}): TreeUpdate {
    this.hints.push(options.changed === undefined ? undefined : [...options.changed]);
    const next = this.slots(data);
    const prev = this.prev;
    this.prev = next;
    if (prev === undefined) {
      const tree: TreeUpdate = { s: this.statics };
      next.forEach((v, i) => (tree[String(i)] = v));
      return tree;
    }
    const diff: TreeUpdate = {};
    next.forEach((v, i) => {
      if (v !== prev[i]) diff[String(i)] = v;
    });
    return diff;
  }

  html(data: unknown): string {
    const values = this.slots(data);
    return this.statics.map((s, i) => s + (values[i] ?? "")).join("");
  }

  executeToHTML(data: unknown, options: { wrapperId?: string; loading?: boolean } = {}): string {
    const loading = (options.loading ?? true) ? ' data-lvt-loading="true"' : "";
    return `<!DOCTYPE html><html><head><title>t</title></head><body><div data-lvt-id="${options.wrapperId ?? "lvt-0000000000000000"}"${loading}>${this.html(data)}</div></body></html>`;
  }

  clone(): FakeView {
    return new FakeView(this.statics, this.slots);
  }
}
