import { describe, expect, it } from "vitest";
import { counts, resetCounts, type UpstashCount } from "../../local/control.ts";
import { loadConfig } from "../config.ts";
import { call, scopes, testEnv } from "../testing/http.ts";
import { env } from "cloudflare:workers";
import type { Env } from "../config.ts";
import { createRedis, keyOf } from "./redis.ts";
import { newMetrics, withMetrics } from "./metrics.ts";

describe("the Upstash adapter", () => {
  it("merges the reads and writes of one tick into one round trip", async () => {
    const config = loadConfig(env as unknown as Env);
    const redis = createRedis(config);
    const key = keyOf(config, "redis-test", crypto.randomUUID());
    await resetCounts(testEnv.STANDIN_UPSTASH, scopes.upstash);
    const metrics = newMetrics();
    const [, incremented, read] = await withMetrics(metrics, () =>
      Promise.all([redis.set(key, "a"), redis.incr(`${key}:n`), redis.get(`${key}:other`)]),
    );
    expect(incremented).toBe(1);
    expect(read).toBeNull();
    expect(metrics.cacheRoundTrips).toBe(1);
    const seen = await counts<UpstashCount>(testEnv.STANDIN_UPSTASH, scopes.upstash);
    expect(seen.pipeline + seen.command).toBe(1);
    expect(seen.commands).toBe(3);
  });

  it("keeps concurrent requests apart (workerd refuses I/O shared across requests)", async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => call("GET", "/api/ready")));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
  });
});
