/**
 * The async demo (docs/async.md): a slow report built with `ctx.async` (pending state, failure,
 * restart), events pushed to the page with commands, a hook asking the server for a reply, an
 * optimistic like with its loading class, and a menu held open by a client command. Served
 * under `Content-Security-Policy: script-src 'self'`.
 *
 * `createAsyncDemo()` is what main.ts runs and what the browser test starts on port 0.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Template, ValidationError } from "livetemplate";
import type { ActionContext, LiveHandler } from "livetemplate";

const WORDS = ["apple", "apricot", "banana", "blueberry", "cherry", "grape", "grapefruit", "lemon", "lime", "mango"];

/** Builds the report in `ms` (a stand-in for a slow service); gives up when `signal` aborts. */
export function buildReport(signal: AbortSignal, ms: number, broken: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      if (broken) reject(new ValidationError("report", "the report service is down"));
      else resolve(`Report built at ${new Date().toISOString()}`);
    }, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

export class Reports {
  Report = "";
  Likes = 0;

  constructor(private readonly reportMs: number) {}

  /** Starts the report, or starts it again (which aborts the run before it). */
  generate(ctx: ActionContext): void {
    const broken = ctx.data.getString("fail") === "yes";
    ctx.async(
      "report",
      (signal) => buildReport(signal, this.reportMs, broken),
      (store: Reports, text: string, done) => {
        store.Report = text;
        // To every tab of the session: a toast shown and faded in by commands, then the event.
        done.pushEvent("report-ready", { length: text.length }, {
          commands: [
            ["show", { to: "#toast" }],
            ["transition", { to: "#toast", names: "flash", start: "flash-from", time: 600 }],
            ["hide", { to: "#toast", delay: 3000 }],
          ],
        });
      },
    );
  }

  /** The button already looks liked (its own lvt-js:click); the count follows with the reply. */
  like(): void {
    this.Likes++;
  }

  /** Answers a hook's `pushEvent("suggest", {q})`. */
  suggest(ctx: ActionContext): void {
    const q = ctx.data.getString("q").toLowerCase();
    ctx.reply(q === "" ? [] : WORDS.filter((w) => w.startsWith(q)));
  }
}

export interface AsyncDemoOptions {
  port?: number;
  host?: string;
  /** How long the report takes (ms). Default 2000. */
  reportMs?: number;
  /** File the handler serves as the client script (default: the built dist/client bundle). */
  clientScriptFile?: string;
}

export interface AsyncDemo {
  readonly url: string;
  readonly handler: LiveHandler;
  close(): Promise<void>;
}

export async function createAsyncDemo(options: AsyncDemoOptions = {}): Promise<AsyncDemo> {
  const read = (f: string) => readFileSync(new URL(f, import.meta.url), "utf8");
  const assets: Record<string, [string, string]> = {
    "/async-demo.js": ["text/javascript", read("async-demo.js")],
    "/async-demo.css": ["text/css", read("async-demo.css")],
  };
  const reportMs = options.reportMs ?? 2000;
  const handler = new Template("reports").parse(read("page.tmpl")).handle(() => new Reports(reportMs), {
    ...(options.clientScriptFile ? { clientScript: { file: options.clientScriptFile } } : {}),
  });
  const server = http.createServer((req, res) => {
    // No inline script anywhere: the client, its chunks and the hooks are files of this origin.
    res.setHeader("Content-Security-Policy", "script-src 'self'");
    const asset = assets[(req.url ?? "/").split("?")[0]!];
    if (asset) {
      res.setHeader("Content-Type", asset[0]);
      res.end(asset[1]);
      return;
    }
    void handler(req, res);
  });
  handler.attach(server);
  server.listen(options.port ?? 8080, options.host ?? "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}/`,
    handler,
    async close() {
      await handler.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
