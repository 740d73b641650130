/**
 * The cost of presence in the chat demo: N visitors joining one after another must cost O(N)
 * frames, not one push to every connection per join (N²/2). Counted in frames written (every
 * frame a client receives), not in wall time.
 */
import { describe, expect, it } from "vitest";
import { createGallery } from "../../examples/gallery/app.js";
import { LiveSocket, textOf } from "./live-socket.js";

/** Opens `n` chat connections one after another (each its own session group), waits for presence to settle. */
async function join(n: number, presenceMs: number): Promise<{ frames: number; elapsedMs: number }> {
  const gallery = await createGallery({ port: 0, chatPresenceMs: presenceMs });
  const sockets: LiveSocket[] = [];
  try {
    const started = Date.now();
    for (let i = 0; i < n; i++) sockets.push(await LiveSocket.open(gallery.url + "/chat", ""));
    const elapsedMs = Date.now() - started;
    const settled = (s: LiveSocket) => s.waitForHtml((h) => textOf(h).includes(`${n} online`), 10_000);
    await Promise.all(sockets.map(settled));
    // Nothing more may arrive once presence has settled.
    await new Promise((r) => setTimeout(r, presenceMs * 2));
    return { frames: sockets.reduce((sum, s) => sum + s.frames.length, 0), elapsedMs };
  } finally {
    await Promise.all(sockets.map((s) => s.close()));
    await gallery.close();
  }
}

describe("chat presence", () => {
  it.each([25, 50])("costs O(N) frames for %i visitors joining one after another", async (n) => {
    const presenceMs = 250;
    const { frames, elapsedMs } = await join(n, presenceMs);
    // Each connection: its first render, plus at most one presence push per interval that the
    // joins lasted (and one for the last interval). Pushing every join to everyone would be
    // n + n(n-1)/2 frames.
    const intervals = Math.ceil(elapsedMs / presenceMs) + 1;
    expect(frames).toBeGreaterThanOrEqual(n);
    expect(frames).toBeLessThanOrEqual(n * (1 + intervals));
    expect(frames).toBeLessThan(n + (n * (n - 1)) / 2);
  });
});
