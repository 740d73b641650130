/**
 * What a `RedisSessionStore` does while Redis cannot be reached: the policy an app chooses,
 * and the error a change fails with under the default policy.
 */
import { LiveTemplateError } from "../../adapter.js";

/**
 * What a change does while Redis cannot be reached (see docs/redis.md, "Failures"):
 * - `wait` (default): it waits for Redis up to `waitMs` (default 3000), then fails with
 *   {@link SessionUnavailableError} and the handler rolls it back: an action is acknowledged only
 *   once Redis holds it. After a group is re-seeded (Redis came back empty), saves wait `settleMs`
 *   (default 3000) so every instance holding the group can offer its copy, and the newest wins.
 * - `serve-from-memory`: instances keep serving from memory and save later; changes made during
 *   an outage may be dropped when another instance saved first (availability over durability).
 */
export type UnavailablePolicy =
  | { readonly mode: "wait"; readonly waitMs?: number; readonly settleMs?: number }
  | { readonly mode: "serve-from-memory" };

/**
 * Raised by `transact` (policy `wait`) when Redis did not take the change in time; the change
 * was not saved and never will be (a save that reaches Redis after its deadline is refused).
 */
export class SessionUnavailableError extends LiveTemplateError {
  constructor(groupId: string, why: string, options?: { cause?: unknown }) {
    super("LT_ERR_SESSION_UNAVAILABLE", `session group ${groupId}: ${why}; the change was not saved`, options);
  }
}
