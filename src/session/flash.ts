/**
 * Flash messages: short notices (`ctx.flash("info", "Saved")`) that store code leaves for the
 * page the browser sees next. They are kept per session group id, in memory, and shared by every
 * live handler of the process, so a flash set on one page is read on another (a form on `/new`
 * that redirects to `/items`). Lifetime, as in Phoenix: a flash is shown on the page it was set
 * on; if the same run sent the browser elsewhere (`navigate`, `redirect`, a no-JS form post's
 * 303) it is shown on that next page instead; the navigation after that clears it.
 */

/** Most groups holding flash messages at once (the oldest are dropped first). */
const MAX_GROUPS = 10_000;

interface Entry {
  message: string;
  /** Set by the current run; its lifetime is decided when the run ends ({@link FlashBook.settle}). */
  fresh: boolean;
  /** How many more page changes it survives. */
  left: number;
}

/** The flash messages of every session group of this process. */
export class FlashBook {
  private readonly groups = new Map<string, Map<string, Entry>>();
  /** Read views by group, rebuilt on change (renders compare `.lvt` values by identity). */
  private readonly views = new Map<string, Readonly<Record<string, string>>>();

  /** Sets the `kind` message of a group (replacing one of that kind). */
  set(groupId: string, kind: string, message: string): void {
    let g = this.groups.get(groupId);
    if (g === undefined) {
      g = new Map();
      this.groups.set(groupId, g);
      if (this.groups.size > MAX_GROUPS) this.drop(this.groups.keys().next().value!);
    }
    g.set(kind, { message, fresh: true, left: 0 });
    this.views.delete(groupId);
  }

  /** The group's messages by kind (one shared empty object when there are none). */
  view(groupId: string): Readonly<Record<string, string>> {
    const g = this.groups.get(groupId);
    if (g === undefined) return NONE;
    let v = this.views.get(groupId);
    if (v === undefined) {
      const out: Record<string, string> = {};
      for (const [k, e] of g) out[k] = e.message;
      v = Object.freeze(out);
      this.views.set(groupId, v);
    }
    return v;
  }

  /**
   * A run that set messages ended: with `carry` (it sent the browser to another page) they
   * survive the next page change, else only the current page shows them.
   */
  settle(groupId: string, carry: boolean): void {
    const g = this.groups.get(groupId);
    if (g === undefined) return;
    for (const e of g.values()) {
      if (!e.fresh) continue;
      e.fresh = false;
      e.left = carry ? 1 : 0;
    }
  }

  /**
   * The group shows another page: messages that were shown go. `inRun`: the page change is part
   * of the run that may have set messages (a `patch`), which keep theirs until the run settles.
   * Returns whether any went.
   */
  pageChange(groupId: string, inRun = false): boolean {
    const g = this.groups.get(groupId);
    if (g === undefined) return false;
    let changed = false;
    for (const [k, e] of g) {
      if (e.fresh && inRun) continue;
      // A message its run never settled (the run failed) was for the page it was set on.
      if (e.left > 0 && !e.fresh) e.left--;
      else {
        g.delete(k);
        changed = true;
      }
    }
    if (g.size === 0) this.drop(groupId);
    else if (changed) this.views.delete(groupId);
    return changed;
  }

  /** The group's session id changed (rotation). */
  rename(from: string, to: string): void {
    const g = this.groups.get(from);
    if (g === undefined) return;
    this.drop(from);
    this.groups.set(to, g);
  }

  private drop(groupId: string): void {
    this.groups.delete(groupId);
    this.views.delete(groupId);
  }
}

const NONE: Readonly<Record<string, string>> = Object.freeze({});

/** The process's flash messages, shared by every handler (pages of one app share sessions). */
export const flashes = new FlashBook();
