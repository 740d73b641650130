/** The store and page of the multi-instance tests (shared by the instance script and the tests). */
export class Counter {
  Count = 0;
  Banner = "none";

  increment(): void {
    this.Count++;
  }
}

/** The page: tests read the numbers back from the rendered HTML. */
export const COUNTER_TEMPLATE = `<p>count=<b>{{.Count}}</b> banner=<i>{{.Banner}}</i></p>`;
