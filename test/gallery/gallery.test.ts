/**
 * The gallery over real HTTP and WebSocket: each demo driven as a browser with the JS client would
 * (actions over a WebSocket, trees applied with the reference renderer) and as a browser without
 * JavaScript would (form posts, 303, GET).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGallery, type Gallery } from "../../examples/gallery/app.js";
import { cookieOf, getPage, LiveSocket, postForm, textOf } from "./live-socket.js";

let gallery: Gallery;
const open: LiveSocket[] = [];

beforeAll(async () => {
  gallery = await createGallery({ port: 0 });
});

afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  await gallery.close();
});

/** A new visitor: GETs the page for a fresh session cookie and opens a live socket. */
async function visit(path: string, cookie?: string): Promise<{ cookie: string; socket: LiveSocket }> {
  let c = cookie;
  if (c === undefined) {
    const { res } = await getPage(gallery.url + path);
    expect(res.status).toBe(200);
    c = cookieOf(res);
  }
  const socket = await LiveSocket.open(gallery.url + path, c);
  open.push(socket);
  return { cookie: c, socket };
}

const count = (html: string): string | undefined => /<h1 id="count">([^<]*)<\/h1>/.exec(html)?.[1];
const todoTitles = (html: string): string[] =>
  [...html.matchAll(/<span class="grow title">([^<]*)<\/span>/g)].map((m) => m[1] ?? "");

describe("gallery index", () => {
  it("links every demo", async () => {
    const { res, html } = await getPage(gallery.url + "/");
    expect(res.status).toBe(200);
    for (const path of ["/counter", "/todos", "/chat"]) expect(html).toContain(`href="${path}"`);
  });

  it("answers unknown paths with 404", async () => {
    const { res } = await getPage(gallery.url + "/nope");
    expect(res.status).toBe(404);
  });
});

describe("counter", () => {
  it("serves the page with the live wrapper, the count and both kinds of buttons", async () => {
    const { res, html } = await getPage(gallery.url + "/counter");
    expect(res.status).toBe(200);
    expect(html).toMatch(/<div data-lvt-id="lvt-[0-9a-f]{16}"/);
    expect(count(html)).toBe("0");
    expect(html).toContain('lvt-on:click="increment"');
    expect(html).toMatch(/<form method="post"[^>]*>[\s\S]*<button name="increment">/);
  });

  it("runs increment, decrement and reset over the WebSocket", async () => {
    const { socket } = await visit("/counter");
    expect(count(socket.html)).toBe("0");
    const steps: Array<[string, string]> = [
      ["increment", "1"],
      ["increment", "2"],
      ["decrement", "1"],
      ["reset", "0"],
      ["decrement", "-1"],
    ];
    for (const [action, expected] of steps) {
      const reply = await socket.send(action);
      expect(reply.meta.success).toBe(true);
      expect(count(socket.html), `after ${action}`).toBe(expected);
    }
  });

  it("sends only the changed count, not the page, after an action", async () => {
    const { socket } = await visit("/counter");
    const reply = await socket.send("increment");
    expect(JSON.stringify(reply.tree).length).toBeLessThan(40);
    expect(JSON.stringify(reply.tree)).not.toContain("<button");
  });

  it("keeps every tab of a browser in step", async () => {
    const first = await visit("/counter");
    const second = await visit("/counter", first.cookie);
    await first.socket.send("increment");
    await second.socket.waitForHtml((h) => count(h) === "1");
    expect(count(second.socket.html)).toBe("1");
  });

  it("works without JavaScript: a form post redirects and the next GET shows the change", async () => {
    const { res: first } = await getPage(gallery.url + "/counter");
    const cookie = cookieOf(first);
    for (const button of ["increment", "increment", "decrement"]) {
      const { res } = await postForm(gallery.url + "/counter", { [button]: "" }, cookie);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/counter");
    }
    const { html } = await getPage(gallery.url + "/counter", cookie);
    expect(count(html)).toBe("1");
  });
});

