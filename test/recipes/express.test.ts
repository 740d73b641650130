/** Recipe: one live handler as an Express 4 route (docs/recipes.md). */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, it } from "vitest";
import { checkMount, counterHandler } from "./counter-fixture.js";

describe("recipe: Express 4", () => {
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

  it("serves the page, the WebSocket and actions on one URL", async () => {
    await checkMount(`${base}/counter`);
  });
});
