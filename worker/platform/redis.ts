/**
 * The Upstash Redis adapter. One client per isolate; commands issued in the same tick are
 * auto-pipelined into one REST request, and every request is counted as one cache round trip.
 * Calls time out quickly: callers decide whether a failure fails soft (cache) or closed (limits).
 */
import { Redis } from "@upstash/redis/cloudflare";
import type { Config } from "../config.ts";
import { recordRoundTrip } from "./metrics.ts";

export type { Redis };

const TIMEOUT_MS = 1_500;

interface Requester {
  request: (req: unknown) => Promise<unknown>;
}

export function createRedis(config: Config): Redis {
  const redis = new Redis({
    url: config.UPSTASH_REDIS_REST_URL,
    token: config.UPSTASH_REDIS_REST_TOKEN,
    enableAutoPipelining: true,
    enableTelemetry: false,
    retry: { retries: 1, backoff: () => 50 },
    signal: () => AbortSignal.timeout(TIMEOUT_MS),
  });
  // The client has no fetch hook; its HTTP requester is the one place every round trip passes.
  const http = (redis as unknown as { client: Requester }).client;
  const send = http.request.bind(http);
  http.request = async (req) => {
    const started = performance.now();
    try {
      return await send(req);
    } finally {
      recordRoundTrip("cache", performance.now() - started);
    }
  };
  return redis;
}

/** Namespaces every key of this deployment (and of each test project). */
export function keyOf(config: Config, ...parts: string[]): string {
  return config.KEY_PREFIX + parts.join(":");
}
