/**
 * The HTTP transport: one URL answers the capability probe (HEAD), the page and JSON loads (GET),
 * JSON actions and no-JS form posts (POST) and the client script. Each request is checked,
 * authenticated and turned into one engine event; the reply is written back as a page, a JSON
 * message, a redirect or an error.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { errorMessage, isErrorMessage, PONG, rateLimitedReply, stringValues, validateMessage } from "../protocol/messages.js";
import { ACTION_NAVIGATE, ACTION_PING, CHUNK_SCRIPT_QUERY, CLIENT_SCRIPT_QUERY, DEV_COOKIE, DEV_SCRIPT_QUERY, HEADER_ACTION_IDS, HEADER_RENDER, HEADER_WEBSOCKET } from "../protocol/wire.js";
import type { Authenticator } from "../server/authenticator.js";
import type { OriginValidator, ResolvedOptions } from "../server/options.js";
import type { SessionEngine } from "../session/engine.js";
import type { Origin, Reply, SessionEvent } from "../session/events.js";
import { RECENT_ACTION_IDS } from "../session/recent-actions.js";
import { type ChunkScripts, type ClientScript, injectScriptTag } from "./client-script.js";
import { BodyTooLargeError, hasCookie, MalformedBodyError, mediaType, pagePath, parseForm, preReadBody, queryOf, readBody, sendMessage, sendText, toRecord, wantsJSON } from "./http-io.js";
import { readMultipart } from "./http-uploads.js";
import { isUploadAction, parseUploadMessage } from "../protocol/uploads.js";
import { UploadSet } from "../uploads/upload-set.js";
import type { Uploads } from "../uploads/uploads.js";
import { clientAddress, mayStartSession, type ClientLimits } from "./client-limits.js";
import type { Identify } from "./identify.js";

/** HTTP statuses of the error envelopes a request can get. */
const ERROR_STATUS: Readonly<Record<string, number>> = {
  LT_ERR_PROTOCOL_MALFORMED: 400,
  LT_ERR_PROTOCOL_UNKNOWN_ACTION: 400,
  LT_ERR_PROTOCOL_TOO_LARGE: 413,
  LT_ERR_AUTH_ORIGIN: 403,
  LT_ERR_UPLOAD_MALFORMED: 400,
  LT_ERR_UPLOAD_UNKNOWN: 400,
};

export class HttpTransport {
  constructor(
    private readonly engine: SessionEngine,
    private readonly o: ResolvedOptions,
    private readonly auth: Authenticator,
    private readonly identify: Identify,
    private readonly originOk: OriginValidator,
    private readonly client: ClientScript,
    private readonly limits: ClientLimits,
    /** The dev-mode overlay script, in dev mode only (docs/dev-mode.md). */
    private readonly devScript?: ClientScript | undefined,
    private readonly chunks?: ChunkScripts | undefined,
    /** Told the size of every page and JSON reply body written (the handler's metrics). */
    private readonly bodyBytes: (bytes: number) => void = () => {},
    /** The handler's uploads (multipart files of configured names are staged for the action). */
    private readonly uploads?: Uploads,
  ) {}

