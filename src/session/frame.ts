/**
 * A server message encoded once for many receivers. A group renders an update once and hands the
 * same frame to every connection in step with it, so the JSON is built once per update, and a
 * transport may build its own wire bytes once too (the WebSocket transport keeps the finished
 * frame in {@link EncodedFrame.framed}).
 */
import type { ServerMessage } from "../protocol/messages.js";

export class EncodedFrame {
  /**
   * Bytes a transport derived from `payload` once for every receiver (the WebSocket transport's
   * complete frame); `null` when that transport cannot build them. Only transports touch it.
   */
  framed: Buffer | null | undefined;

  constructor(readonly payload: Buffer) {}

  get length(): number {
    return this.payload.length;
  }
}

/**
 * Encodes a message once; the bytes are shared by every receiver. The last frame is kept: a
 * broadcast to many groups in the same state renders the same JSON for each, and they then share
 * one frame (its bytes and a transport's wire form are built once, as for one group).
 */
export function encode(message: ServerMessage): EncodedFrame {
  const text = JSON.stringify(message);
  if (text === lastText && lastFrame !== undefined) return lastFrame;
  lastFrame = new EncodedFrame(Buffer.from(text, "utf8"));
  lastText = text;
  return lastFrame;
}

let lastText = "";
let lastFrame: EncodedFrame | undefined;

/** What the engine needs from one live connection; a transport implements it. */
export interface Member {
  readonly id: string;
  readonly userId: string;
  /** The member's group; the engine changes it when the group's session id is rotated. */
  groupId: string;
  /** True once the connection is closed (or was closed for reading too slowly). */
  readonly closed: boolean;
  /**
   * What the client asked for beyond the published client's protocol (`lvt-cap` on its URL,
   * e.g. `nav`); none when absent.
   */
  readonly capabilities?: ReadonlySet<string>;
  /** Writes a frame; false when the connection is closed or was just closed for being slow. */
  deliver(frame: EncodedFrame): boolean;
}