describe("todos", () => {
  it("rejects an empty title with an error next to the input, keeping the list unchanged", async () => {
    const { socket } = await visit("/todos");
    const reply = await socket.send("add", { title: "   " });
    expect(reply.meta.success).toBe(false);
    expect(socket.html).toMatch(/name="title"[^>]*>[\s\S]{0,200}<span class="error" id="title-error">Please enter a title<\/span>/);
    expect(todoTitles(socket.html)).toEqual([]);
    await socket.send("add", { title: "Milk" });
    expect(socket.html).not.toContain("title-error");
    expect(todoTitles(socket.html)).toEqual(["Milk"]);
  });

  it("adds, toggles, edits, filters and deletes keyed items", async () => {
    const { socket } = await visit("/todos");
    await socket.send("add", { title: "Milk" });
    await socket.send("add", { title: "Bread" });
    await socket.send("add", { title: "Eggs" });
    expect(todoTitles(socket.html)).toEqual(["Milk", "Bread", "Eggs"]);
    expect(socket.html).toMatch(/<li data-key="1" class="">/);
    expect(textOf(socket.html)).toContain("3 left");

    // Item keys are the todo ids, so the reply to a toggle is a keyed update, not a new list.
    const toggled = await socket.send("toggle", { id: 2 });
    expect(JSON.stringify(toggled.tree)).not.toContain("Milk");
    expect(socket.html).toMatch(/<li data-key="2" class="done">/);
    expect(textOf(socket.html)).toContain("2 left");

    await socket.send("edit", { id: 3 });
    expect(socket.html).toMatch(/<input type="text" name="title" value="Eggs" aria-label="Title">/);
    const rejected = await socket.send("save", { id: 3, title: "" });
    expect(rejected.meta.success).toBe(false);
    expect(socket.html).toContain('<span class="error">Please enter a title</span>');
    await socket.send("save", { id: 3, title: "Free-range eggs" });
    expect(todoTitles(socket.html)).toEqual(["Milk", "Bread", "Free-range eggs"]);

    await socket.send("filter", { show: "active" });
    expect(todoTitles(socket.html)).toEqual(["Milk", "Free-range eggs"]);
    await socket.send("filter", { show: "done" });
    expect(todoTitles(socket.html)).toEqual(["Bread"]);
    await socket.send("filter", { value: "all" });
    expect(todoTitles(socket.html)).toEqual(["Milk", "Bread", "Free-range eggs"]);

    await socket.send("delete", { id: 1 });
    expect(todoTitles(socket.html)).toEqual(["Bread", "Free-range eggs"]);
    expect(socket.html).not.toContain('data-key="1"');
  });

  it("shows the empty state when the filter matches nothing", async () => {
    const { socket } = await visit("/todos");
    await socket.send("filter", { show: "done" });
    expect(textOf(socket.html)).toContain("Nothing here.");
  });

  it("works without JavaScript, validation error included", async () => {
    const { res: first } = await getPage(gallery.url + "/todos");
    const cookie = cookieOf(first);
    const url = gallery.url + "/todos";

    const empty = await postForm(url, { "lvt-action": "add", title: "" }, cookie);
    expect(empty.res.status).toBe(422);
    expect(empty.html).toContain('<span class="error" id="title-error">Please enter a title</span>');
    let page = (await getPage(url, cookie)).html;
    expect(page).not.toContain("title-error");

    expect((await postForm(url, { "lvt-action": "add", title: "Tea" }, cookie)).res.status).toBe(303);
    expect((await postForm(url, { "lvt-action": "add", title: "Jam" }, cookie)).res.status).toBe(303);
    expect((await postForm(url, { id: "2", toggle: "" }, cookie)).res.status).toBe(303);
    page = (await getPage(url, cookie)).html;
    expect(todoTitles(page)).toEqual(["Tea", "Jam"]);
    expect(page).not.toContain("title-error");
    expect(page).toMatch(/<li data-key="2" class="done">/);

    expect((await postForm(url, { id: "1", edit: "" }, cookie)).res.status).toBe(303);
    expect((await postForm(url, { "lvt-action": "save", id: "1", title: "Green tea" }, cookie)).res.status).toBe(303);
    expect((await postForm(url, { show: "active", filter: "" }, cookie)).res.status).toBe(303);
    page = (await getPage(url, cookie)).html;
    expect(todoTitles(page)).toEqual(["Green tea"]);

    expect((await postForm(url, { id: "1", delete: "" }, cookie)).res.status).toBe(303);
    page = (await getPage(url, cookie)).html;
    expect(textOf(page)).toContain("Nothing here.");
  });
});

