/**
 * Moving a session group to a fresh id (`handler.rotateSession` after a login): its state, its
 * topic subscriptions, its flash messages and its live connections follow the new id; the old id
 * is forgotten.
 */
import type { ConnectionRegistry } from "../server/connection-registry.js";
import type { TopicHub } from "../topics/hub.js";
import type { Member } from "./frame.js";
import { flashes } from "./flash.js";
import type { SessionGroup } from "./group.js";
import type { GroupTable } from "./groups.js";

/** Renames `g` to `to` in its queue. */
export function rotateGroup<M extends Member>(g: SessionGroup, to: string, on: { groups: GroupTable; topics: TopicHub; registry: ConnectionRegistry<M> }): Promise<void> {
  return g.run(async () => {
    const from = g.id;
    if (from === to) return;
    await on.groups.refresh(g);
    await on.groups.rename(g, to);
    on.topics.renameGroup(from, to);
    flashes.rename(from, to);
    for (const m of [...on.registry.getByGroup(from)]) on.registry.move(m, to);
  });
}
