/**
 * The todos demo's store: a keyed list with add (validated), toggle, edit, delete and a filter.
 * Fields starting with a capital are read by todos.tmpl; the derived ones (`Visible`, `Left`,
 * `Filters`) are recomputed by `_refresh()` after every action, so the template stays logic-free.
 */
import { z } from "zod";
import { MultiError } from "livetemplate";
import type { ActionContext } from "livetemplate";

/** One todo item. `ID` is the list key (`data-key`) and never changes. */
export interface Todo {
  ID: number;
  Title: string;
  Done: boolean;
  Editing: boolean;
}

export type Filter = "all" | "active" | "done";

const FILTERS: ReadonlyArray<{ Name: Filter; Label: string }> = [
  { Name: "all", Label: "All" },
  { Name: "active", Label: "Active" },
  { Name: "done", Label: "Done" },
];

const titleSchema = z.object({
  title: z.string().trim().min(1, "Please enter a title").max(120, "Keep it under 120 characters"),
});

export class Todos {
  Todos: Todo[] = [];
  /** The add form's text, kept when it was rejected so the user can fix it. */
  Draft = "";
  /** Field errors of the last add or save (`title`, `edit`), shown next to the inputs. */
  Errors: Record<string, string> = {};
  Filter: Filter = "all";
  NextID = 1;
  /** Derived: the items the filter shows (copies, so a write to one is a write to `Visible`). */
  Visible: Todo[] = [];
  /** Derived: the filter buttons with the current one marked. */
  Filters: Array<{ Name: Filter; Label: string; Current: boolean }> = [];
  /** Derived: how many items are not done. */
  Left = 0;

  constructor() {
    this._refresh();
  }

  async add(ctx: ActionContext): Promise<void> {
    const title = await this._title(ctx, "title");
    if (title === undefined) {
      this.Draft = ctx.data.getString("title");
      return;
    }
    this.Todos.push({ ID: this.NextID++, Title: title, Done: false, Editing: false });
    this.Draft = "";
    this._refresh();
  }

  toggle(ctx: ActionContext): void {
    const todo = this._find(ctx);
    if (todo !== undefined) todo.Done = !todo.Done;
    this._refresh();
  }

  edit(ctx: ActionContext): void {
    for (const t of this.Todos) t.Editing = t.ID === ctx.data.getInt("id");
    this._refresh();
  }

  async save(ctx: ActionContext): Promise<void> {
    const todo = this._find(ctx);
    if (todo === undefined) return;
    const title = await this._title(ctx, "edit");
    if (title === undefined) return;
    todo.Title = title;
    todo.Editing = false;
    this._refresh();
  }

  cancel(): void {
    for (const t of this.Todos) t.Editing = false;
    this.Errors = {};
    this._refresh();
  }

  delete(ctx: ActionContext): void {
    const id = ctx.data.getInt("id");
    this.Todos = this.Todos.filter((t) => t.ID !== id);
    this._refresh();
  }

  filter(ctx: ActionContext): void {
    // A no-JS form posts `show=<name>`; both spellings name the filter to apply.
    const wanted = ctx.data.getString("show") || ctx.data.getString("value");
    const match = FILTERS.find((f) => f.Name === wanted);
    if (match !== undefined) this.Filter = match.Name;
    this._refresh();
  }

  /**
   * The validated title, or `undefined` after recording the error under `field`. The error is
   * kept as state rather than thrown: a thrown error rolls the action back and reaches only the
   * reply's `meta.errors`, while state is rendered next to the input for every client, the
   * plain-HTML one included.
   */
  private async _title(ctx: ActionContext, field: string): Promise<string | undefined> {
    try {
      const { title } = await ctx.data.bindAndValidate(titleSchema);
      this.Errors = {};
      return title;
    } catch (err) {
      if (!(err instanceof MultiError)) throw err;
      this.Errors = { [field]: err.errors[0]?.message ?? "Invalid title" };
      return undefined;
    }
  }

  private _find(ctx: ActionContext): Todo | undefined {
    const id = ctx.data.getInt("id");
    return this.Todos.find((t) => t.ID === id);
  }

  // Leading underscore: never callable as an action.
  private _refresh(): void {
    const shown = this.Todos.filter((t) => this.Filter === "all" || (this.Filter === "done") === t.Done);
    this.Visible = shown.map((t) => ({ ...t }));
    this.Filters = FILTERS.map((f) => ({ ...f, Current: f.Name === this.Filter }));
    this.Left = this.Todos.filter((t) => !t.Done).length;
  }
}
