/**
 * Events the server pushes (`meta.events`, from `ctx.pushEvent`): each one's commands run (the
 * commands chunk, loaded on first use), then hooks that called `handleEvent(name, fn)` get its
 * payload, then `lvt:<name>` is dispatched on `window` with the payload as `detail`.
 */
import type { PushedEvent } from "../protocol/messages.js";
import { EVENT_PREFIX } from "../protocol/wire.js";
import { loadChunk } from "./chunks.js";
import type { CommandsChunk, CoreApi } from "./commands/api.js";
import type { HookRunner } from "./hooks.js";
import { claim } from "./loading.js";

/** The commands chunk, loaded once and handed the core's API; `page` is the live page's URL. */
export const commands = (page: string, act: CoreApi["act"]): Promise<CommandsChunk> =>
  loadChunk<CommandsChunk>("commands", page).then((c) => (c.init({ claim, act }), c));

/** Pushed events go out in order; one with commands waits for the chunk to run them first. */
let chain: Promise<unknown> = Promise.resolve();

/** Delivers one pushed event; `cmds` loads the commands chunk when the event carries commands. */
export function fire(e: PushedEvent, hooks: HookRunner, cmds: () => Promise<CommandsChunk>): void {
  const deliver = (): void => {
    hooks.emit(e.name, e.payload);
    window.dispatchEvent(new CustomEvent(EVENT_PREFIX + e.name, { detail: e.payload }));
  };
  chain = e.commands ? chain.then(cmds).then((c) => c.run(e.commands, null)).then(deliver, deliver) : chain.then(deliver);
}
