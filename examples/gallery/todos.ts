/**
 * The todos demo's store: a keyed list with add (validated), toggle, edit, delete and a filter.
 * Fields starting with a capital are read by todos.tmpl; the derived ones (`Visible`, `Left`,
 * `Filters`) are recomputed by `_refresh()` after every action, so the template stays logic-free.
 * Invalid titles are thrown as `ValidationError`s: the action is rolled back and the template
 * shows the message from `.lvt.Errors`, in the sender's page only.
 */
import { z } from "zod";
import { MultiError, ValidationError } from "livetemplate";
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
    this.Todos.push({ ID: this.NextID++, Title: title, Done: false, Editing: false });
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
    todo.Title = title;
    todo.Editing = false;
    this._refresh();
  }

  cancel(): void {
    for (const t of this.Todos) t.Editing = false;
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
   * The validated title. A bad one throws a `ValidationError` under `field` (`title` for the add
   * form, `edit` for the row being edited), so each form shows only its own message.
   */
  private async _title(ctx: ActionContext, field: string): Promise<string> {
    try {
      const { title } = await ctx.data.bindAndValidate(titleSchema);
      return title;
    } catch (err) {
      if (!(err instanceof MultiError)) throw err;
      throw new ValidationError(field, err.errors[0]?.message ?? "Invalid title");
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
