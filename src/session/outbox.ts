/**
 * Frames rendered by a broadcast and not yet written.
 *
 * A broadcast to many session groups renders, encodes and writes group after group. Writing to a
 * loopback or LAN socket wakes its reader, and with few cores the readers then compete with the
 * rest of the render loop, so interleaving the writes with the renders made every write several
 * times dearer than the same writes done back to back. The broadcast therefore renders every
 * group first, parking each frame here, and then writes them all in one loop.
 *
 * Order per connection is kept: every other frame the engine writes to a connection, and every
 * other render of a group, first flushes what is parked, so no frame can overtake a parked one.
 * Each engine has its own outbox (a connection belongs to one engine). If the broadcast is spread over several event-loop turns (a session store doing real I/O),
 * what is parked is written at the end of the turn rather than held until the last group is done.
 */
import type { EncodedFrame, Member } from "./frame.js";

interface Parked {
  member: Member;
  frame: EncodedFrame;
  /** Called when the write fails (connection closed or too slow): the group forgets the member. */
  drop: (member: Member) => void;
}

export class Outbox {
  private parked: Parked[] = [];
  private scheduled = false;

  /** `written` is told the size of every frame a member accepted. */
  constructor(private readonly written: (bytes: number) => void = () => {}) {}

  get size(): number {
    return this.parked.length;
  }

  add(member: Member, frame: EncodedFrame, drop: (member: Member) => void): void {
    this.parked.push({ member, frame, drop });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Writes everything parked, in the order it was parked. */
  flush(): void {
    if (this.parked.length === 0) return;
    const batch = this.parked;
    // Swapped first: a write below may flush again (sendFrame does); it then finds nothing.
    this.parked = [];
    for (const p of batch) {
      if (p.member.deliver(p.frame)) this.written(p.frame.length);
      else p.drop(p.member);
    }
  }
}
