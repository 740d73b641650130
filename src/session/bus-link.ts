/**
 * An engine's link to the broadcast bus: it publishes "these groups changed" notices for other
 * instances and hands the notices of other instances (on its channel, or a re-sync after the
 * bus lost messages) to the engine. Notices carry no state; see `server/broadcast-bus.ts`.
 */
import { randomBytes } from "node:crypto";
import { RESYNC_CHANNEL, type BroadcastBus, type BroadcastMessage, type BroadcastTarget, type TopicPayload } from "../server/broadcast-bus.js";
import type { ConnectionRegistry } from "../server/connection-registry.js";
import type { Logger, MaybePromise } from "./types.js";

/** Where the topics layer hears from other instances (see `topics/hub.ts`). */
export interface TopicListener {
  /** A topics payload another instance sent on this channel. */
  received(source: string, payload: TopicPayload): void;
  /** The bus may have lost messages (it reconnected). */
  resynced(): void;
}

export class BusLink {
  /** This engine's id on the bus: its own notices come back to it and are ignored. */
  readonly source = randomBytes(8).toString("hex");
  private readonly unsubscribe: Promise<() => MaybePromise<void>> | undefined;
  private closed = false;

  constructor(
    private readonly bus: BroadcastBus | undefined,
    private readonly channel: string,
    private readonly logger: Logger,
    onNotice: (target: BroadcastTarget) => void,
    topics?: () => TopicListener,
  ) {
    if (bus === undefined) return;
    this.unsubscribe = Promise.resolve(
      bus.subscribe((m: BroadcastMessage) => {
        if (m.source === this.source || this.closed) return;
        if (m.channel !== this.channel && m.channel !== RESYNC_CHANNEL) return;
        if (m.topic !== undefined) {
          if (m.channel === this.channel) topics?.().received(m.source, m.topic);
          return;
        }
        onNotice(m.target);
        if (m.channel === RESYNC_CHANNEL) topics?.().resynced();
      }),
    );
    this.unsubscribe.catch((err: unknown) => logger.error("broadcast bus subscribe failed", err));
  }

  /** Tells other instances that `target` changed (best effort, never throws). */
  publish(target: BroadcastTarget): void {
    const bus = this.bus;
    if (bus === undefined) return;
    const message: BroadcastMessage = { source: this.source, channel: this.channel, target };
    Promise.resolve()
      .then(() => bus.publish(message))
      .catch((err: unknown) => this.logger.error("broadcast bus publish failed", err));
  }

  /** Whether there is a bus (other instances to talk to). */
  get connected(): boolean {
    return this.bus !== undefined;
  }

  /** Sends a topics payload to the other instances on this channel (best effort, never throws). */
  publishTopic(topic: TopicPayload): void {
    const bus = this.bus;
    if (bus === undefined || this.closed) return;
    const message: BroadcastMessage = { source: this.source, channel: this.channel, topic };
    Promise.resolve()
      .then(() => bus.publish(message))
      .catch((err: unknown) => this.logger.error("broadcast bus publish failed", err));
  }

  /** Stops taking notices and unsubscribes. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.unsubscribe === undefined) return;
    try {
      await (await this.unsubscribe)();
    } catch (err) {
      this.logger.error("broadcast bus unsubscribe failed", err);
    }
  }
}

/** The ids of the groups with live connections that a broadcast target names. */
export function targetGroupIds(registry: ConnectionRegistry, target: BroadcastTarget): string[] {
  switch (target.kind) {
    case "all":
      return registry.groupIds();
    case "users":
      return [...registry.groupsOfUsers(target.ids)];
    case "group":
      return registry.getByGroup(target.id).size > 0 ? [target.id] : [];
    default: {
      const never: never = target;
      return never;
    }
  }
}
