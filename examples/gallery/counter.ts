/**
 * The counter demo's store: one number and three actions. Each action is a method named after
 * it, so `lvt-on:click="increment"` and a no-JS `<button name="increment">` both call
 * `increment()`.
 */
export class Counter {
  Count = 0;

  increment(): void {
    this.Count++;
  }

  decrement(): void {
    this.Count--;
  }

  reset(): void {
    this.Count = 0;
  }
}
