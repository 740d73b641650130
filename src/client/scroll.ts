/**
 * Infinite scroll: when the `[lvt-scroll-sentinel]` element comes near the viewport, send
 * `load_more`, with at most one request in flight. Once the reply lands the sentinel is observed
 * afresh, so a page that is still not full keeps loading until the server drops the sentinel.
 */
import { ACTION_LOAD_MORE } from "../protocol/wire.js";

const SENTINEL = "[lvt-scroll-sentinel]";
/** If a reply never comes (lost socket), loading may resume after this long. */
const RELEASE_MS = 10_000;

/** Watches the sentinel of one wrapper. */
export class InfiniteScroll {
  private io: IntersectionObserver | null = null;
  private target: Element | null = null;
  private busy = false;
  private timer = 0;

  constructor(
    private wrapper: HTMLElement,
    private send: (action: string) => void,
  ) {}

  /** Re-finds the sentinel after a patch; `fresh` re-observes even the same element. */
  refresh(fresh = false): void {
    const s = this.wrapper.querySelector(SENTINEL);
    if (s === this.target && !fresh) return;
    this.io?.disconnect();
    this.io = null;
    this.target = s;
    if (!s || typeof IntersectionObserver === "undefined") return;
    this.io = new IntersectionObserver(
      (entries) => {
        if (this.busy || !entries.some((e) => e.isIntersecting)) return;
        this.busy = true;
        this.timer = window.setTimeout(() => this.settle(ACTION_LOAD_MORE), RELEASE_MS);
        this.send(ACTION_LOAD_MORE);
      },
      { rootMargin: "200px" },
    );
    this.io.observe(s);
  }

  /** Called for every reply; a `load_more` reply lets the next request go. */
  settle(action: string | undefined): void {
    if (action !== ACTION_LOAD_MORE || !this.busy) return;
    this.busy = false;
    clearTimeout(this.timer);
    this.refresh(true);
  }

  /** Stops observing. */
  stop(): void {
    this.io?.disconnect();
    clearTimeout(this.timer);
  }
}
