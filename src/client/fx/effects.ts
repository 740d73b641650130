/**
 * The visual effects of the `lvt-fx:*` attributes (docs/client.md, "Effects (lvt-fx)"): a
 * background flash, an entry animation, and scrolling. Each is tuned by CSS custom properties read
 * from the element's computed style, so a stylesheet configures them per element, and each is
 * applied through the CSSOM (inline style properties, a constructed style sheet), which a strict
 * Content Security Policy allows. The inline properties are held through patches (`inline.ts`).
 *
 * The markup and its behaviour are those of the published client: the same property names and
 * defaults, the same animation names, the same scroll modes.
 */
import { hold, release } from "./inline.js";

/** Elements in the middle of a flash: a second trigger meanwhile is dropped, not stacked. */
const flashing = new WeakSet<Element>();
/** Elements whose entry animation has played: once per element, a reused node never replays it. */
const animated = new WeakSet<Element>();
/**
 * One-shot scroll modes that have fired (`into-view`, the first jump of `bottom-sticky`), with the
 * mode they fired under. Iterable, so that an element whose attribute changed or went away is
 * forgotten and fires again when the mode comes back.
 */
const latched = new Map<Element, string>();
/** The last seen value of the attribute a `reset-on:<attr>` element watches. */
const watched = new WeakMap<Element, string | null>();

const SCROLL_ATTR = "lvt-fx:scroll";
const BEHAVIORS = ["auto", "smooth", "instant"];
const warn = (what: string): void => console.warn(`livetemplate: ${what}`);

/** A custom property of `el`'s computed style, trimmed ("" when unset). */
const prop = (cs: CSSStyleDeclaration, name: string): string => cs.getPropertyValue(name).trim();

/** A duration custom property in ms (`500` and `500ms` both read 500), else `dflt`. */
function millis(cs: CSSStyleDeclaration, name: string, dflt: number): number {
  const n = parseInt(prop(cs, name), 10);
  return Number.isNaN(n) ? dflt : n;
}

/**
 * Applies `effect` (`highlight`, `animate`, `scroll`) to `el`; `value` is the attribute's value
 * (the mode). Unknown effects and modes are reported with `console.warn`.
 */
export function applyEffect(el: Element, effect: string, value: string): void {
  if (!(el as HTMLElement).style) return;
  // The computed style is read only past each effect's guard: on a long list whose rows have all
  // played their entry animation, an update then costs no style reads.
  if (effect === "highlight") flash(el as HTMLElement);
  else if (effect === "animate") animate(el as HTMLElement, value || "fade");
  else if (effect === "scroll") scroll(el as HTMLElement, value || "bottom");
  else warn(`unknown lvt-fx effect: ${effect}`);
}

/**
 * The background turns to `--lvt-highlight-color` (default `#ffc107`) and, 50 ms later, fades
 * back to what it was over `--lvt-highlight-duration` (default 500 ms); then the element's own
 * `transition` is put back.
 */
function flash(el: HTMLElement): void {
  if (flashing.has(el)) return;
  flashing.add(el);
  const cs = getComputedStyle(el);
  const ms = millis(cs, "--lvt-highlight-duration", 500);
  hold(el, "transition", `background-color ${ms}ms ease-out`);
  hold(el, "background-color", prop(cs, "--lvt-highlight-color") || "#ffc107");
  setTimeout(() => {
    release(el, "background-color");
    const end = (): void => {
      release(el, "transition");
      flashing.delete(el);
    };
    // A detached element has nothing to fade: everything goes back at once.
    if (el.isConnected) setTimeout(end, ms);
    else end();
  }, 50);
}

/** The keyframes the animation modes name, unless the page brings its own (`#lvt-animate-styles`). */
const KEYFRAMES = `@keyframes lvt-fade-in{from{opacity:0}to{opacity:1}}
@keyframes lvt-slide-in{from{opacity:0;transform:translateY(-10px)}to{opacity:1;transform:translateY(0)}}
@keyframes lvt-scale-in{from{opacity:0;transform:scale(0.95)}to{opacity:1;transform:scale(1)}}`;
let keyframesAdded = false;

