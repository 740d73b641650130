/**
 * Authenticators decide who sent a request (user id) and which session group it belongs to. All
 * connections of a group share the group's stores.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { LiveTemplateError } from "../errors.js";
import { SESSION_COOKIE } from "../protocol/wire.js";
import type { MaybePromise } from "../session/types.js";

/** Thrown by an authenticator when a request cannot be authenticated (HTTP 401). */
export class UnauthorizedError extends LiveTemplateError {
  constructor(message = "unauthorized") {
    super("LT_ERR_AUTH_UNAUTHORIZED", message);
  }
}

/**
 * Maps a request to a user and a session group. Both methods may be async and may throw
 * {@link UnauthorizedError} (or anything else) to refuse the request with 401.
 */
export interface Authenticator {
  /** The user id, `""` for an anonymous user. */
  identify(req: IncomingMessage): MaybePromise<string>;
  /** The session group of this request; every request with the same id shares state. */
  getSessionGroup(req: IncomingMessage, userId: string): MaybePromise<string>;
  /**
   * Headers to add to the response (e.g. `Set-Cookie` for a new anonymous session), asked after
   * `getSessionGroup` for the same request. Optional.
   */
  responseHeaders?(req: IncomingMessage, groupId: string): Record<string, string | string[]>;
  /** Headers of a 401 reply (e.g. `WWW-Authenticate`). Optional. */
  challenge?(req: IncomingMessage): Record<string, string>;
  /**
   * A fresh session group id for this request's browser, with the headers that make the browser
   * use it (`Set-Cookie`); used by `handler.rotateSession(req)` after a login. Optional: an
   * authenticator whose groups are not chosen by the browser (one group per user) has none.
   */
  rotate?(req: IncomingMessage): { groupId: string; headers: Record<string, string | string[]> };
  /**
   * True when the request starts a new session (it came without a valid session cookie); such
   * requests count against the handler's `sessionRateLimit`. Optional.
   */
  isNew?(req: IncomingMessage): boolean;
}

/** Options of {@link AnonymousAuthenticator}. */
export interface AnonymousAuthenticatorOptions {
  /** Cookie name. Default `livetemplate-id`. */
  cookieName?: string;
  /** Cookie lifetime in seconds. Default one year. */
  maxAgeSeconds?: number;
  /** Cookie path. Default `/`. */
  path?: string;
  /**
   * Whether to add `Secure`. Default: when the request came over TLS, or when
   * `X-Forwarded-Proto: https` is present and `trustProxy` is set.
   */
  secure?: boolean;
  /** Trust `X-Forwarded-Proto` to detect https. Default false. */
  trustProxy?: boolean;
  /**
   * The key that signs session ids (at least 32 characters). Several instances behind one load
   * balancer must share it, or each refuses the others' cookies. Default: the environment
   * variable `LT_SESSION_SECRET`, else a random key made once per process (shared by every
   * handler of the process; enough for one instance).
   */
  secret?: string;
}

/** A session cookie: 22 characters of id (128 random bits), a dot, 22 characters of signature. */
const COOKIE_PATTERN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})$/;
/** Shortest accepted `secret`. */
const MIN_SECRET = 32;

/**
 * The default: every browser is one anonymous session group, identified by a cookie
 * (`livetemplate-id`: a 128-bit random id signed with the server's secret, HttpOnly,
 * SameSite=Lax, Secure over https, one year). All tabs of a browser share state; other browsers
 * are isolated. The user id is `""`.
 *
 * Only ids this server issued are accepted: a cookie whose signature does not verify (an id an
 * attacker chose, a cookie of a server with another secret) is ignored and a fresh id issued, so
 * nobody can make a browser use a session id of their choosing. After a login, call
 * `handler.rotateSession(req)` so that an id planted before the login stops being the user's.
 */
export class AnonymousAuthenticator implements Authenticator {
  private readonly cookieName: string;
  private readonly maxAge: number;
  private readonly path: string;
  private readonly secure: boolean | undefined;
  private readonly trustProxy: boolean;
  private readonly key: Buffer;
  /** True when the secret was made at random (so it cannot be shared by other instances). */
  readonly randomSecret: boolean;
  /** Ids minted for requests that came without a valid cookie, so the response can set it. */
  private readonly minted = new WeakMap<IncomingMessage, string>();

  constructor(options: AnonymousAuthenticatorOptions = {}) {
    this.cookieName = options.cookieName ?? SESSION_COOKIE;
    this.maxAge = options.maxAgeSeconds ?? 365 * 24 * 60 * 60;
    this.path = options.path ?? "/";
    this.secure = options.secure;
    this.trustProxy = options.trustProxy ?? false;
    const secret = options.secret ?? process.env["LT_SESSION_SECRET"];
    if (secret !== undefined && secret.length < MIN_SECRET) {
      throw new TypeError(`AnonymousAuthenticator: the secret must be at least ${MIN_SECRET} characters`);
    }
    this.randomSecret = secret === undefined;
    this.key = secret === undefined ? processKey() : Buffer.from(secret, "utf8");
  }

