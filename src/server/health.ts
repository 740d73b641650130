/**
 * `handler.health()`: whether the session store and the broadcast bus a handler uses answer, and
 * which ones they are (docs/operations.md).
 */
import type { BroadcastBus } from "./broadcast-bus.js";
import type { SessionStore } from "./session-store.js";

/** One backend's state. */
export interface BackendHealth {
  /** Its class name (`MemorySessionStore`, `RedisSessionStore`, `RedisBroadcastBus`, ...). */
  readonly name: string;
  /** It answered within the timeout (or cannot be checked, see `checked`). */
  readonly ok: boolean;
  /** False when the backend has no way to be checked (a bus without `ping`): `ok` is then true. */
  readonly checked: boolean;
  /** Time the check took, ms. */
  readonly ms: number;
  /** Why it is not ok. */
  readonly error?: string;
}

/** What `handler.health()` resolves with. */
export interface HealthReport {
  /** Every backend is ok. */
  readonly ok: boolean;
  readonly sessionStore: BackendHealth;
  /** Undefined for a single instance (no bus). */
  readonly bus: BackendHealth | undefined;
}

/** Id no session group has: a `get` of it reaches the store's backend and finds nothing. */
const PROBE_ID = "__livetemplate_health__";

export async function checkHealth(store: SessionStore, bus: BroadcastBus | undefined, timeoutMs = 2000): Promise<HealthReport> {
  const [s, b] = await Promise.all([
    probe(nameOf(store), () => (store.ping !== undefined ? store.ping() : Promise.resolve(store.get(PROBE_ID)).then(() => undefined)), timeoutMs),
    bus === undefined ? undefined : bus.ping === undefined ? unchecked(nameOf(bus)) : probe(nameOf(bus), () => bus.ping!(), timeoutMs),
  ]);
  return { ok: s.ok && (b === undefined || b.ok), sessionStore: s, bus: b };
}

function nameOf(o: object): string {
  return o.constructor?.name && o.constructor.name !== "Object" ? o.constructor.name : "custom";
}

function unchecked(name: string): BackendHealth {
  return { name, ok: true, checked: false, ms: 0 };
}

async function probe(name: string, check: () => Promise<void>, timeoutMs: number): Promise<BackendHealth> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { name, ok: true, checked: true, ms: Math.round(performance.now() - t0) };
  } catch (err) {
    return { name, ok: false, checked: true, ms: Math.round(performance.now() - t0), error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}
