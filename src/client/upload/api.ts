/**
 * The contract between the core and the upload chunk (`chunk.ts`): what the chunk exports and
 * what each live client lends it. Types only, so neither side carries the other's code.
 */
import type { Message } from "../options.js";

/** What a live client (one wrapper) lends the upload chunk. */
export interface UploadHost {
  /** The client's wrapper element. */
  readonly wrapper: HTMLElement;
  /** The client's WebSocket while it is open, else `null` (down, reconnecting, or HTTP only). */
  sock(): WebSocket | null;
  /**
   * POSTs an upload request to the live URL with header `X-Lvt-Upload: <kind>` (`start` with a
   * JSON message, `proxied` with a multipart form), in order with the client's other HTTP
   * exchanges; the reply is handled as any other (a tree is applied, an `upload_name` message is
   * handed back to the chunk). Resolves with the reply; rejects when the server gave none.
   */
  upload(body: object | FormData, kind: string): Promise<Message>;
}

/** The chunk's exports. */
export interface UploadChunk {
  /** Called after every patch of `host`'s wrapper: binds inputs and zones, re-applies previews and progress. */
  scan(host: UploadHost): void;
  /** A server message about uploads (it has `upload_name`), over the socket or as an HTTP reply. */
  receive(msg: Record<string, unknown>, host: UploadHost): void;
}
