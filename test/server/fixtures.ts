/**
 * The store and view most handler tests use.
 */
import type { ActionContext } from "../../src/session/action-context.js";
import { ValidationError } from "../../src/session/action-errors.js";
import { FakeView } from "./fake-view.js";

export class Counter {
  count = 0;
  title = "";
  items: string[] = [];

  change(ctx: ActionContext): void {
    switch (ctx.action) {
      case "increment":
        this.count += ctx.data.has("by") ? ctx.data.getInt("by") : 1;
        return;
      case "reset":
        this.count = 0;
        return;
      default:
        throw new ValidationError("", `unsupported action ${ctx.action}`);
    }
  }

  /** Reads, waits, writes: interleaving two of these would lose an increment. */
  async slowIncrement(ctx: ActionContext): Promise<void> {
    const before = this.count;
    await new Promise((r) => setTimeout(r, ctx.data.getInt("ms")));
    this.count = before + 1;
  }

  boom(): void {
    this.count = 999;
    this.items.push("partial");
    this.title = "half-written";
    throw new Error("kaboom");
  }

  save(ctx: ActionContext): void {
    const title = ctx.data.getString("title").trim();
    if (title === "") throw new ValidationError("title", "title is required");
    this.title = title;
    this.items.push(title);
  }

  /** Makes the next render large (for slow-reader tests). */
  grow(ctx: ActionContext): void {
    this.title = "x".repeat(ctx.data.getInt("size")) + String(this.count++);
  }
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The counter's view; `pick` selects the counter from the template data (for named stores). */
export function counterView(pick: (data: unknown) => unknown = (d) => d): FakeView {
  return new FakeView(["<p>", "</p><h1>", "</h1><ul>", "</ul>"], (data) => {
    const c = pick(data) as Counter;
    return [String(c.count), esc(c.title), c.items.map((i) => `<li>${esc(i)}</li>`).join("")];
  });
}