  identify(): string {
    return "";
  }

  getSessionGroup(req: IncomingMessage): string {
    const issued = this.verify(readCookie(req, this.cookieName));
    if (issued !== undefined) return issued;
    let id = this.minted.get(req);
    if (id === undefined) {
      id = randomBytes(16).toString("base64url");
      this.minted.set(req, id);
    }
    return id;
  }

  /** True when the request came without a session this authenticator issued. */
  isNew(req: IncomingMessage): boolean {
    return this.verify(readCookie(req, this.cookieName)) === undefined;
  }

  rotate(req: IncomingMessage): { groupId: string; headers: Record<string, string | string[]> } {
    const groupId = randomBytes(16).toString("base64url");
    this.minted.set(req, groupId);
    return { groupId, headers: this.responseHeaders(req, groupId) };
  }

  responseHeaders(req: IncomingMessage, groupId: string): Record<string, string | string[]> {
    if (this.minted.get(req) !== groupId) return {};
    const parts = [
      `${this.cookieName}=${groupId}.${this.sign(groupId)}`,
      `Path=${this.path}`,
      `Max-Age=${this.maxAge}`,
      "HttpOnly",
      "SameSite=Lax",
    ];
    if (this.secure ?? isHttps(req, this.trustProxy)) parts.push("Secure");
    return { "Set-Cookie": parts.join("; ") };
  }

  private sign(id: string): string {
    return createHmac("sha256", this.key).update(id, "utf8").digest().subarray(0, 16).toString("base64url");
  }

  /** The id of a cookie value this authenticator signed, else undefined. */
  private verify(cookie: string | undefined): string | undefined {
    const m = cookie === undefined ? null : COOKIE_PATTERN.exec(cookie);
    if (m === null) return undefined;
    const given = Buffer.from(m[2]!, "base64url");
    const expected = Buffer.from(this.sign(m[1]!), "base64url");
    return given.length === expected.length && timingSafeEqual(given, expected) ? m[1] : undefined;
  }
}

/**
 * HTTP Basic authentication: the user id is the user name and each user is one session group
 * (all devices of a user share state). A request without valid credentials gets
 * `401` with `WWW-Authenticate: Basic realm="..."`.
 *
 * @example
 * ```ts
 * const auth = BasicAuthenticator.fromUsers({ alice: "s3cret" });
 * const auth2 = new BasicAuthenticator(async (user, password) => db.check(user, password));
 * ```
 */
export class BasicAuthenticator implements Authenticator {
  private readonly validate: (user: string, password: string) => MaybePromise<boolean>;
  private readonly realm: string;

  constructor(validate: (user: string, password: string) => MaybePromise<boolean>, options: { realm?: string } = {}) {
    this.validate = validate;
    this.realm = options.realm ?? "livetemplate";
  }

  /** A validator over a fixed user -> password table, compared in constant time. */
  static fromUsers(users: Record<string, string>, options: { realm?: string } = {}): BasicAuthenticator {
    const table = new Map(Object.entries(users).map(([u, p]) => [u, digest(p)]));
    const missing = digest(randomBytes(16).toString("hex"));
    return new BasicAuthenticator((user, password) => {
      // Compare even for unknown users so timing does not reveal which names exist.
      const expected = table.get(user);
      const same = timingSafeEqual(expected ?? missing, digest(password));
      return expected !== undefined && same;
    }, options);
  }

  async identify(req: IncomingMessage): Promise<string> {
    const header = req.headers.authorization;
    if (header === undefined || !/^basic\s+/i.test(header)) throw new UnauthorizedError("missing credentials");
    const decoded = Buffer.from(header.replace(/^basic\s+/i, ""), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) throw new UnauthorizedError("malformed credentials");
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    if (user === "" || !(await this.validate(user, password))) throw new UnauthorizedError("invalid credentials");
    return user;
  }

  getSessionGroup(_req: IncomingMessage, userId: string): string {
    return userId;
  }

  challenge(): Record<string, string> {
    return { "WWW-Authenticate": `Basic realm="${this.realm.replace(/"/g, "")}", charset="UTF-8"` };
  }
}

let randomKey: Buffer | undefined;

/**
 * The random key of this process, shared by every authenticator made without a secret, so that
 * several handlers of one app (one cookie, several pages) accept each other's session ids.
 */
function processKey(): Buffer {
  randomKey ??= randomBytes(32);
  return randomKey;
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** Reads one cookie from the request's `Cookie` header. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    }
  }
  return undefined;
}

/** Whether the request reached us over TLS (or, with `trustProxy`, a TLS-terminating proxy). */
export function isHttps(req: IncomingMessage, trustProxy: boolean): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted === true) return true;
  if (!trustProxy) return false;
  const proto = req.headers["x-forwarded-proto"];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(",")[0]?.trim().toLowerCase();
  return first === "https";
}