describe("chat", () => {
  it("broadcasts messages and names to every session", async () => {
    const ada = await visit("/chat");
    const bob = await visit("/chat");
    expect(ada.cookie).not.toBe(bob.cookie);

    await ada.socket.send("rename", { name: "Ada" });
    const sent = await ada.socket.send("send", { text: "hello, Bob" });
    expect(sent.meta.success).toBe(true);
    await bob.socket.waitForHtml((h) => h.includes("<b>Ada</b> <span class=\"grow\">hello, Bob</span>"));

    await bob.socket.send("rename", { name: "Bob" });
    await bob.socket.send("send", { text: "hi Ada" });
    await ada.socket.waitForHtml((h) => h.includes("hi Ada"));
    expect(textOf(ada.socket.html)).toMatch(/Ada hello, Bob Bob hi Ada/);
  });

  it("rejects an empty message with an error and sends nothing", async () => {
    const { socket } = await visit("/chat");
    const before = (socket.html.match(/<li data-key=/g) ?? []).length;
    await socket.send("send", { text: "  " });
    expect(socket.html).toContain('<span class="error">Type a message first</span>');
    expect((socket.html.match(/<li data-key=/g) ?? []).length).toBe(before);
  });

  it("shows who is online and updates presence when someone leaves", async () => {
    const carol = await visit("/chat");
    await carol.socket.send("rename", { name: "Carol" });
    const dave = await visit("/chat");
    await dave.socket.send("rename", { name: "Dave" });
    await carol.socket.waitForHtml((h) => /online: .*Dave/.test(textOf(h)));
    expect(textOf(carol.socket.html)).toMatch(/online: .*Carol.*Dave/);
    await dave.socket.close();
    await carol.socket.waitForHtml((h) => !textOf(h).includes("Dave,") && !/online: .*Dave/.test(textOf(h)));
    expect(textOf(carol.socket.html)).toMatch(/online: .*Carol/);
  });

  it("accepts a message posted without JavaScript and pushes it to live sessions", async () => {
    const watcher = await visit("/chat");
    const { res } = await getPage(gallery.url + "/chat");
    const cookie = cookieOf(res);
    expect((await postForm(gallery.url + "/chat", { "lvt-action": "send", text: "from a plain form" }, cookie)).res.status).toBe(303);
    await watcher.socket.waitForHtml((h) => h.includes("from a plain form"));
    const { html } = await getPage(gallery.url + "/chat", cookie);
    expect(html).toContain("from a plain form");
  });
});

describe("gallery options", () => {
  it("serves pages for the HTTP fallback when WebSocket is disabled", async () => {
    const plain = await createGallery({ port: 0, disableWebSocket: true });
    try {
      const { res } = await getPage(plain.url + "/counter");
      expect(res.headers.get("x-livetemplate-websocket")).toBe("disabled");
      const cookie = cookieOf(res);
      const post = await fetch(plain.url + "/counter", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", cookie },
        body: JSON.stringify({ action: "increment", data: {} }),
      });
      const body = (await post.json()) as { tree: Record<string, unknown>; meta: { success: boolean } };
      expect(body.meta.success).toBe(true);
      expect(count((await getPage(plain.url + "/counter", cookie)).html)).toBe("1");
    } finally {
      await plain.close();
    }
  });

  it("puts the given client script URL in every demo page", async () => {
    const custom = await createGallery({ port: 0, clientScriptUrl: "/static/other-client.js" });
    try {
      for (const path of ["/counter", "/todos", "/chat"]) {
        const { html } = await getPage(custom.url + path);
        expect(html, path).toContain('src="/static/other-client.js"');
      }
    } finally {
      await custom.close();
    }
  });
});
