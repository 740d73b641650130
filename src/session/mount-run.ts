/**
 * One `mount` run before a full render (page, JSON GET, connect, `__navigate__`), with its
 * {@link Navigation} and the flash messages' lifetime around it.
 */
import { pushMessage, type ServerMessage, type TreeMessage, withNavigation } from "../protocol/messages.js";
import { CAPABILITY_NAV } from "../protocol/wire.js";
import type { Origin, Reply } from "./events.js";
import { flashes } from "./flash.js";
import type { Member } from "./frame.js";
import type { SessionGroup } from "./group.js";
import { LVT_KEY } from "./lvt.js";
import { Navigation } from "./navigation.js";
import { withClientEvents } from "./client-events.js";
import type { Caller, StoreCode } from "./store-code.js";

/**
 * Runs `mount` with a fresh {@link Navigation}; on a page change (the browser shows another page)
 * flash messages age first. Call inside `run`.
 */
export async function mountRun(
  code: StoreCode,
  g: SessionGroup,
  query: Readonly<Record<string, string>>,
  who: Caller,
  pageChange: boolean,
): Promise<Navigation> {
  if (pageChange && flashes.pageChange(g.id)) g.noteChanged([[LVT_KEY]]);
  const nav = new Navigation(() => g.id);
  await code.mount(g, query, who, nav);
  // A page GET answered with a redirect (any intent) takes its flash messages to the next page.
  flashes.settle(g.id, nav.leaves || (pageChange && nav.intent !== undefined));
  return nav;
}

/**
 * `__navigate__` from a connection that takes a diff: `mount` with the query in the group's
 * queue, then the member's diff (the group's other members get theirs as a push), sent with
 * `reply`.
 */
export function navigateWithDiff(
  code: StoreCode,
  g: SessionGroup,
  query: Readonly<Record<string, string>>,
  member: Member,
  reply: (g: SessionGroup, message: ServerMessage) => Reply,
): Promise<Reply> {
  return g.run(async (): Promise<Reply> => {
    if (member.closed) return { kind: "none" };
    const nav = await mountRun(code, g, query, { userId: member.userId, connectionId: member.id }, true);
    return reply(g, navigationReply(pushMessage(g.replyTo(member, {})), nav, { kind: "live", member }));
  });
}

/**
 * `message` with the run's `meta.navigation`, for the client at `origin`. Our client (a
 * connection with the `nav` capability, or a JSON POST naming its render) follows the meta. The
 * published client ignores it: it is sent, instead of the tree, a page that is only a
 * `<meta http-equiv="refresh">` to the URL, which the browser follows as soon as the client puts
 * it in the DOM (a full load, no script, so a strict CSP is fine).
 */
export function navigationReply(message: TreeMessage, nav: Navigation | undefined, origin: Origin): TreeMessage {
  message = withClientEvents(message, nav?.client);
  const meta = nav?.meta();
  if (meta === undefined) return message;
  const ours = origin.kind === "live" ? origin.member.capabilities?.has(CAPABILITY_NAV) === true : origin.kind === "request" && origin.render !== undefined;
  if (ours) return withNavigation(message, meta);
  const url = meta.to.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return withNavigation({ tree: { s: [`<meta http-equiv="refresh" content="0;url=${url}">`] }, meta: message.meta }, meta);
}
