import type { ActionContext } from "../../src/session/action-context.js";

/** The store and page of the multi-instance tests (shared by the instance script and the tests). */
export class Counter {
  Count = 0;
  Banner = "none";
  /** Per client, the last numbered increment applied (the fault test numbers its increments). */
  Applied: Record<string, number> = {};

  /**
   * Adds one. An increment numbered by its client (`data: { client, seq }`) is applied once: a
   * client that lost the reply with its instance sends it again, and the repeat is a no-op.
   */
  increment(ctx?: ActionContext): void {
    const client = ctx?.data.has("client") === true ? ctx.data.getString("client") : "";
    if (client !== "") {
      const seq = ctx!.data.getInt("seq");
      if (seq <= (this.Applied[client] ?? 0)) return;
      this.Applied[client] = seq;
    }
    this.Count++;
  }
}

/** The page: tests read the numbers back from the rendered HTML. */
export const COUNTER_TEMPLATE = `<p>count=<b>{{.Count}}</b> banner=<i>{{.Banner}}</i></p>`;
