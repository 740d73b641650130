/**
 * Topic messages and a shared session store. Every instance that holds a session group in
 * memory gets each message published to a topic the group is subscribed to; with a store shared
 * by those instances, each running `onMessage` would change the one saved state once per
 * instance. So each delivery is claimed in the store first (by group and message id), and only
 * the instance that wins runs `onMessage`; the others load the change from the store when the
 * winner's notice arrives.
 */
import type { SessionStore } from "../server/session-store.js";
import type { TopicDelivery } from "../topics/types.js";
import type { SessionGroup } from "./group.js";
import type { Logger } from "./types.js";

/** How long a claim on a topic message lives in the store, ms. */
const CLAIM_TTL_MS = 10 * 60 * 1000;

/**
 * The deliveries of a batch this instance should run for `groupId`: the messages it claimed
 * first, and every presence diff (each instance computes its own). Without `claim` on the store,
 * or when a claim cannot be asked (the store unreachable), a message is kept: delivered at least
 * once rather than lost.
 */
export async function claimed(store: SessionStore, groupId: string, deliveries: readonly TopicDelivery[], logger: Logger): Promise<readonly TopicDelivery[]> {
  const claim = store.claim;
  if (claim === undefined || !deliveries.some((d) => d.kind === "message" && d.id !== undefined)) return deliveries;
  const won = await Promise.all(
    deliveries.map((d) =>
      d.kind !== "message" || d.id === undefined
        ? true
        : claim.call(store, `topic:${groupId}\u0000${d.id}`, CLAIM_TTL_MS).catch((err: unknown) => {
            logger.warn("topics: could not claim a message in the session store; running onMessage here", err);
            return true;
          }),
    ),
  );
  return deliveries.filter((_, i) => won[i]);
}

/**
 * Runs a batch of topic deliveries in the group's queue with `deliver`: with a shared `store`,
 * only the messages this instance claimed (and the presence diffs). Resolves with whether it ran
 * any (with a shared store the other instances then have to load the change).
 */
export function runTopicBatch(
  g: SessionGroup,
  deliveries: readonly TopicDelivery[],
  store: SessionStore | undefined,
  logger: Logger,
  deliver: (mine: readonly TopicDelivery[]) => Promise<void>,
): Promise<boolean> {
  return g.run(async () => {
    const mine = store === undefined ? deliveries : await claimed(store, g.id, deliveries, logger);
    if (mine.length === 0) return false;
    await deliver(mine);
    return true;
  });
}
