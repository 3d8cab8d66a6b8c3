/**
 * Cache-aside over Upstash Redis, shared by every isolate in every region.
 *
 * Values live in families: one Redis hash per family (a user's assessments, the templates, a
 * user's profile), one field per cached read, plus a `#gen` field. Every stored value carries the
 * generation it was read under, so invalidating a whole family is ONE command (a new `#gen`; the
 * same pipeline also drops the old fields to free memory), and a slow reader that loaded the
 * database before a write can never re-publish what it read: its generation no longer matches.
 *
 * - Reads are one HMGET (member + generation): one Upstash round trip, which @upstash/redis'
 *   auto-pipelining shares with anything else the request issues in the same tick. A miss loads
 *   the database and writes back after the response (`waitUntil`).
 * - Stampedes: a value is refreshed a little before it expires, by one request chosen at random
 *   with a probability that rises towards expiry (XFetch: Vattani et al., VLDB 2015), so a hot key
 *   is recomputed by one caller while everyone else still gets hits.
 * - Writes revise, not evict: `revise` rewrites (or drops) only the members a write changed, from
 *   the write's own RETURNING, with a compare-and-set per member in one Lua script; the script also
 *   bumps the family's write counter `#w`, and a reader's write-back is conditional on `#gen` and
 *   `#w` being what they were when it missed, so a reader that loaded before the write can never
 *   re-publish what it read. `invalidate` (a new generation) remains for writes that touch much.
 * - Not-found answers can be stored briefly (`notFoundTtlSeconds`).
 * - Fail-soft: a cache that errs or answers slower than CACHE_TIMEOUT_MS is skipped and the
 *   database answers. An invalidation that fails marks the family as unsynced in this isolate,
 *   which then reads through to the database until the stale values have expired anyway.
 */
import type { Context } from "hono";
import type { Config } from "../config.ts";
import type { AppEnv } from "../context.ts";
import { errorFields, type Logger } from "./log.ts";
import { recordCacheStatus } from "./metrics.ts";
import { keyOf, type Redis } from "./redis.ts";

/** The TTLs set by the monolith's scaling review. */
export const CACHE_TTL_SECONDS = {
  profile: 300,
  assessmentList: 60,
  template: 3600,
  conversations: 60,
  /** A not-found answer (a mistyped or deleted id), so repeats do not each reach the database. */
  notFound: 10,
} as const;

/** A group of cached reads invalidated together. */
export interface CacheFamily {
  /** The Redis hash holding the family. */
  key: string;
  /** How long a stored value is served. */
  ttlSeconds: number;
}

/**
 * @example
 * cacheFamily(config, CACHE_TTL_SECONDS.assessmentList, "assessments", userId)
 */
export function cacheFamily(config: Config, ttlSeconds: number, ...parts: string[]): CacheFamily {
  return { key: keyOf(config, "cache", ...parts), ttlSeconds };
}

/**
 * A replica may lag the primary by this much (Neon's replicas: milliseconds; the margin is wide).
 * A family written more recently than this is reloaded from the primary, so a lagging replica can
 * never put the value from before the write back into the shared cache.
 */
export const REPLICA_LAG_MS = 30_000;

/**
 * Whether a load may read a lagging replica: true unless the family was written within
 * REPLICA_LAG_MS (or that cannot be known).
 */
export type Load<T> = (replicaSafe: boolean) => Promise<T>;

export interface ReadOptions<T> {
  /** False for a value that must not be stored (e.g. one a background job is about to change). */
  storable?: (value: T) => boolean;
  /** Store an `undefined` answer (not found) for this long; by default it is not stored. */
  notFoundTtlSeconds?: number;
}

/** A revision's answer for a member the write made obsolete. */
export const DROP = Symbol("drop");

/**
 * What a write did to one cached member, given its current value: the new value, DROP, or
 * undefined when the write did not touch it.
 */
export type Revision = (member: string, value: unknown) => unknown;

export interface Cache {
  /**
   * The cached value of `member`, or `load()`'s result (stored unless undefined or not storable).
   *
   * @example
   * const page = await cache.read(family, `list:${limit}:${cursor}`, () => listFromDb(...));
   */
  read<T>(family: CacheFamily, member: string, load: Load<T>, options?: ReadOptions<T>): Promise<T>;
  /**
   * Applies a write to the cached members it changed (`revision`) and stores `additions`
   * (write-through), leaving every other member alone: two Upstash round trips (HGETALL, then one
   * script). Falls back to `invalidate` when it fails. Never throws.
   *
   * @example
   * await cache.revise(family, (member, value) => (member === `item:${id}` ? updated : undefined));
   */
  revise(family: CacheFamily, revision: Revision, additions?: Record<string, unknown>): Promise<void>;
  /** Drops every value of the families (one Upstash round trip). Never throws. */
  invalidate(...families: CacheFamily[]): Promise<void>;
}

