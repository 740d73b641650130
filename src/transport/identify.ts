/**
 * Who sent a request: the authenticator's user and session group, plus the headers it wants on
 * the response (a new session cookie). Shared by the HTTP and WebSocket transports.
 */
import type { IncomingMessage } from "node:http";
import type { Authenticator } from "../server/authenticator.js";
import type { Logger } from "../session/types.js";

export interface Identity {
  userId: string;
  groupId: string;
  headers: Record<string, string | string[]>;
}

/** Resolves with the request's identity, or `undefined` when the authenticator refuses it. */
export type Identify = (req: IncomingMessage) => Promise<Identity | undefined>;

export function identifier(auth: Authenticator, logger: Logger): Identify {
  return async (req) => {
    try {
      const userId = await auth.identify(req);
      const groupId = await auth.getSessionGroup(req, userId);
      return { userId, groupId, headers: auth.responseHeaders?.(req, groupId) ?? {} };
    } catch (err) {
      logger.debug("authentication refused", err);
      return undefined;
    }
  };
}
