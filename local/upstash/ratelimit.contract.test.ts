/**
 * Contract: @upstash/ratelimit 2.x counts exactly against the Upstash stand-in: 200 concurrent
 * `limit()` calls against a limit of 50 let exactly 50 through, for each algorithm and backend.
 */
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalStack, type LocalStack } from "../stack.ts";
import { RUN_ID, TEST_MIGRATIONS, backendVariants, deleteKeys } from "../testing/backends.ts";

const algorithms = {
  "fixed window": () => Ratelimit.fixedWindow(50, "60 s"),
  "sliding window": () => Ratelimit.slidingWindow(50, "60 s"),
  "token bucket": () => Ratelimit.tokenBucket(1, "60 s", 50),
};

for (const variant of backendVariants) {
  describe.skipIf(variant.skip)(`@upstash/ratelimit on ${variant.name}`, () => {
    let stack: LocalStack;

    beforeAll(async () => {
      stack = await startLocalStack({ redisUrl: variant.redisUrl, migrationsFolder: TEST_MIGRATIONS });
    });
    afterAll(async () => {
      if (stack) await deleteKeys(new Redis({ url: stack.urls.upstash, token: stack.upstashToken(), retry: false }), `contract:${RUN_ID}:*`);
      await stack?.stop();
    });

    for (const [name, limiter] of Object.entries(algorithms)) {
      for (const autoPipelining of [true, false]) {
        it(`${name}: 200 concurrent calls, limit 50, allow exactly 50 (auto-pipelining ${autoPipelining ? "on" : "off"})`, async () => {
          const ratelimit = new Ratelimit({
            redis: new Redis({ url: stack.urls.upstash, token: stack.upstashToken("ratelimit"), retry: false, enableAutoPipelining: autoPipelining }),
            limiter: limiter(),
            prefix: `contract:${RUN_ID}:${name.replace(" ", "-")}:${autoPipelining}`,
            ephemeralCache: false,
            timeout: 0,
          });
          const results = await Promise.all(Array.from({ length: 200 }, () => ratelimit.limit("user-1")));
          expect(results.filter((r) => r.success)).toHaveLength(50);
          expect(results.every((r) => r.reason === undefined)).toBe(true);
          expect(Math.min(...results.map((r) => r.remaining))).toBe(0);
        });
      }
    }

    it("reports remaining tokens and resets an identifier (SCAN + DEL inside Lua)", async () => {
      const ratelimit = new Ratelimit({
        redis: new Redis({ url: stack.urls.upstash, token: stack.upstashToken("ratelimit"), retry: false }),
        limiter: Ratelimit.slidingWindow(5, "60 s"),
        prefix: `contract:${RUN_ID}:reset`,
        ephemeralCache: false,
      });
      for (let i = 0; i < 3; i++) await ratelimit.limit("user-2");
      expect((await ratelimit.getRemaining("user-2")).remaining).toBe(2);
      await ratelimit.resetUsedTokens("user-2");
      expect((await ratelimit.getRemaining("user-2")).remaining).toBe(5);
    });
  });
}