export interface CacheDeps {
  redis: Redis;
  config: Config;
  logger: Logger;
  /** Runs write-backs after the response; without it they are awaited. */
  waitUntil?: (work: Promise<unknown>) => void;
}

const GEN_FIELD = "#gen";
const WRITES_FIELD = "#w";

/** A reader's write-back: only if no invalidation (`#gen`) and no revision (`#w`) happened since it missed. */
const WRITE_BACK_SCRIPT = `
if (redis.call('HGET', KEYS[1], '${GEN_FIELD}') or '') ~= ARGV[1] then return 0 end
if (redis.call('HGET', KEYS[1], '${WRITES_FIELD}') or '') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[3], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1`;

/**
 * A revision: under the generation it was computed for, each member is set (or deleted when the
 * new value is '') only if it still holds what the writer saw; otherwise it is deleted. Bumps \`#w\`.
 */
const REVISE_SCRIPT = `
if (redis.call('HGET', KEYS[1], '${GEN_FIELD}') or '') ~= ARGV[1] then return 0 end
redis.call('HINCRBY', KEYS[1], '${WRITES_FIELD}', 1)
for i = 3, #ARGV, 3 do
  local current = redis.call('HGET', KEYS[1], ARGV[i]) or ''
  if current == ARGV[i + 1] and ARGV[i + 2] ~= '' then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2])
  else redis.call('HDEL', KEYS[1], ARGV[i]) end
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1`;
/** XFetch's β: 1 is the paper's optimum for a single recomputation. */
const EARLY_REFRESH_BETA = 1;

interface Envelope<T> {
  /** Generation of the family when the value was read from the database. */
  g: string;
  /** Expiry, epoch ms. */
  e: number;
  /** How long the database read took, ms (drives early refresh). */
  d: number;
  v: T;
  /** Set on a stored not-found answer (`v` is null). */
  n?: 1;
}

/** Families whose invalidation failed, by key: read through to the database until this time. */
const unsynced = new Map<string, number>();

function isEnvelope(value: unknown): value is Envelope<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    "g" in value &&
    typeof value.g === "string" &&
    "e" in value &&
    typeof value.e === "number" &&
    "d" in value &&
    typeof value.d === "number" &&
    "v" in value
  );
}

function parseEnvelope(raw: unknown): Envelope<unknown> | undefined {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  return isEnvelope(value) ? value : undefined;
}

/** Fresh, unless this caller is the one picked to refresh it early. */
function servable(envelope: Envelope<unknown>, now: number): boolean {
  return now - envelope.d * EARLY_REFRESH_BETA * Math.log(Math.random()) < envelope.e;
}

/** `g<ms base 36>.<random>`: unique, and it tells when the family was last written. */
/** A hash field as text ("" when absent); the client may have parsed it as JSON. */
function fieldText(value: unknown): string {
  return value == null ? "" : String(value);
}

