/**
 * A test client for live pages over real HTTP and WebSocket: it keeps the session cookie, applies
 * every tree it receives with the published client's TreeRenderer (the protocol's reference
 * implementation) and exposes the resulting HTML, so tests assert on what a browser would show.
 */
import WebSocket from "ws";
import { TreeRenderer } from "@livetemplate/client/dist/state/tree-renderer.js";
import { createLogger } from "@livetemplate/client/dist/utils/logger.js";

/** A server message carrying a tree (the only kind these tests expect). */
export interface TreeFrame {
  tree: Record<string, unknown>;
  meta: { success: boolean; errors: Record<string, string>; action?: string };
}

/** `name=value` pairs of every Set-Cookie header, joined for a Cookie header. */
export function cookieOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0] ?? "")
    .join("; ");
}

/** GETs a page (without following redirects) and returns the response and its text. */
export async function getPage(url: string, cookie = ""): Promise<{ res: Response; html: string }> {
  const res = await fetch(url, { headers: { accept: "text/html", cookie }, redirect: "manual" });
  return { res, html: await res.text() };
}

/** POSTs a no-JS form (urlencoded) without following the redirect. */
export async function postForm(url: string, fields: Record<string, string>, cookie: string): Promise<{ res: Response; html: string }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });
  return { res, html: await res.text() };
}

/** Text content of an HTML fragment with tags removed and whitespace collapsed. */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

export class LiveSocket {
  readonly frames: TreeFrame[] = [];
  private readonly renderer = new TreeRenderer(createLogger({ level: "silent" }));
  private waiters: Array<() => void> = [];
  private current = "";

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as TreeFrame;
      if (typeof frame.tree === "object" && frame.tree !== null) {
        this.current = this.renderer.applyUpdate(frame.tree).html;
      }
      this.frames.push(frame);
      const waiting = this.waiters;
      this.waiters = [];
      for (const w of waiting) w();
    });
  }

  /** Opens a WebSocket on a page URL (http:// is turned into ws://) and waits for the full tree. */
  static async open(pageUrl: string, cookie: string): Promise<LiveSocket> {
    const ws = new WebSocket(pageUrl.replace(/^http/, "ws"), { headers: cookie === "" ? {} : { cookie } });
    // Listen before "open": the first frame can arrive in the same read as the upgrade response.
    const socket = new LiveSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    await socket.waitFor((f) => f.length >= 1);
    return socket;
  }

  /** The HTML of the page body as the client holds it now. */
  get html(): string {
    return this.current;
  }

  /** Resolves once `check(frames)` holds, or rejects after `timeoutMs`. */
  waitFor(check: (frames: TreeFrame[]) => boolean, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; frames so far: ${JSON.stringify(this.frames)}`)), timeoutMs);
      const test = (): void => {
        if (check(this.frames)) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(test);
      };
      test();
    });
  }

  /** Waits until the rendered HTML satisfies `check`. */
  waitForHtml(check: (html: string) => boolean, timeoutMs = 5000): Promise<void> {
    return this.waitFor(() => check(this.current), timeoutMs);
  }

  /** Sends an action and resolves with its reply (the next frame echoing the action). */
  async send(action: string, data: Record<string, unknown> = {}): Promise<TreeFrame> {
    const start = this.frames.length;
    this.ws.send(JSON.stringify({ action, data }));
    let reply: TreeFrame | undefined;
    await this.waitFor((frames) => {
      reply = frames.slice(start).find((f) => f.meta?.action === action);
      return reply !== undefined;
    });
    return reply as TreeFrame;
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close();
    });
  }
}
