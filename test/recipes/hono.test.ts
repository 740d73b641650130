/** Recipe: one live handler in Hono 4 on @hono/node-server (docs/recipes.md). */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, it } from "vitest";
import { checkMount, counterHandler } from "./counter-fixture.js";

describe("recipe: Hono 4 on @hono/node-server", () => {
  const handler = counterHandler();
  // @hono/node-server passes the node request and response as `c.env`.
  const app = new Hono<{ Bindings: { incoming: IncomingMessage; outgoing: ServerResponse } }>();
  app.all("/counter", async (c) => {
    await handler.handleRequest(c.env.incoming, c.env.outgoing);
    return RESPONSE_ALREADY_SENT;
  });
  let server: Server;
  let base = "";

  beforeAll(async () => {
    server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s as Server));
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