function newGeneration(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `g${Date.now().toString(36)}.${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** True when the generation is older than REPLICA_LAG_MS (a family never written has none: ""). */
function replicaSafe(generation: string, now: number): boolean {
  const match = /^g([0-9a-z]+)\./.exec(generation);
  if (!match) return generation === "";
  return now - parseInt(match[1] ?? "0", 36) > REPLICA_LAG_MS;
}

/** The hash outlives its values a little, so generations survive between reads. */
function hashTtl(family: CacheFamily): number {
  return family.ttlSeconds * 2;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`cache did not answer within ${ms} ms`)), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function createCache({ redis, config, logger, waitUntil }: CacheDeps): Cache {
  const timeoutMs = config.CACHE_TIMEOUT_MS;

  const isUnsynced = (family: CacheFamily) => {
    const until = unsynced.get(family.key);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    unsynced.delete(family.key);
    return false;
  };

  const writeBack = (family: CacheFamily, member: string, writes: string, envelope: Envelope<unknown>) => {
    const work = redis
      .eval(WRITE_BACK_SCRIPT, [family.key], [envelope.g, writes, member, JSON.stringify(envelope), hashTtl(family)])
      .catch((err: unknown) => logger.warn("cache write-back failed", { key: family.key, ...errorFields(err) }));
    if (waitUntil) waitUntil(work);
    else return work;
    return undefined;
  };

  const invalidate = async (...families: CacheFamily[]): Promise<void> => {
    if (!config.CACHE_ENABLED || families.length === 0) return;
    const generation = newGeneration();
    const commands = families.flatMap((family) => [
      redis.del(family.key),
      redis.hset(family.key, { [GEN_FIELD]: generation }),
      redis.expire(family.key, hashTtl(family)),
    ]);
    try {
      await withTimeout(Promise.all(commands), timeoutMs);
    } catch (err) {
      const until = Date.now() + Math.max(...families.map((f) => f.ttlSeconds)) * 1000;
      for (const family of families) unsynced.set(family.key, until);
      logger.warn("cache invalidation failed; reading through in this isolate", {
        keys: families.map((f) => f.key),
        ...errorFields(err),
      });
    }
  };

  return {
    async read<T>(family: CacheFamily, member: string, load: Load<T>, options: ReadOptions<T> = {}): Promise<T> {
      if (!config.CACHE_ENABLED) {
        recordCacheStatus("bypass");
        return load(true);
      }
      if (isUnsynced(family)) {
        recordCacheStatus("bypass");
        return load(false);
      }
      let stored: Record<string, unknown> | null;
      try {
        stored = await withTimeout(redis.hmget<Record<string, unknown>>(family.key, member, GEN_FIELD, WRITES_FIELD), timeoutMs);
      } catch (err) {
        logger.warn("cache read failed, reading the database", { key: family.key, ...errorFields(err) });
        recordCacheStatus("bypass");
        return load(false);
      }
      const generation = fieldText(stored?.[GEN_FIELD]);
      const writes = fieldText(stored?.[WRITES_FIELD]);
      const envelope = parseEnvelope(stored?.[member]);
      const now = Date.now();
      if (envelope && envelope.g === generation && servable(envelope, now)) {
        recordCacheStatus("hit");
        return (envelope.n ? undefined : envelope.v) as T;
      }
      recordCacheStatus("miss");
      const value = await load(replicaSafe(generation, now));
      const loadedAt = Date.now();
      const d = loadedAt - now;
      if (value === undefined && options.notFoundTtlSeconds) {
        await writeBack(family, member, writes, { g: generation, e: loadedAt + options.notFoundTtlSeconds * 1000, d, v: null, n: 1 });
      } else if (value !== undefined && (options.storable?.(value) ?? true)) {
        await writeBack(family, member, writes, { g: generation, e: loadedAt + family.ttlSeconds * 1000, d, v: value });
      }
      return value;
    },

    async revise(family: CacheFamily, revision: Revision, additions: Record<string, unknown> = {}): Promise<void> {
      if (!config.CACHE_ENABLED) return;
      try {
        const all = (await withTimeout(redis.hgetall<Record<string, unknown>>(family.key), timeoutMs)) ?? {};
        const generation = fieldText(all[GEN_FIELD]);
        const expires = Date.now() + family.ttlSeconds * 1000;
        const args: string[] = [];
        for (const [member, raw] of Object.entries(all)) {
          const envelope = member.startsWith("#") || member in additions ? undefined : parseEnvelope(raw);
          if (!envelope || envelope.g !== generation || envelope.n) continue;
          const next = revision(member, envelope.v);
          if (next === undefined) continue;
          args.push(member, JSON.stringify(envelope), next === DROP ? "" : JSON.stringify({ ...envelope, e: expires, v: next }));
        }
        for (const [member, value] of Object.entries(additions)) {
          const current = all[member] == null ? "" : JSON.stringify(parseEnvelope(all[member]) ?? all[member]);
          args.push(member, current, JSON.stringify({ g: generation, e: expires, d: 0, v: value }));
        }
        await withTimeout(redis.eval(REVISE_SCRIPT, [family.key], [generation, String(hashTtl(family)), ...args]), timeoutMs);
      } catch (err) {
        logger.warn("cache revision failed; invalidating the family", { key: family.key, ...errorFields(err) });
        await invalidate(family);
      }
    },

    invalidate,
  };
}

/**
 * The cache for one request, on the request's Upstash client (so a rate-limit check issued in the
 * same tick shares the round trip). Write-backs run after the response through `waitUntil`.
 */
export function requestCache(c: Context<AppEnv>): Cache {
  const { redis, config } = c.get("services");
  let waitUntil: CacheDeps["waitUntil"];
  try {
    const ctx = c.executionCtx;
    waitUntil = (work) => ctx.waitUntil(work);
  } catch {
    waitUntil = undefined;
  }
  return createCache({ redis, config, logger: c.get("logger"), waitUntil });
}
