/**
 * The Lua scripts behind the Redis session store. A group is one hash: `v` (version), `d` (the
 * encoded stores), `h` (the last tokens written) and, for a while after a re-seed, `s` (when).
 * A version is `<counter>:<token>`: the counter grows by one with every write, so two versions
 * of one group can be ordered (the newest wins a re-seed); the token is random per write, so a
 * group that expired and was created again never reuses a version an instance still remembers
 * (no ABA).
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

/** Lua helpers: a version is `<counter>:<token>` (older random tokens count as counter 0). */
const VERSION = `
local function counter(v) local c = string.match(v, '^(%d+):') if c then return tonumber(c) end return 0 end
local function token(v) return string.match(v, ':(.*)$') or v end
local function nowms() local t = redis.call('TIME') return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) end
`;

/**
 * SAVE key token data ttl deadline settle base attempted... ->
 * {1, version} written | {0, version, data} conflict | {0} conflict with an absent group |
 * {2} refused, past the deadline | {3, ms} refused, the group was re-seeded less than `settle`
 * ms ago | {4, version, data} one of the attempted tokens already landed (and was built upon).
 *
 * Compare-and-set: writes only when the stored version is `base` (`""`: absent) or one of our
 * own attempted saves (a timeout that landed). The new version counts one up from the stored
 * one. `deadline` (Redis clock, epoch ms; 0 = none) fences a save that arrives after its sender
 * gave up and told the client the action failed: it can then never land. `h` keeps the last
 * tokens written, so a sender can recognise its own timed-out save under a newer one.
 */
const SAVE = `${VERSION}
local now = nowms()
local deadline = tonumber(ARGV[4])
if deadline > 0 and now > deadline then return {2} end
local seeded = redis.call('HGET', KEYS[1], 's')
if seeded and now - tonumber(seeded) < tonumber(ARGV[5]) then return {3, tonumber(ARGV[5]) - (now - tonumber(seeded))} end
local v = redis.call('HGET', KEYS[1], 'v') or ''
local ok = v == ARGV[6]
if not ok and v ~= '' then
  local t = token(v)
  for i = 7, #ARGV do if ARGV[i] == t then ok = true break end end
end
if not ok then
  if v == '' then return {0} end
  local h = ' ' .. (redis.call('HGET', KEYS[1], 'h') or '') .. ' '
  for i = 7, #ARGV do
    if string.find(h, ' ' .. ARGV[i] .. ' ', 1, true) then return {4, v, redis.call('HGET', KEYS[1], 'd')} end
  end
  return {0, v, redis.call('HGET', KEYS[1], 'd')}
end
local nv = tostring(counter(v) + 1) .. ':' .. ARGV[1]
local h = {}
for t in string.gmatch(redis.call('HGET', KEYS[1], 'h') or '', '%S+') do h[#h + 1] = t end
h[#h + 1] = ARGV[1]
while #h > 32 do table.remove(h, 1) end
redis.call('HSET', KEYS[1], 'v', nv, 'd', ARGV[2], 'h', table.concat(h, ' '))
redis.call('HDEL', KEYS[1], 's')
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, nv}
`;

/**
 * RESEED key version data ttl -> {1} written | {0, version, data} Redis holds this version or a
 * newer one. For a group Redis lost (restarted empty) while instances hold it: written only when
 * the group is absent or older, so of all the instances re-seeding it the newest state wins.
 * Marks the group as re-seeded now (`s`), which holds plain saves back for the settle time.
 */
const RESEED = `${VERSION}
local v = redis.call('HGET', KEYS[1], 'v')
if v and counter(v) >= counter(ARGV[1]) then return {0, v, redis.call('HGET', KEYS[1], 'd')} end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'd', ARGV[2], 's', nowms())
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1}
`;

/** The counter of a version `<counter>:<token>` (0 for an absent group or a random token). */
export function versionCounter(version: string): number {
  const m = /^(\d+):/.exec(version);
  return m === null ? 0 : Number(m[1]);
}

/** Outcome of a load. */
export type Loaded = { kind: "absent" } | { kind: "unchanged" } | { kind: "changed"; version: string; data: string };

/** Outcome of a compare-and-set save. */
export type Saved =
  | { kind: "written"; version: string }
  | { kind: "conflict"; current: { version: string; data: string } | undefined }
  /** Refused: it reached Redis after its deadline. */
  | { kind: "late" }
  /** Refused: the group was re-seeded moments ago; try again after `waitMs`. */
  | { kind: "settling"; waitMs: number }
  /** An earlier attempt of this save landed and another save was written on top of it. */
  | { kind: "landed"; current: { version: string; data: string } };

/** Outcome of a re-seed. */
export type Reseeded = { kind: "written" } | { kind: "newer"; current: { version: string; data: string } };

interface ScriptClient {
  ltSessionLoad(key: string, known: string, ttl: string): Promise<unknown>;
  ltSessionSave(key: string, token: string, data: string, ttl: string, deadline: string, settle: string, base: string, ...attempted: string[]): Promise<unknown>;
  ltSessionReseed(key: string, version: string, data: string, ttl: string): Promise<unknown>;
}

const defined = new WeakSet<Redis>();

/** Registers the scripts on a client (once); ioredis sends them by SHA and reloads on NOSCRIPT. */
export function scripts(client: Redis): ScriptClient {
  if (!defined.has(client)) {
    client.defineCommand("ltSessionLoad", { numberOfKeys: 1, lua: LOAD });
    client.defineCommand("ltSessionSave", { numberOfKeys: 1, lua: SAVE });
    client.defineCommand("ltSessionReseed", { numberOfKeys: 1, lua: RESEED });
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
  switch (reply[0]) {
    case 1:
      return { kind: "written", version: String(reply[1]) };
    case 2:
      return { kind: "late" };
    case 3:
      return { kind: "settling", waitMs: Number(reply[1]) };
    case 4:
      return { kind: "landed", current: { version: String(reply[1]), data: String(reply[2]) } };
    default:
      if (reply.length < 3) return { kind: "conflict", current: undefined };
      return { kind: "conflict", current: { version: String(reply[1]), data: String(reply[2]) } };
  }
}

export function parseReseeded(reply: unknown): Reseeded {
  if (!Array.isArray(reply)) throw new TypeError("unexpected reply to the session re-seed script");
  if (reply[0] === 1) return { kind: "written" };
  return { kind: "newer", current: { version: String(reply[1]), data: String(reply[2]) } };
}
