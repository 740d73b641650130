import { describe, expect, it } from "vitest";
import { Outbox } from "./outbox.js";
import { EncodedFrame, type Member } from "./frame.js";

/** Any JSON value as a frame (the outbox does not look inside). */
const encode = (v: unknown): EncodedFrame => new EncodedFrame(Buffer.from(JSON.stringify(v), "utf8"));

function member(id: string, log: string[], open = true): Member {
  return {
    id,
    userId: "u",
    groupId: "g",
    closed: false,
    deliver(frame) {
      log.push(`${id}:${frame.payload.toString()}`);
      return open;
    },
  };
}

describe("Outbox", () => {
  it("writes parked frames in the order they were parked, once", () => {
    const log: string[] = [];
    const box = new Outbox();
    const a = member("a", log);
    const b = member("b", log);
    box.add(a, encode({ n: 1 }), () => {});
    box.add(b, encode({ n: 1 }), () => {});
    box.add(a, encode({ n: 2 }), () => {});
    expect(log).toEqual([]);
    box.flush();
    box.flush();
    expect(log).toEqual(['a:{"n":1}', 'b:{"n":1}', 'a:{"n":2}']);
    expect(box.size).toBe(0);
  });

  it("tells the owner about a member whose write failed", () => {
    const dropped: string[] = [];
    const box = new Outbox();
    box.add(member("gone", [], false), encode({}), (m) => dropped.push(m.id));
    box.add(member("here", []), encode({}), (m) => dropped.push(m.id));
    box.flush();
    expect(dropped).toEqual(["gone"]);
  });

  it("flushes by itself at the end of the event-loop turn", async () => {
    const log: string[] = [];
    const box = new Outbox();
    box.add(member("a", log), encode({ n: 1 }), () => {});
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['a:{"n":1}']);
  });

  it("a write made while flushing (a member flushing first) finds nothing left to write", () => {
    const log: string[] = [];
    const box = new Outbox();
    const reentrant: Member = {
      id: "r",
      userId: "u",
      groupId: "g",
      closed: false,
      deliver(frame) {
        box.flush();
        log.push(`r:${frame.payload.toString()}`);
        return true;
      },
    };
    box.add(reentrant, encode({ n: 1 }), () => {});
    box.add(reentrant, encode({ n: 2 }), () => {});
    box.flush();
    expect(log).toEqual(['r:{"n":1}', 'r:{"n":2}']);
  });
});
