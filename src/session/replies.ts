/**
 * Replies that depend on what the client holds or already sent, beside the engine's own flows:
 * HTTP trees tagged with their render id (diffed only against the render the client holds), the
 * answer to a repeated action id (the remembered outcome, the action is not run again), and the
 * server log of unknown action names (once per name, bounded).
 */
import { compactTree } from "../protocol/compact.js";
import { actionReply, firstMessage, isErrorMessage, treeMessage, type NavigationMeta, type ServerMessage, type TreeMessage, withNavigation } from "../protocol/messages.js";
import { LiveTemplateError } from "../errors.js";
import { CAPABILITY_ROWS, ERROR_GENERAL } from "../protocol/wire.js";
import type { Origin, Reply, SessionEvent } from "./events.js";
import type { Member } from "./frame.js";
import type { SessionGroup } from "./group.js";
import type { ActionOutcome } from "./recent-actions.js";
import type { Logger } from "./types.js";

/** How many distinct unknown actions are logged before the log stops naming them. */
export const LOGGED_UNKNOWN_ACTIONS = 256;
const UNKNOWN_ACTION = "LT_ERR_PROTOCOL_UNKNOWN_ACTION";
const NONE: Reply = { kind: "none" };

/** The reply to a JSON GET: the full tree, restarting the group's HTTP render cache. Call inside `run`. */
export function httpFirstReply(g: SessionGroup, capabilities: readonly string[], navigation?: NavigationMeta): Reply {
  const { tree, render } = g.httpFullTree();
  return { kind: "message", message: withNavigation(firstMessage(tree, capabilities), navigation), render };
}

/**
 * The first message of a live member (connect, a navigation with a full tree): the full tree,
 * with compact range items and no empty capability list for a client that asked for them (our
 * client's `rows` capability, see `protocol/compact.ts`). Call inside `run`.
 */
export function liveFirstMessage(g: SessionGroup, member: Member, capabilities: readonly string[]): TreeMessage {
  const tree = g.fullTreeFor(member);
  if (member.capabilities?.has(CAPABILITY_ROWS) !== true) return firstMessage(tree, capabilities);
  const m = firstMessage(compactTree(tree), capabilities);
  return capabilities.length > 0 ? m : { tree: m.tree, meta: { success: true, errors: m.meta.errors } };
}

/**
 * The reply to a JSON POST's action: a diff against the render the client holds (the origin's
 * `render`), or a full tree when this instance cannot diff against exactly that. Call inside `run`.
 */
export function httpActionReply(g: SessionGroup, origin: Origin, action: string, errors: Record<string, string>): Reply {
  const { tree, render } = g.httpDiff(errors, origin.kind === "request" ? origin.render : undefined);
  return { kind: "message", message: actionReply(tree, action, errors), render };
}

/** What {@link Replies} borrows from the engine. */
export interface ReplyPort {
  /** Sends a live member a message in order (inside the group's task) and returns it as the reply. */
  reply(g: SessionGroup, member: Member, message: ServerMessage): Reply;
  /** Reloads a group without live connections from the session store. Call inside `run`. */
  refresh(g: SessionGroup): Promise<void>;
}

type ActionEvent = Extract<SessionEvent, { kind: "action" }>;

export class Replies {
  private readonly unknown = new Set<string>();

  constructor(
    private readonly logger: Logger,
    private readonly port: ReplyPort,
  ) {}

  /**
   * Runs an action event through `run` unless its id was seen in this group before: then the
   * first try's outcome is sent again (after that try ends, if it is still running). An action
   * without an id (the published client sends none) always runs.
   */
  async action(g: SessionGroup, event: ActionEvent, origin: Origin, run: () => Promise<Reply>): Promise<Reply> {
    const id = event.id;
    if (id === undefined || origin.kind === "server" || (origin.kind === "request" && origin.reply === "page")) return this.checked(await run());
    const seen = g.recent.lookup(id);
    if (seen !== undefined) {
      const outcome = await seen;
      // A first try that never ran (its connection closed first) was forgotten: run this one.
      return outcome === undefined ? this.action(g, event, origin, run) : this.replay(g, origin, event.action, outcome);
    }
    const end = g.recent.begin(id);
    let outcome: ActionOutcome | undefined;
    try {
      const reply = await run();
      outcome = outcomeOf(reply);
      return this.checked(reply);
    } catch (err) {
      // The action may have changed state before failing: a retry must not run it again.
      outcome = { kind: "meta", meta: { success: false, errors: { [ERROR_GENERAL]: "the action failed" }, action: event.action } };
      throw err;
    } finally {
      end(outcome);
    }
  }

