/**
 * Reading a multipart form post as it arrives: value fields are collected (bounded like any
 * message), file parts of a configured upload name are streamed to their staged files with
 * back-pressure (the next chunk of the body is read only once the last one is on disk), and
 * other file parts are read and dropped. Nothing holds a whole file in memory.
 */
import type { IncomingMessage } from "node:http";
import type { StagedEntry } from "../uploads/entry.js";
import type { UploadSet } from "../uploads/upload-set.js";
import type { Uploads } from "../uploads/uploads.js";
import { BodyTooLargeError } from "./http-io.js";
import { MultipartParser, type PartEvent } from "./multipart.js";

/** Where the parts of one body go. */
interface Sink {
  /** Bytes counted against `maxFieldBytes` (value fields, dropped files). */
  counted: number;
  /** Bytes of failed file parts read and dropped (bounded separately). */
  drained: number;
  field: { name: string; chunks: Buffer[] } | undefined;
  file: StagedEntry | undefined;
  /** A file part of no configured upload (or with no file chosen): read and dropped. */
  dropping: boolean;
}

export interface MultipartLimits {
  /** Most bytes of value fields and of file parts that are not staged. */
  readonly maxFieldBytes: number;
  /** The handler's uploads, if any; `set` receives the entries of this post. */
  readonly uploads: Uploads | undefined;
  readonly set: UploadSet;
}

/**
 * Reads a multipart body from `source` (the request, or one buffer already read by middleware)
 * and returns its value fields (a repeated name becomes an array; `__proto__` is dropped). The
 * file parts of configured uploads end up in `limits.set`. Throws `MalformedBodyError` or
 * `BodyTooLargeError`; entries already made are left in the set for the caller to release.
 */
export async function readMultipart(source: IncomingMessage | Buffer, contentType: string, limits: MultipartLimits): Promise<Record<string, unknown>> {
  const parser = new MultipartParser(MultipartParser.boundaryOf(contentType));
  const fields: Record<string, unknown> = {};
  const sink: Sink = { counted: 0, drained: 0, field: undefined, file: undefined, dropping: false };
  // A failed file part (too large, wrong type) is still read to its end, up to this much.
  let biggest = 0;
  for (const c of limits.uploads?.configs.values() ?? []) biggest = Math.max(biggest, c.maxFileSize);
  const drainLimit = 4 * biggest + limits.maxFieldBytes;
  const chunks: AsyncIterable<Buffer> | Buffer[] = Buffer.isBuffer(source) ? [source] : (source as AsyncIterable<Buffer>);
  for await (const chunk of chunks) {
    for (const ev of parser.push(chunk)) await handle(ev, sink, fields, limits, drainLimit);
  }
  parser.finish();
  return fields;
}

async function handle(ev: PartEvent, sink: Sink, fields: Record<string, unknown>, limits: MultipartLimits, drainLimit: number): Promise<void> {
  switch (ev.kind) {
    case "part": {
      if (ev.filename === undefined) {
        sink.field = { name: ev.name, chunks: [] };
        return;
      }
      // A file input with no file chosen sends an empty filename and no bytes.
      const entry = ev.filename === "" || limits.uploads === undefined ? undefined : limits.uploads.beginPart(limits.set, ev.name, ev.filename, ev.type);
      sink.file = entry;
      sink.dropping = entry === undefined;
      return;
    }
    case "data": {
      if (sink.field !== undefined || sink.dropping) {
        sink.counted += ev.bytes.length;
        if (sink.counted > limits.maxFieldBytes) throw new BodyTooLargeError();
        if (sink.field !== undefined) sink.field.chunks.push(Buffer.from(ev.bytes));
        return;
      }
      const e = sink.file;
      if (e === undefined || limits.uploads === undefined) return;
      if (!(await limits.uploads.partData(limits.set, e, ev.bytes))) {
        sink.drained += ev.bytes.length;
        if (sink.drained > drainLimit) throw new BodyTooLargeError();
      }
      return;
    }
    case "end": {
      if (sink.field !== undefined) add(fields, sink.field.name, Buffer.concat(sink.field.chunks).toString("utf8"));
      else if (sink.file !== undefined) await limits.uploads?.endPart(sink.file);
      sink.field = undefined;
      sink.file = undefined;
      sink.dropping = false;
      return;
    }
    default: {
      const never: never = ev;
      return never;
    }
  }
}

function add(out: Record<string, unknown>, k: string, v: string): void {
  if (k === "__proto__") return;
  const prev = Object.hasOwn(out, k) ? out[k] : undefined;
  if (prev === undefined) out[k] = v;
  else if (Array.isArray(prev)) prev.push(v);
  else out[k] = [prev, v];
}
