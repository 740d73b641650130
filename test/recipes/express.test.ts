/** Recipe: one live handler as an Express route (docs/recipes.md), with Express 4 and Express 5. */
import { createRequire } from "node:module";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express4 from "express";
import express5 from "express5";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkMount, counterHandler } from "./counter-fixture.js";

const require = createRequire(import.meta.url);
const majors = [
  { major: 4, express: express4, version: (require("express/package.json") as { version: string }).version },
  { major: 5, express: express5, version: (require("express5/package.json") as { version: string }).version },
];

describe.each(majors)("recipe: Express $major", ({ major, express, version }) => {
  const handler = counterHandler();
  const app = express();
  // Body parsers may run before the handler: it uses `req.body` when a parser consumed the stream.
  app.use(express.json());
  app.use(express.urlencoded({ extended: false }));
  app.all("/counter", handler);
  let server: Server;
  let base = "";

  beforeAll(async () => {
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    handler.attach(server);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await handler.close();
    await new Promise((r) => server.close(r));
  });

  it("runs the major it names", () => {
    expect(version.split(".")[0]).toBe(String(major));
  });

  it("serves the page, the WebSocket and actions on one URL", async () => {
    await checkMount(`${base}/counter`);
  });
});
