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
}

export interface Cache {
  /**
   * The cached value of `member`, or `load()`'s result (stored unless undefined or not storable).
   *
   * @example
   * const page = await cache.read(family, `list:${limit}:${cursor}`, () => listFromDb(...));
   */
  read<T>(family: CacheFamily, member: string, load: Load<T>, options?: ReadOptions<T>): Promise<T>;
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

  const writeBack = (family: CacheFamily, member: string, envelope: Envelope<unknown>) => {
    const work = Promise.all([
      redis.hset(family.key, { [member]: JSON.stringify(envelope) }),
      redis.expire(family.key, hashTtl(family)),
    ]).catch((err: unknown) => logger.warn("cache write-back failed", { key: family.key, ...errorFields(err) }));
    if (waitUntil) waitUntil(work);
    else return work;
    return undefined;
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
        stored = await withTimeout(redis.hmget<Record<string, unknown>>(family.key, member, GEN_FIELD), timeoutMs);
      } catch (err) {
        logger.warn("cache read failed, reading the database", { key: family.key, ...errorFields(err) });
        recordCacheStatus("bypass");
        return load(false);
      }
      const generation = stored?.[GEN_FIELD] == null ? "" : String(stored[GEN_FIELD]);
      const envelope = parseEnvelope(stored?.[member]);
      const now = Date.now();
      if (envelope && envelope.g === generation && servable(envelope, now)) {
        recordCacheStatus("hit");
        return envelope.v as T;
      }
      recordCacheStatus("miss");
      const value = await load(replicaSafe(generation, now));
      const loadedAt = Date.now();
      if (value !== undefined && (options.storable?.(value) ?? true)) {
        await writeBack(family, member, {
          g: generation,
          e: loadedAt + family.ttlSeconds * 1000,
          d: loadedAt - now,
          v: value,
        });
      }
      return value;
    },

    async invalidate(...families: CacheFamily[]): Promise<void> {
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
    },
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
