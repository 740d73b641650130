/** Recipe: one live handler in Fastify 5 (docs/recipes.md). */
import type { AddressInfo } from "node:net";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, it } from "vitest";
import { checkMount, counterHandler } from "./counter-fixture.js";

describe("recipe: Fastify 5", () => {
  const handler = counterHandler();
  const app = Fastify();
  let base = "";

  beforeAll(async () => {
    await app.register(async (live) => {
      // The handler reads the request body itself: in this plugin, accept any content type
      // without parsing it, so the raw stream is left unread.
      live.removeAllContentTypeParsers();
      live.addContentTypeParser("*", (_req, _payload, done) => done(null));
      live.route({
        method: ["GET", "HEAD", "POST"],
        url: "/counter",
        exposeHeadRoute: false,
        handler: (req, reply) => {
          reply.hijack();
          handler(req.raw, reply.raw);
        },
      });
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    handler.attach(app.server);
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await handler.close();
    await app.close();
  });

  it("serves the page, the WebSocket and actions on one URL", async () => {
    await checkMount(`${base}/counter`);
  });
});