function keyframes(): void {
  if (keyframesAdded || document.getElementById("lvt-animate-styles")) return;
  keyframesAdded = true;
  try {
    // A constructed sheet, not a <style> element: allowed whatever the page's style-src says.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(KEYFRAMES);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  } catch {
    // A browser without constructed sheets (Safari before 16.4).
    const el = document.createElement("style");
    el.id = "lvt-animate-styles";
    el.textContent = KEYFRAMES;
    document.head.appendChild(el);
  }
}

/**
 * Plays the entry animation `mode` (`fade`, `slide`, `scale`: keyframes `lvt-<mode>-in`) once per
 * element, over `--lvt-animate-duration` (default 500 ms), as an inline `animation` removed when
 * it ends.
 */
function animate(el: HTMLElement, mode: string): void {
  if (animated.has(el)) return;
  animated.add(el);
  if (mode !== "fade" && mode !== "slide" && mode !== "scale") return warn(`unknown lvt-fx:animate mode: ${mode}`);
  keyframes();
  hold(el, "animation", `lvt-${mode}-in ${millis(getComputedStyle(el), "--lvt-animate-duration", 500)}ms ease-out`);
  const done = (e: Event): void => {
    // A descendant's animation ending bubbles here too; only ours ends ours.
    if (e.target !== el) return;
    el.removeEventListener("animationend", done);
    el.removeEventListener("animationcancel", done);
    release(el, "animation");
  };
  el.addEventListener("animationend", done);
  el.addEventListener("animationcancel", done);
}

/** Forgets the one-shot scrolls of elements that left the page or whose mode changed. */
export function forgetScrolls(): void {
  for (const [el, mode] of latched) if (!el.isConnected || el.getAttribute(SCROLL_ATTR) !== mode) latched.delete(el);
}

/**
 * Scrolls `el` by `mode`: `bottom`, `top`, `bottom-sticky` (to the bottom the first time, then
 * only while the reader is within `--lvt-scroll-threshold` px of it, default 100), `into-view`
 * (`el` itself into view, centred, once), `preserve` (nothing), `reset-on:<attr>` (to the top
 * left when attribute `<attr>` changed since the last update). `--lvt-scroll-behavior` is `auto`
 * (default), `smooth` or `instant`.
 */
function scroll(el: HTMLElement, mode: string): void {
  const cs = getComputedStyle(el);
  const b = prop(cs, "--lvt-scroll-behavior");
  const behavior = (BEHAVIORS.includes(b) ? b : "auto") as ScrollBehavior;
  const bottom = (how: ScrollBehavior): void => el.scrollTo({ top: el.scrollHeight, behavior: how });
  if (mode === "bottom") bottom(behavior);
  else if (mode === "top") el.scrollTo({ top: 0, behavior });
  else if (mode === "bottom-sticky") {
    if (latched.get(el) !== mode) {
      latched.set(el, mode);
      bottom("instant");
    } else if (el.scrollHeight - el.scrollTop - el.clientHeight <= millis(cs, "--lvt-scroll-threshold", 100)) bottom(behavior);
  } else if (mode === "into-view") {
    if (latched.get(el) === mode) return;
    latched.set(el, mode);
    el.scrollIntoView({ block: "center", inline: "nearest", behavior });
  } else if (mode.startsWith("reset-on:")) {
    const name = mode.slice(9);
    if (!name) return warn(`lvt-fx:scroll="reset-on:" needs an attribute name`);
    const now = el.getAttribute(name);
    // The first sight only records the value: the mode resets on a change, not on arrival.
    if (watched.has(el) && watched.get(el) !== now) {
      el.scrollLeft = 0;
      el.scrollTop = 0;
    }
    watched.set(el, now);
  } else if (mode !== "preserve") warn(`unknown lvt-fx:scroll mode: ${mode}`);
}
