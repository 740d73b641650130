/** A page that cannot be rendered on its first GET: a dev error page in dev mode, a plain 500 otherwise. */
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Template, silentLogger } from "livetemplate";

class Broken {
  items = 3;
}
const source = `<!DOCTYPE html><html><head><title>b</title></head><body>\n<p>{{.items.name}}</p>\n</body></html>`;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

async function get(dev: boolean): Promise<Response> {
  const handler = new Template("broken").parse(source).handle(Broken, { dev, logger: silentLogger });
  const server = http.createServer(handler);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  stops.push(async () => {
    await handler.close();
    server.close();
  });
  return fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
}

describe("a page whose first render fails", () => {
  it("shows the template error with its position and source line in dev mode", async () => {
    const res = await get(true);
    expect(res.status).toBe(500);
    const html = await res.text();
    expect(html).toContain("The page could not be rendered");
    expect(html).toMatch(/<div class="lvt-dev-position">broken:2:\d+<\/div>/);
    expect(html).toContain("2 | &lt;p&gt;{{.items.name}}&lt;/p&gt;");
    expect(html).toMatch(/<pre class="lvt-dev-message">template: broken:2:\d+: /);
  });

  it("answers a plain 500 in production", async () => {
    const res = await get(false);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("internal server error\n");
  });
});
