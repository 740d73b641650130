/**
 * The contract between the core and the effects chunk (`chunk.ts`). Types only, so neither side
 * carries the other's code.
 */

/** The chunk's exports. */
export interface FxChunk {
  /**
   * Called after every patch that changed `wrapper`: plays the effects its `lvt-fx:*` attributes
   * ask for on an update, and starts listening for the events their `:on:` triggers name.
   */
  run(wrapper: Element): void;
}
