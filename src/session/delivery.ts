/**
 * How the engine's frames reach live members, in order. Three ways:
 * - sent at once, after whatever a broadcast parked (`send`);
 * - parked in the outbox while a broadcast renders group after group (`park`, then `flush`);
 * - held while a group's action is undecided (`holding`): the frames go out once the action is
 *   saved, or rolled back and restored, so no tab shows a state that was never saved.
 * Every write that fails (a closed or too slow connection) calls the group's `drop`.
 */
import { isEmpty, pushMessage, type WireTree } from "../protocol/messages.js";
import type { EncodedFrame, Member } from "./frame.js";
import { encode } from "./frame.js";
import type { Postman } from "./group.js";
import { Outbox } from "./outbox.js";

type Drop = (member: Member) => void;

interface Held {
  member: Member;
  frame: EncodedFrame;
  drop: Drop;
}

export class Delivery implements Postman {
  private readonly outbox: Outbox;
  /** Frames of groups whose action is undecided, by group id (see {@link holding}). */
  private readonly held = new Map<string, Held[]>();

  /** `written` is told the size of every frame a member accepted. */
  constructor(private readonly written: (bytes: number) => void = () => {}) {
    this.outbox = new Outbox(written);
  }

  /** A group's frame: held while the group's action is undecided, else sent. */
  send(member: Member, frame: EncodedFrame, drop: Drop): void {
    const held = this.held.size === 0 ? undefined : this.held.get(member.groupId);
    if (held !== undefined) held.push({ member, frame, drop });
    else this.write(member, frame, drop);
  }

  park(member: Member, frame: EncodedFrame, drop: Drop): void {
    this.outbox.add(member, frame, drop);
  }

  /** Writes everything a broadcast parked. */
  flush(): void {
    this.outbox.flush();
  }

  /** Writes a frame now, after whatever a broadcast parked, keeping per-member order. */
  write(member: Member, frame: EncodedFrame, drop: Drop): void {
    if (this.outbox.size > 0) this.outbox.flush();
    if (member.deliver(frame)) this.written(frame.length);
    else drop(member);
  }

  /** Sends a tree as a plain update (no meta of an action), unless it is empty. */
  forward(member: Member, tree: WireTree, drop: Drop): void {
    if (!isEmpty(tree)) this.send(member, encode(pushMessage(tree)), drop);
  }

  /**
   * Runs `task` with the group's frames held back, then sends them in order: the frames of an
   * action go out only once its outcome (saved, or rolled back and restored) is known.
   */
  async holding<T>(groupId: string, task: () => Promise<T>): Promise<T> {
    const held: Held[] = [];
    this.held.set(groupId, held);
    try {
      return await task();
    } finally {
      this.held.delete(groupId);
      for (const h of held) this.write(h.member, h.frame, h.drop);
    }
  }
}
