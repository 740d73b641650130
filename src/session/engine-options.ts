/**
 * What a session engine is built from; the handler resolves these from its options.
 */
import type { TrackingMode } from "../changes/tracking.js";
import type { SessionStore } from "../server/session-store.js";
import type { BroadcastBus } from "../server/broadcast-bus.js";
import type { EngineObserver } from "../server/metrics.js";
import type { TopicOptions } from "../topics/types.js";
import type { Uploads } from "../uploads/uploads.js";
import type { SourceLines } from "./dev-detail.js";
import type { Member } from "./frame.js";
import type { StoreSet } from "./store-set.js";
import type { LiveView, Logger } from "./types.js";

/** What an engine is built from (the handler resolves these from its options). */
export interface EngineOptions {
  readonly view: LiveView;
  readonly stores: StoreSet;
  readonly sessions: SessionStore;
  readonly tracking: TrackingMode;
  /** Unexpected errors are sent to the client with their message. */
  readonly dev: boolean;
  readonly logger: Logger;
  /** Announced in the first render's `meta.capabilities`. */
  readonly capabilities: readonly string[];
  /** The wrapper of full pages. */
  readonly page: { readonly wrapperId: string; readonly loading: boolean };
  /** Cross-instance notices; none for a single instance. */
  readonly bus: BroadcastBus | undefined;
  readonly channel: string;
  /** Most session groups held in memory (the least recently used idle ones go first). */
  readonly maxGroups: number;
  /** Connected groups idle this long drop their render state (`stores`: and freeze their stores); none: never. */
  readonly hibernate?: { readonly afterMs: number; readonly stores: boolean } | undefined;
  /**
   * Dev mode: whether a live member asked for `meta.dev` (a page with the dev overlay; other
   * clients keep the plain protocol). None: no member gets it.
   */
  readonly wantsDevDetails?: ((member: Member) => boolean) | undefined;
  /** Dev mode: where template errors' source lines come from, for `meta.dev` (docs/dev-mode.md). */
  readonly sourceLines?: SourceLines | undefined;
  /** Told of every action and every frame written (the handler's metrics); none by default. */
  readonly observer?: EngineObserver | undefined;
  /** Topics and presence (ACL, batching, heartbeats); see docs/realtime.md. */
  readonly topics?: TopicOptions | undefined;
  /** The handler's uploads (configured names, staging, quota); see docs/uploads.md. */
  readonly uploads?: Uploads | undefined;
}
