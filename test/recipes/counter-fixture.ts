/**
 * What every recipe test mounts and checks: a counter page served by one live handler, and the
 * three things a mount must get right (the page, the WebSocket, an action).
 */
import { expect } from "vitest";
import { Template } from "livetemplate";
import type { LiveHandler } from "livetemplate";
import { cookieOf, getPage, LiveSocket, postForm } from "../gallery/live-socket.js";

const source = `<!DOCTYPE html>
<html>
<head><title>Counter</title></head>
<body>
<h1>{{.Count}}</h1>
<button lvt-on:click="increment">+1</button>
</body>
</html>`;

export class Counter {
  Count = 0;
  increment(): void {
    this.Count++;
  }
}

/** A fresh counter handler for `path`. */
export function counterHandler(path = "/counter"): LiveHandler {
  return new Template("counter").parse(source).handle(() => new Counter(), { path });
}

/**
 * GETs the page (200, wrapped), opens a WebSocket (full tree with statics), sends an action
 * (the reply updates the tree), then checks the JSON POST fallback and a no-JS form post on the
 * same URL.
 */
export async function checkMount(pageUrl: string): Promise<void> {
  const { res, html } = await getPage(pageUrl);
  expect(res.status).toBe(200);
  expect(res.headers.get("x-livetemplate-websocket")).toBe("enabled");
  expect(html).toMatch(/<div data-lvt-id="lvt-[0-9a-f]{16}"[^>]*>\s*<h1>0<\/h1>/);
  const cookie = cookieOf(res);
  expect(cookie).toMatch(/livetemplate-id=/);

  const socket = await LiveSocket.open(pageUrl, cookie);
  try {
    const first = socket.frames[0];
    expect(first?.tree).toHaveProperty("s");
    expect(socket.html).toContain("<h1>0</h1>");
    const reply = await socket.send("increment");
    expect(reply.meta.success).toBe(true);
    expect(reply.tree).not.toHaveProperty("s");
    expect(socket.html).toContain("<h1>1</h1>");
  } finally {
    await socket.close();
  }

  const post = await fetch(pageUrl, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", cookie },
    body: JSON.stringify({ action: "increment", data: {} }),
  });
  expect(post.status).toBe(200);
  const body = (await post.json()) as { meta: { success: boolean } };
  expect(body.meta.success).toBe(true);
  const { html: after } = await getPage(pageUrl, cookie);
  expect(after).toContain("<h1>2</h1>");

  // A plain HTML form post (no JavaScript): 303 back to the page, which shows the change.
  const form = await postForm(pageUrl, { increment: "" }, cookie);
  expect(form.res.status).toBe(303);
  expect(new URL(form.res.headers.get("location") ?? "", pageUrl).pathname).toBe(new URL(pageUrl).pathname);
  const { html: afterForm } = await getPage(pageUrl, cookie);
  expect(afterForm).toContain("<h1>3</h1>");
}
