/**
 * The gallery's demos driven in-process with `livetemplate/testing`: the same journeys as
 * gallery.test.ts without a socket or a browser (the handlers are the gallery's own, so the
 * chat room's broadcasts reach the test tabs).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { liveTest } from "livetemplate/testing";
import { createGallery, type Gallery } from "../../examples/gallery/app.js";

let gallery: Gallery;
beforeAll(async () => {
  gallery = await createGallery({ port: 0, chatPresenceMs: 1 });
});
afterAll(async () => {
  await gallery.close();
});

describe("gallery in-process (livetemplate/testing)", () => {
  it("counts with the live buttons, and a second tab of the session follows", async () => {
    const page = await liveTest(gallery.handlers.counter, { url: "/counter" });
    const tab = await page.tab();
    await page.click("button[lvt-on\\:click=increment]");
    await page.click("button[lvt-on\\:click=increment]");
    await page.click("button[lvt-on\\:click=decrement]");
    expect(page.text("#count")).toBe("1");
    expect(tab.text("#count")).toBe("1");
    await page.click("button[lvt-on\\:click=reset]");
    expect(tab.text("#count")).toBe("0");
    await page.close();
  });

  it("validates a todo, adds, toggles and filters keyed items", async () => {
    const page = await liveTest(gallery.handlers.todos, { url: "/todos" });
    await page.submit("#add-form", { title: "" });
    expect(page.text("#title-error")).not.toBe("");
    expect(page.errors()).toHaveProperty("title");
    await page.submit("#add-form", { title: "Milk" });
    await page.submit("#add-form", { title: "Eggs" });
    expect(page.find("#title-error")).toEqual([]);
    expect(page.find("#todos .title").map((t) => t.text)).toEqual(["Milk", "Eggs"]);
    const first = page.find("#todos li")[0]!.attr("data-key");
    await page.submit(`#todos li[data-key="${first}"] button[name=toggle]`);
    expect(page.find("#todos li.done .title").map((t) => t.text)).toEqual(["Milk"]);
    await page.submit("input[value=active] ~ button");
    expect(page.find("#todos .title").map((t) => t.text)).toEqual(["Eggs"]);
    await page.close();
  });

  it("broadcasts a chat message to another session", async () => {
    const ada = await liveTest(gallery.handlers.chat, { url: "/chat" });
    const bob = await ada.user("bob");
    await ada.submit("#send-form", { text: "hello" });
    await bob.waitFor(() => bob.find("#messages li span").some((s) => s.text === "hello"));
    expect(bob.html()).toContain("hello");
    await ada.waitFor(() => ada.text("#presence").startsWith("2 online"));
    await bob.closeTab();
    await ada.waitFor(() => ada.text("#presence").startsWith("1 online"));
    await ada.close();
  });
});
