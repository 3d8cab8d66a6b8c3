/**
 * The two backend sets every contract suite runs against: embedded (PGlite, ioredis-mock), as
 * on a fresh laptop, and real servers (LOCAL_PG_URL / LOCAL_REDIS_URL, defaulting to this
 * machine's PostgreSQL and Redis), as in CI. The real ones run only with LOCAL_BACKENDS=real, like
 * the Worker suites, so a plain `npm test` needs no server at all.
 */
import { fileURLToPath } from "node:url";
import type { Redis } from "@upstash/redis";

export interface BackendVariant {
  name: string;
  /** Set when this variant must not run; the suite title says why. */
  skip: boolean;
  pgUrl?: string;
  redisUrl?: string;
}

const embeddedOnly = process.env.LOCAL_BACKENDS !== "real";

export const backendVariants: BackendVariant[] = [
  { name: "embedded backends (PGlite, ioredis-mock)", skip: false },
  {
    name: embeddedOnly
      ? "real servers (skipped: set LOCAL_BACKENDS=real)"
      : "real servers (PostgreSQL, redis-server)",
    skip: embeddedOnly,
    pgUrl: process.env.LOCAL_PG_URL || "postgres://postgres@127.0.0.1:5432/test",
    redisUrl: process.env.LOCAL_REDIS_URL || "redis://127.0.0.1:6379",
  },
];

/** A migrations folder in drizzle-kit's layout, so these tests do not depend on drizzle/. */
export const TEST_MIGRATIONS = fileURLToPath(new URL("./migrations", import.meta.url));

/** Keys in a shared Redis are prefixed with this, so concurrent runs never touch each other's. */
export const RUN_ID = `${process.pid}-${Date.now().toString(36)}`;

/** Removes this run's keys from a (possibly shared) Redis. */
export async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, { match: pattern, count: 500 });
    if (keys.length > 0) await redis.del(...keys);
    cursor = String(next);
  } while (cursor !== "0");
}
