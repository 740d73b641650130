/** Recipe: one live handler on bare node:http (docs/recipes.md). */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, it } from "vitest";
import { checkMount, counterHandler } from "./counter-fixture.js";

describe("recipe: node:http", () => {
  const handler = counterHandler();
  const server = http.createServer((req, res) => {
    if (new URL(req.url ?? "/", "http://x").pathname === "/counter") handler(req, res);
    else res.writeHead(404).end();
  });
  handler.attach(server);
  let base = "";

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
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
