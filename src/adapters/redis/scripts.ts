/**
 * The two Lua scripts behind the Redis session store. A group is one hash: `v` (version token)
 * and `d` (the encoded stores). A version token is random per write, so a group that expired and
 * was created again never reuses a version an instance still remembers (no ABA).
 */
import type { Redis } from "ioredis";

/**
 * LOAD key known ttl -> {0} absent | {1} unchanged (version == known) | {2, version, data}.
 * Refreshes the TTL of a group that exists.
 */
const LOAD = `
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return {0} end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if v == ARGV[1] then return {1} end
return {2, v, redis.call('HGET', KEYS[1], 'd')}
`;

/**
 * SAVE key token data ttl accepted... -> {1} written | {0, version, data} conflict | {0} conflict
 * with an absent group. Writes only when the stored version is one of the accepted ones (`""`
 * stands for "absent"): compare-and-set.
 */
const SAVE = `
local v = redis.call('HGET', KEYS[1], 'v') or ''
local ok = false
for i = 4, #ARGV do
  if ARGV[i] == v then ok = true break end
end
if not ok then
  if v == '' then return {0} end
  return {0, v, redis.call('HGET', KEYS[1], 'd')}
end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'd', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1}
`;

/** Outcome of a load. */
export type Loaded = { kind: "absent" } | { kind: "unchanged" } | { kind: "changed"; version: string; data: string };

/** Outcome of a compare-and-set save. */
export type Saved = { kind: "written" } | { kind: "conflict"; current: { version: string; data: string } | undefined };

interface ScriptClient {
  ltSessionLoad(key: string, known: string, ttl: string): Promise<unknown>;
  ltSessionSave(key: string, token: string, data: string, ttl: string, ...accepted: string[]): Promise<unknown>;
}

const defined = new WeakSet<Redis>();

/** Registers the scripts on a client (once); ioredis sends them by SHA and reloads on NOSCRIPT. */
export function scripts(client: Redis): ScriptClient {
  if (!defined.has(client)) {
    client.defineCommand("ltSessionLoad", { numberOfKeys: 1, lua: LOAD });
    client.defineCommand("ltSessionSave", { numberOfKeys: 1, lua: SAVE });
    defined.add(client);
  }
  return client as unknown as ScriptClient;
}

export function parseLoaded(reply: unknown): Loaded {
  if (!Array.isArray(reply)) throw new TypeError("unexpected reply to the session load script");
  if (reply[0] === 0) return { kind: "absent" };
  if (reply[0] === 1) return { kind: "unchanged" };
  return { kind: "changed", version: String(reply[1]), data: String(reply[2]) };
}

export function parseSaved(reply: unknown): Saved {
  if (!Array.isArray(reply)) throw new TypeError("unexpected reply to the session save script");
  if (reply[0] === 1) return { kind: "written" };
  if (reply.length < 3) return { kind: "conflict", current: undefined };
  return { kind: "conflict", current: { version: String(reply[1]), data: String(reply[2]) } };
}
