/**
 * The contract between the core and the commands chunk (`chunk.ts`): what the chunk exports, and
 * what the core hands it. Types only, so neither side carries the other's code.
 */
import type { Payload } from "../payload.js";

/** What the core lends the chunk. */
export interface CoreApi {
  /** Records a client-owned class (`.name`) or attribute, so the next patch keeps it (`loading.ts`). */
  claim(el: Element, key: string, v: string | boolean | null): void;
  /** Sends an action from `el`'s client (the `push` command), with `el`'s loading state. */
  act(el: Element, action: string, data: Payload): void;
}

/** The chunk's exports. */
export interface CommandsChunk {
  /** Called with the core's API before anything else; later calls are ignored. */
  init(api: CoreApi): void;
  /** Runs a JSON command list (parsed, or the text of an attribute) with `el` as the default target. */
  run(commands: unknown, el: Element | null): void;
  /** Starts listening for the events that `root`'s `lvt-js:*` and `lvt-el:*` attributes name. */
  scan(root: Element): void;
}
