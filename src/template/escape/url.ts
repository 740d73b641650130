/**
 * URL contexts: the scheme filter, percent-encoding (normalizing a whole URL, or escaping a
 * query component) and the `srcset` filter.
 */
import { FILTER_FAILSAFE } from "./failsafe.js";
import { isHex } from "./css.js";
import { plainText, stringify, type StringKind } from "./stringify.js";

/** Whether a URL has no scheme, or one of the schemes that cannot run code (http, https, mailto). */
export function isSafeURL(s: string): boolean {
  const colon = s.indexOf(":");
  if (colon >= 0) {
    const scheme = s.slice(0, colon);
    if (!scheme.includes("/")) {
      const lower = scheme.toLowerCase();
      if (lower !== "http" && lower !== "https" && lower !== "mailto") return false;
    }
  }
  return true;
}

/** Replaces a URL with an unsafe scheme (`javascript:`...) by `#ZgotmplZ`; trusted URLs pass. */
export function urlFilter(...args: unknown[]): string {
  const plain = plainText(args);
  if (plain !== null) return isSafeURL(plain) ? plain : "#" + FILTER_FAILSAFE;
  const [s, kind] = stringify(args);
  if (kind === "url") return s;
  return isSafeURL(s) ? s : "#" + FILTER_FAILSAFE;
}

/** How processURL treats an ASCII code unit. */
const KEEP = 0;
const RESERVED = 1;
const PERCENT = 2;
const ENCODE = 3;

const URL_CLASS: readonly number[] = Array.from({ length: 0x80 }, (_, code) => {
  const c = String.fromCharCode(code);
  if (/[a-zA-Z0-9\-._~]/.test(c)) return KEEP;
  if ("!#$&*+,/:;=?@[]".includes(c)) return RESERVED;
  if (c === "%") return PERCENT;
  return ENCODE;
});

function pct(byte: number): string {
  return "%" + byte.toString(16).padStart(2, "0");
}

/** Whether the code unit at s[i] stays as it is (ASCII only). */
function keepsASCII(s: string, i: number, cls: number, norm: boolean): boolean {
  if (cls === KEEP) return true;
  if (cls === RESERVED) return norm;
  if (cls === PERCENT) return norm && i + 2 < s.length && isHex(s[i + 1]) && isHex(s[i + 2]);
  return false;
}

/**
 * Percent-encodes `s`. When normalizing, reserved characters and valid `%xx` escapes are kept
 * (the text is already a URL); otherwise they are encoded too (the text is one component).
 * Non-ASCII text is encoded as its UTF-8 bytes. Returns null when nothing needed encoding.
 */
function processURL(s: string, norm: boolean): string | null {
  let out = "";
  let written = 0;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code < 0x80) {
      if (keepsASCII(s, i, URL_CLASS[code] as number, norm)) continue;
      out += s.slice(written, i) + pct(code);
      written = i + 1;
      continue;
    }
    let ch = s[i] as string;
    const next = s.charCodeAt(i + 1);
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) ch = s.slice(i, i + 2);
    out += s.slice(written, i);
    for (const byte of Buffer.from(ch, "utf8")) out += pct(byte);
    i += ch.length - 1;
    written = i + 1;
  }
  return written === 0 ? null : out + s.slice(written);
}

function urlProcessor(norm: boolean, args: unknown[]): string {
  const plain = plainText(args);
  if (plain !== null) return processURL(plain, norm) ?? plain;
  const [s, kind] = stringify(args);
  return processURL(s, norm || kind === "url") ?? s;
}

/** Percent-encodes a URL component (query value, fragment): reserved characters too. */
export function urlEscaper(...args: unknown[]): string {
  return urlProcessor(false, args);
}

/** Normalizes a URL: encodes what may not appear in a URL but keeps its structure. */
export function urlNormalizer(...args: unknown[]): string {
  return urlProcessor(true, args);
}

function isHTMLSpace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\f" || c === "\r";
}

function isHTMLSpaceOrAlnum(c: string): boolean {
  return isHTMLSpace(c) || /^[a-zA-Z0-9]$/.test(c);
}

/** Filters one `url descriptor` candidate of a srcset, `s.slice(left, right)`. */
function filterSrcsetElement(s: string, left: number, right: number): string {
  let start = left;
  while (start < right && isHTMLSpace(s[start])) start++;
  let end = right;
  for (let i = start; i < right; i++) {
    if (isHTMLSpace(s[i])) {
      end = i;
      break;
    }
  }
  const url = s.slice(start, end);
  if (isSafeURL(url)) {
    let metadataOk = true;
    for (let i = end; i < right; i++) {
      if (!isHTMLSpaceOrAlnum(s[i] as string)) {
        metadataOk = false;
        break;
      }
    }
    if (metadataOk) return s.slice(left, start) + (processURL(url, true) ?? url) + s.slice(end, right);
  }
  return "#" + FILTER_FAILSAFE;
}

/**
 * Filters and escapes a `srcset` value: each comma-separated candidate keeps a safe URL and
 * alphanumeric descriptors, or becomes `#ZgotmplZ`. A trusted URL becomes one candidate.
 */
export function srcsetEscaper(...args: unknown[]): string {
  let s = plainText(args);
  if (s === null) {
    let kind: StringKind;
    [s, kind] = stringify(args);
    if (kind === "srcset") return s;
    if (kind === "url") return (processURL(s, true) ?? s).replaceAll(",", "%2c");
  }
  let out = "";
  let written = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === ",") {
      out += filterSrcsetElement(s, written, i) + ",";
      written = i + 1;
    }
  }
  return out + filterSrcsetElement(s, written, s.length);
}
