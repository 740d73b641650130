/**
 * One journey: a random template, a random initial state and `length` random actions; after each,
 * the live template's update is applied to a client and the client's HTML is compared with a plain
 * render. Throws with the seed and step on the first difference.
 * @internal
 */
import type { ChangePath } from "../../src/changes/path.js";
import type { TreeNode, TreeUpdate } from "../../src/protocol/tree.js";
import { ATTR_LOADING, ATTR_WRAPPER_ID } from "../../src/protocol/wire.js";
import { genState, genTemplate, mutate, Rng, type State } from "./journey.js";

/** The live template as the journey uses it (the class, so that dist/ and sources both work). */
export interface LiveLike {
  parse(text: string): LiveLike;
  execute(data: unknown): string;
  executeUpdates(data: unknown, options?: { changed?: Iterable<ChangePath> }): TreeNode | TreeUpdate;
  executeToHTML(data: unknown, options?: { wrapperId?: string; loading?: boolean }): string;
  clone(): LiveLike;
  reset(): void;
}

/** A client that applies updates and reports its HTML. */
export interface ClientLike {
  apply(update: unknown): string;
}

/** What a journey needs from its caller. */
export interface JourneyDeps {
  Template: new (name: string) => LiveLike;
  newClient: () => ClientLike;
  /** Called with each update sent to the hinted client (for replaying a failure). */
  log?: (step: number, update: unknown, changed: ChangePath[] | undefined) => void;
}

const WRAPPER = new RegExp(`<div ${ATTR_WRAPPER_ID}="lvt-[0-9a-f]{16}" ${ATTR_LOADING}="true">`);

/** Thrown when the client's HTML differs from the plain render. */
export class JourneyFailure extends Error {}

/**
 * Checks that `page` is `plain` with the wrapper div around exactly `inner`; returns a complaint
 * or null.
 */
function checkPage(page: string, plain: string, inner: string): string | null {
  const m = WRAPPER.exec(page);
  if (!m) return "no wrapper in page";
  const start = m.index + m[0].length;
  if (!page.startsWith(inner, start) || !page.startsWith("</div>", start + inner.length)) {
    return `wrapper does not hold the client's html\npage: ${page}\nclient: ${inner}`;
  }
  const unwrapped = page.slice(0, m.index) + inner + page.slice(start + inner.length + 6);
  return unwrapped === plain ? null : `page without the wrapper differs\n got: ${unwrapped}\nwant: ${plain}`;
}

function tryRender(f: () => string): { ok: true; html: string } | { ok: false; err: unknown } {
  try {
    return { ok: true, html: f() };
  } catch (err) {
    return { ok: false, err };
  }
}

/** Runs one journey; returns the number of steps checked. */
export function runJourney(seed: number, length: number, deps: JourneyDeps): number {
  const rng = new Rng(seed);
  const { text, page } = genTemplate(rng);
  let hinted: LiveLike;
  let plain: LiveLike;
  let pager: LiveLike;
  try {
    hinted = new deps.Template("t").parse(text);
    plain = hinted.clone();
    pager = hinted.clone();
    hinted.execute(genState(new Rng(1)));
  } catch {
    return 0; // rejected by the parser or escaper: not a live-tree question
  }
  let state: State = genState(rng);
  const style = new Rng(seed ^ 0x5bd1e995);
  let clients = [deps.newClient(), deps.newClient()];
  let steps = 0;
  const fail = (step: number, msg: string): never => {
    throw new JourneyFailure(`seed ${seed} step ${step}: ${msg}\ntemplate: ${text}\nstate: ${JSON.stringify(state)}`);
  };
  for (let step = 0; step <= length; step++) {
    let changed: ChangePath[] | undefined;
    if (step > 0) {
      changed = mutate(rng, state, style);
      if (rng.bool(0.05)) state = structuredClone(state);
      if (rng.bool(0.05)) {
        // Reconnect: a new client gets a full tree.
        clients = [deps.newClient(), deps.newClient()];
        if (rng.bool()) {
          hinted.reset();
          plain.reset();
        } else {
          hinted = hinted.clone();
          plain = plain.clone();
        }
      }
    }
    const want = tryRender(() => hinted.execute(state));
    const live = [
      tryRender(() => {
        const u = hinted.executeUpdates(state, changed ? { changed } : {});
        deps.log?.(step, u, changed);
        return clients[0]!.apply(u);
      }),
      tryRender(() => clients[1]!.apply(plain.executeUpdates(state))),
    ];
    if (!want.ok) {
      if (live.some((l) => l.ok)) fail(step, "plain render failed but the live render did not: " + String(want.err));
      continue;
    }
    const wantHtml = want.html;
    for (const [i, l] of live.entries()) {
      if (!l.ok) return fail(step, `live render ${i} failed: ${String(l.err)}`);
      if (page) {
        const bad = checkPage(pager.executeToHTML(state), wantHtml, l.html);
        if (bad) fail(step, `client ${i}: ${bad}`);
      } else if (l.html !== wantHtml) fail(step, `client ${i} html differs\n got: ${l.html}\nwant: ${wantHtml}`);
    }
    if (rng.bool(0.05)) {
      // executeToHTML forgets the client's tree: the page reloads and reconnects.
      hinted.executeToHTML(state);
      plain.executeToHTML(state);
      clients = [deps.newClient(), deps.newClient()];
    }
    steps++;
  }
  return steps;
}
