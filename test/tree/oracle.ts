/**
 * The published client's TreeRenderer as an oracle: it applies a first tree and updates the way
 * browsers running @livetemplate/client do, and prints the HTML it would put in the wrapper.
 */
import { createRequire } from "node:module";

interface Renderer {
  applyUpdate(update: unknown): { html: string; changed: boolean };
  reset(): void;
}

const require = createRequire(import.meta.url);
const mod = require("@livetemplate/client/dist/state/tree-renderer.js") as {
  TreeRenderer: new (logger: unknown) => Renderer;
};

const quiet = {
  debug(): void {},
  info(): void {},
  warn(): void {},
  error(): void {},
  isDebugEnabled(): boolean {
    return false;
  },
};

/** A client: apply updates (serialised through JSON, as on the wire) and read its HTML. */
export class OracleClient {
  private r = new mod.TreeRenderer(quiet);
  html = "";

  apply(update: unknown): string {
    const wire: unknown = JSON.parse(JSON.stringify(update));
    this.html = this.r.applyUpdate(wire).html;
    return this.html;
  }
}
