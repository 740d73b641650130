/**
 * A streaming `multipart/form-data` parser (RFC 7578): fed the body in chunks as they arrive, it
 * returns the parts' headers and data as events, holding back only what could be the start of
 * the next boundary. It never holds a whole part in memory: the caller decides what to keep
 * (form fields) and where bytes go (a staged file, or nowhere).
 */
import { MalformedBodyError } from "./http-io.js";

/** What the parser found in a chunk of the body. */
export type PartEvent =
  /** A part begins; `filename` is set for a file input's part (maybe `""`: no file chosen). */
  | { readonly kind: "part"; readonly name: string; readonly filename: string | undefined; readonly type: string }
  /** Bytes of the current part (a view into the chunk: copy or write it before the next push). */
  | { readonly kind: "data"; readonly bytes: Buffer }
  /** The current part ended. */
  | { readonly kind: "end" };

/** Most bytes of one part's headers. */
const MAX_HEADER_BYTES = 16 * 1024;
/** Most parts in one body. */
const MAX_PARTS = 1000;

type State = "preamble" | "headers" | "body" | "after" | "done";

export class MultipartParser {
  private readonly delimiter: Buffer;
  private buf: Buffer = Buffer.alloc(0);
  private state: State = "preamble";
  private parts = 0;

  constructor(boundary: string) {
    if (boundary === "" || boundary.length > 70) throw new MalformedBodyError("multipart boundary missing or too long");
    // The first boundary may start the body; every later one follows a CRLF.
    this.delimiter = Buffer.from(`\r\n--${boundary}`, "latin1");
    this.buf = Buffer.from("\r\n", "latin1");
  }

  /** The boundary of a `multipart/form-data` content type; throws when it has none. */
  static boundaryOf(contentType: string): string {
    const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
    const b = m?.[1] ?? m?.[2];
    if (b === undefined) throw new MalformedBodyError("multipart body without a boundary");
    return b;
  }

  /** True once the closing boundary was read. */
  get finished(): boolean {
    return this.state === "done";
  }

  /** Feeds the next chunk; returns what it completed. Throws {@link MalformedBodyError}. */
  push(chunk: Buffer): PartEvent[] {
    const out: PartEvent[] = [];
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      switch (this.state) {
        case "preamble": {
          const at = this.buf.indexOf(this.delimiter);
          if (at < 0) {
            // Keep only what could still be the start of the first boundary.
            if (this.buf.length > MAX_HEADER_BYTES) throw new MalformedBodyError("multipart body has no boundary");
            return out;
          }
          this.buf = this.buf.subarray(at + this.delimiter.length);
          this.state = "after";
          continue;
        }
        case "after": {
          if (this.buf.length < 2) return out;
          const two = this.buf.toString("latin1", 0, 2);
          if (two === "--") {
            this.state = "done";
            this.buf = Buffer.alloc(0);
            return out;
          }
          // Transport padding (spaces, tabs) may follow a boundary before its CRLF.
          const eol = this.buf.indexOf("\r\n");
          if (eol < 0) {
            if (this.buf.length > 256) throw new MalformedBodyError("malformed multipart boundary line");
            return out;
          }
          if (this.buf.subarray(0, eol).toString("latin1").trim() !== "") throw new MalformedBodyError("malformed multipart boundary line");
          this.buf = this.buf.subarray(eol + 2);
          this.state = "headers";
          continue;
        }
        case "headers": {
          const end = this.buf.indexOf("\r\n\r\n");
          if (end < 0) {
            if (this.buf.length > MAX_HEADER_BYTES) throw new MalformedBodyError("multipart part headers too long");
            return out;
          }
          if (++this.parts > MAX_PARTS) throw new MalformedBodyError(`more than ${MAX_PARTS} multipart parts`);
          out.push(parseHeaders(this.buf.toString("utf8", 0, end)));
          this.buf = this.buf.subarray(end + 4);
          this.state = "body";
          continue;
        }
        case "body": {
          const at = this.buf.indexOf(this.delimiter);
          if (at < 0) {
            // Everything but a tail that could be the start of the delimiter is data.
            const keep = Math.min(this.buf.length, this.delimiter.length - 1);
            const safe = this.buf.length - keep;
            if (safe > 0) {
              out.push({ kind: "data", bytes: this.buf.subarray(0, safe) });
              // Copied: the tail must not pin the chunk it came from.
              this.buf = Buffer.from(this.buf.subarray(safe));
            }
            return out;
          }
          if (at > 0) out.push({ kind: "data", bytes: this.buf.subarray(0, at) });
          out.push({ kind: "end" });
          this.buf = this.buf.subarray(at + this.delimiter.length);
          this.state = "after";
          continue;
        }
        case "done":
          // The epilogue is ignored.
          this.buf = Buffer.alloc(0);
          return out;
        default: {
          const never: never = this.state;
          return never;
        }
      }
    }
  }

  /** The body ended: throws unless the closing boundary was read. */
  finish(): void {
    if (this.state !== "done") throw new MalformedBodyError("multipart body ended before its closing boundary");
  }
}

/** The `part` event of one part's header block. */
function parseHeaders(block: string): PartEvent {
  let name: string | undefined;
  let filename: string | undefined;
  let type = "";
  for (const line of block.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new MalformedBodyError("malformed multipart part header");
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === "content-type") type = value;
    if (key !== "content-disposition") continue;
    if (!/^form-data\b/i.test(value)) throw new MalformedBodyError("multipart part is not form-data");
    const params = dispositionParams(value);
    name = params.get("name");
    filename = params.get("filename*") ?? params.get("filename");
  }
  if (name === undefined) throw new MalformedBodyError("multipart part without a name");
  return { kind: "part", name, filename, type };
}

/** The parameters of a Content-Disposition value (quoted strings with `\` escapes; `filename*` decoded). */
function dispositionParams(value: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /;\s*([A-Za-z0-9_*.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const m of value.matchAll(re)) {
    const key = m[1]!.toLowerCase();
    let v = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : (m[3] ?? "").trim();
    if (key.endsWith("*")) {
      const ext = /^([^']*)'[^']*'(.*)$/.exec(v);
      if (ext !== null) {
        try {
          v = decodeURIComponent(ext[2]!);
        } catch {
          continue;
        }
      }
    }
    out.set(key, v);
  }
  return out;
}
