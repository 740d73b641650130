/**
 * Client-supplied file names and types: made safe to show and to log, and matched against an
 * upload's accept list. The staged file never uses the client's name on disk (it is a random id),
 * so these rules are about what the application and the template get.
 */
import { UPLOAD_DEFAULTS } from "./options.js";

/**
 * The base name of a client's file name, safe to display and to use as a file name: the part
 * after the last `/` or `\`, without control characters (C0, DEL, C1, bidi overrides), without
 * leading dots and spaces, `..` never left whole, at most {@link UPLOAD_DEFAULTS.maxClientName}
 * characters (the extension kept). Empty or nothing left: `"file"`.
 */
export function sanitizeClientName(raw: string): string {
  let name = raw.normalize("NFC");
  const slash = Math.max(name.lastIndexOf("/"), name.lastIndexOf("\\"));
  if (slash >= 0) name = name.slice(slash + 1);
  // eslint-disable-next-line no-control-regex
  name = name.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "");
  name = name.replace(/^[.\s]+/, "").replace(/\s+$/, "");
  const max = UPLOAD_DEFAULTS.maxClientName;
  const chars = [...name];
  if (chars.length > max) {
    const dot = name.lastIndexOf(".");
    const ext = dot > 0 && name.length - dot <= 16 ? [...name.slice(dot)] : [];
    name = chars.slice(0, max - ext.length).join("") + ext.join("");
  }
  return name === "" ? "file" : name;
}

/** A client's MIME type, lower case, without parameters; "" when it does not look like one. */
export function sanitizeType(raw: string): string {
  const t = raw.split(";")[0]!.trim().toLowerCase();
  return /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(t) && t.length <= 100 ? t : "";
}

/**
 * True when a file with this (sanitised) name and type is accepted: an extension entry matches
 * the name's end, `type/*` the type's major part, any other entry the whole type. No list: any.
 */
export function accepts(accept: readonly string[] | undefined, name: string, type: string): boolean {
  if (accept === undefined) return true;
  const lower = name.toLowerCase();
  return accept.some((a) => {
    if (a.startsWith(".")) return lower.endsWith(a) && lower.length > a.length;
    if (a.endsWith("/*")) return type.startsWith(a.slice(0, -1));
    return type === a;
  });
}