  async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader(HEADER_WEBSOCKET, this.o.webSocket ? "enabled" : "disabled");
    res.setHeader(HEADER_ACTION_IDS, String(RECENT_ACTION_IDS));
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://localhost");
    if ((method === "GET" || method === "HEAD") && this.devScript !== undefined && url.searchParams.has(DEV_SCRIPT_QUERY)) {
      this.devScript.serve(req, res);
      return;
    }
    const chunk = url.searchParams.get(CHUNK_SCRIPT_QUERY);
    if ((method === "GET" || method === "HEAD") && chunk !== null && this.chunks !== undefined) {
      this.chunks.serve(chunk, req, res);
      return;
    }
    if ((method === "GET" || method === "HEAD") && url.searchParams.has(CLIENT_SCRIPT_QUERY)) {
      this.client.serve(req, res);
      return;
    }
    if ((method === "GET" || method === "HEAD") && url.pathname.endsWith("/favicon.ico")) {
      // Browsers ask every page's origin for it: a handler that serves a whole server
      // (`http.createServer(handler)`) would otherwise answer with the page and a new session.
      res.writeHead(204, { "Cache-Control": "public, max-age=86400" });
      res.end();
      return;
    }
    if (method === "HEAD") {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
      res.end();
      return;
    }
    if (method !== "GET" && method !== "POST") {
      sendText(res, 405, "method not allowed\n", { Allow: "GET, HEAD, POST" });
      return;
    }
    // Cross-site form posts could otherwise ride on credentials a browser sends by itself
    // (Basic auth, cookies of a custom authenticator); browsers always send Origin on POST.
    if (method === "POST" && req.headers.origin !== undefined && !this.originOk(req.headers.origin, req)) {
      this.o.logger.warn(`LT_ERR_AUTH_ORIGIN: rejected POST from origin ${req.headers.origin}`);
      sendMessage(res, 403, errorMessage("LT_ERR_AUTH_ORIGIN", "cross-origin request refused"));
      return;
    }
    const who = await this.identify(req);
    if (who === undefined) {
      sendText(res, 401, "unauthorized\n", this.auth.challenge?.(req) ?? {});
      return;
    }
    const headers = who.headers;
    if (!mayStartSession(this.limits, this.auth.isNew?.(req) === true, req)) {
      this.o.logger.warn(`LT_ERR_PROTOCOL_RATE_LIMIT: too many new sessions from ${clientAddress(req, this.limits.trustProxy)}`);
      sendMessage(res, 429, errorMessage("LT_ERR_PROTOCOL_RATE_LIMIT", "too many new sessions, slow down"), { "Retry-After": "60" });
      return;
    }
    if (method === "GET") {
      const reply = wantsJSON(req) ? "json" : "page";
      const done = await this.engine.dispatch(who.groupId, { kind: "load", query: queryOf(req) }, { kind: "request", userId: who.userId, reply });
      this.write(req, res, done, headers);
      return;
    }
    const read = await this.readEvent(req, res, headers);
    if (read === undefined) return;
    const { event, uploads } = read;
    try {
      await this.answer(req, res, who, event, headers);
    } finally {
      // Files of the post that its action did not consume are removed once it is answered.
      if (uploads !== undefined) this.uploads?.releaseAll(uploads);
    }
  }

  /** Runs a POST's event and writes the reply. */
  private async answer(req: IncomingMessage, res: ServerResponse, who: { userId: string; groupId: string }, event: SessionEvent, headers: Record<string, string | string[]>): Promise<void> {
    const isForm = event.kind === "form";
    const actions = this.limits.httpActions;
    if (actions !== undefined && !actions.take(clientAddress(req, this.limits.trustProxy))) {
      const action = event.kind === "action" ? event.action : "";
      sendMessage(res, 429, event.kind === "action" ? rateLimitedReply(action, "rate limit exceeded, slow down") : errorMessage("LT_ERR_PROTOCOL_RATE_LIMIT", "rate limit exceeded, slow down"), {
        ...headers,
        "Retry-After": "1",
      });
      return;
    }
    // Our client names the HTTP render it holds; the published client sends nothing (see SessionGroup.httpDiff).
    const held = req.headers[HEADER_RENDER.toLowerCase()];
    const origin: Origin = {
      kind: "request",
      userId: who.userId,
      reply: !isForm || wantsJSON(req) ? "json" : "page",
      render: typeof held === "string" ? held.slice(0, 100) : undefined,
      devDetails: this.devScript !== undefined && hasCookie(req.headers.cookie, DEV_COOKIE),
    };
    this.write(req, res, await this.engine.dispatch(who.groupId, event, origin), headers);
  }

  /**
   * Reads a POST body into its event: a form (multipart read as it arrives, its files staged
   * into a set of their own), an upload message, or an action. Writes the error reply and
   * returns undefined when the body is refused.
   */
  private async readEvent(req: IncomingMessage, res: ServerResponse, headers: Record<string, string | string[]>): Promise<{ event: SessionEvent; uploads?: UploadSet } | undefined> {
    const type = mediaType(req);
    const tooLarge = (): undefined => {
      sendMessage(res, 413, errorMessage("LT_ERR_PROTOCOL_TOO_LARGE", `message larger than ${this.o.maxMessageBytes} bytes`), { ...headers, Connection: "close" });
      req.resume();
      return undefined;
    };
    const malformed = (err: MalformedBodyError): undefined => {
      // The client's fault, and anyone can send it: a 400, one debug line, no stack.
      this.o.logger.debug(`LT_ERR_PROTOCOL_MALFORMED: unreadable form body: ${err.message}`);
      sendMessage(res, 400, errorMessage("LT_ERR_PROTOCOL_MALFORMED", "malformed form body"), headers);
      return undefined;
    };
    if (type === "multipart/form-data") {
      const set = new UploadSet();
      const pre = preReadBody(req);
      try {
        const source = pre ?? req;
        const fields = Buffer.isBuffer(source) || !("parsed" in source)
          ? await readMultipart(source, req.headers["content-type"] ?? "", { maxFieldBytes: this.o.maxMessageBytes, uploads: pre === undefined ? this.uploads : undefined, set })
          : toRecord(source.parsed);
        return { event: { kind: "form", fields, uploads: set }, uploads: set };
      } catch (err) {
        this.uploads?.releaseAll(set);
        if (err instanceof BodyTooLargeError) return tooLarge();
        if (err instanceof MalformedBodyError) return malformed(err);
        throw err;
      }
    }
    let body: Buffer | { parsed: unknown };
    try {
      body = await readBody(req, this.o.maxMessageBytes);
    } catch (err) {
      if (!(err instanceof BodyTooLargeError)) throw err;
      return tooLarge();
    }
    if (type === "application/x-www-form-urlencoded") return { event: { kind: "form", fields: Buffer.isBuffer(body) ? parseForm(body) : toRecord(body.parsed) } };
    let value: unknown;
    if (Buffer.isBuffer(body)) {
      try {
        value = JSON.parse(body.toString("utf8"));
      } catch {
        sendMessage(res, 400, errorMessage("LT_ERR_PROTOCOL_MALFORMED", "message is not valid JSON"), headers);
        return undefined;
      }
    } else value = body.parsed;
    if (this.uploads?.configured === true && isUploadAction((value as { action?: unknown } | null)?.action)) {
      const up = parseUploadMessage(value as Record<string, unknown>, (b) => Buffer.from(b, "base64"));
      if (typeof up === "string") {
        sendMessage(res, 400, errorMessage("LT_ERR_UPLOAD_MALFORMED", up), headers);
        return undefined;
      }
      return { event: { kind: "upload", message: up } };
    }
    const msg = validateMessage(value);
    if (typeof msg === "string") {
      sendMessage(res, 400, errorMessage("LT_ERR_PROTOCOL_MALFORMED", msg), headers);
      return undefined;
    }
    if (msg.action === ACTION_PING) {
      sendMessage(res, 200, PONG, headers);
      return undefined;
    }
    return {
      event:
        msg.action === ACTION_NAVIGATE
          ? { kind: "navigate", query: stringValues(msg.data) }
          : { kind: "action", action: msg.action, data: msg.data, submitter: msg.submitter, id: msg.id },
    };
  }

  private write(req: IncomingMessage, res: ServerResponse, reply: Reply, headers: Record<string, string | string[]>): void {
    switch (reply.kind) {
      case "message": {
        const m = reply.message;
        const tagged = reply.render === undefined ? headers : { ...headers, [HEADER_RENDER]: reply.render };
        this.bodyBytes(sendMessage(res, isErrorMessage(m) ? (ERROR_STATUS[m.code] ?? 400) : 200, m, tagged));
        return;
      }
      case "page":
        this.sendPage(req, res, reply.status, reply.html, headers);
        return;
      case "done": {
        const location = reply.location ?? (req as { originalUrl?: string }).originalUrl ?? req.url ?? "/";
        res.writeHead(303, { ...headers, Location: location, "Content-Length": 0 });
        res.end();
        return;
      }
      case "none":
        res.writeHead(204, headers);
        res.end();
        return;
      default: {
        const never: never = reply;
        return never;
      }
    }
  }

  private sendPage(req: IncomingMessage, res: ServerResponse, status: number, html: string, given: Record<string, string | string[]>): void {
    let body = html;
    let headers = given;
    if (this.devScript !== undefined) {
      // The page has the overlay: its connections ask for dev details with this cookie.
      const cookie = `${DEV_COOKIE}=1; Path=/; SameSite=Lax; HttpOnly`;
      const prev = headers["Set-Cookie"] ?? headers["set-cookie"];
      const { ["Set-Cookie"]: _a, ["set-cookie"]: _b, ...rest } = headers;
      headers = { ...rest, "Set-Cookie": [...(prev === undefined ? [] : Array.isArray(prev) ? prev : [prev]), cookie] };
    }
    if (this.o.clientScript.inject) {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      const src = this.o.clientScript.src ?? `${pagePath(req, path)}?${CLIENT_SCRIPT_QUERY}=${this.client.version()}`;
      body = injectScriptTag(body, src);
      if (this.devScript !== undefined) body = injectScriptTag(body, `${pagePath(req, path)}?${DEV_SCRIPT_QUERY}=${this.devScript.version()}`);
    }
    const bytes = Buffer.byteLength(body);
    res.writeHead(status, { ...headers, "Content-Type": "text/html; charset=utf-8", "Content-Length": bytes, "Cache-Control": "no-store" });
    res.end(body);
    this.bodyBytes(bytes);
  }

  /** Answers a request whose handling threw: 500 when nothing was written yet. */
  fail(res: ServerResponse, err: unknown): void {
    this.o.logger.error("request failed", err);
    if (!res.headersSent) sendText(res, 500, "internal server error\n");
    else res.destroy();
  }
}