  /** Logs an unknown action the first time its name is seen; returns the reply unchanged. */
  checked(reply: Reply): Reply {
    if (reply.kind !== "message" || !isErrorMessage(reply.message) || reply.message.code !== UNKNOWN_ACTION) return reply;
    // The name comes from the client: bounded, and without control characters that could forge log lines.
    // eslint-disable-next-line no-control-regex
    const what = reply.message.message.slice(0, 200).replace(/[\u0000-\u001f\u007f]/g, "?");
    if (this.unknown.has(what) || this.unknown.size > LOGGED_UNKNOWN_ACTIONS) return reply;
    this.unknown.add(what);
    if (this.unknown.size > LOGGED_UNKNOWN_ACTIONS) {
      this.logger.warn(`${UNKNOWN_ACTION}: more than ${LOGGED_UNKNOWN_ACTIONS} unknown actions, no longer logging them`);
    } else {
      this.logger.warn(`${UNKNOWN_ACTION}: ${what} (logged once)`);
    }
    return reply;
  }

  private replay(g: SessionGroup, origin: Origin, action: string, outcome: ActionOutcome): Promise<Reply> {
    if (origin.kind === "live") {
      const member = origin.member;
      // The member's tree already shows the first try's effect (pushed, or in its full tree).
      const message: ServerMessage = outcome.kind === "error" ? outcome.message : treeMessage({}, outcome.meta);
      return g.run(() => (member.closed ? NONE : this.port.reply(g, member, message)));
    }
    return g.run(async (): Promise<Reply> => {
      if (outcome.kind === "error") return { kind: "message", message: outcome.message };
      await this.port.refresh(g);
      const r = httpActionReply(g, origin, action, outcome.meta.errors);
      return r.kind === "message" && "meta" in r.message ? { ...r, message: withNavigation(r.message, outcome.meta.navigation) } : r;
    });
  }
}

/** What a reply told its client, to tell a repeat of the same action; undefined if it did not run. */
function outcomeOf(reply: Reply): ActionOutcome | undefined {
  if (reply.kind !== "message") return undefined;
  const m = reply.message;
  if (isErrorMessage(m)) return { kind: "error", message: m };
  if ("meta" in m) {
    const meta = {
      success: m.meta.success,
      errors: m.meta.errors,
      ...(m.meta.action !== undefined ? { action: m.meta.action } : {}),
      // A retry of an action that navigated must navigate too.
      ...(m.meta.navigation !== undefined ? { navigation: m.meta.navigation } : {}),
    };
    return { kind: "meta", meta };
  }
  return undefined;
}

/** `_general` for an action rolled back because its state could not be rendered or saved. */
export function failureText(outcome: { readonly reason: "render" | "save"; readonly cause: unknown }, dev: boolean): string {
  const detail = dev && outcome.cause instanceof Error ? `: ${outcome.cause.message}` : "";
  if (outcome.reason === "render") return `the update could not be rendered${detail}`;
  if (outcome.cause instanceof LiveTemplateError && outcome.cause.code === "LT_ERR_SESSION_UNAVAILABLE") {
    return `the session store is unavailable; the action was not applied, try again${detail}`;
  }
  return `the change could not be saved; the action was not applied${detail}`;
}

/** A reply carrying a protocol message. */
export function messageReply(message: ServerMessage, bytes?: number): Reply {
  return bytes === undefined ? { kind: "message", message } : { kind: "message", message, bytes };
}
