/**
 * Test support: how many round trips a call cost, counted twice — by the stand-ins themselves
 * (everything, including write-backs deferred with waitUntil) and by the Worker's own
 * `Server-Timing` header (what the response waited for).
 */
import { counts, inFlight, type NeonCount, type UpstashCount } from "../control.ts";
import { scopes, testEnv, type CallResult } from "../../worker/testing/http.ts";

export interface RoundTrips {
  neon: number;
  upstash: number;
}

async function served(): Promise<RoundTrips> {
  const [neon, upstash] = await Promise.all([
    counts<NeonCount>(testEnv.STANDIN_NEON, scopes.neon),
    counts<UpstashCount>(testEnv.STANDIN_UPSTASH, scopes.upstash),
  ]);
  return {
    neon: (neon.query ?? 0) + (neon.batch ?? 0),
    upstash: (upstash.command ?? 0) + (upstash.pipeline ?? 0) + (upstash["multi-exec"] ?? 0),
  };
}

/** Requests the stand-ins still hold for this project's scopes. */
async function pending(): Promise<number> {
  const [neon, upstash] = await Promise.all([inFlight(testEnv.STANDIN_NEON, scopes.neon), inFlight(testEnv.STANDIN_UPSTASH, scopes.upstash)]);
  return neon + upstash;
}

/**
 * Runs `request` and returns its result with the round trips the stand-ins served meanwhile.
 * Deferred write-backs (waitUntil) may still be on their way when the response arrives: the counts
 * are read once the stand-ins hold none of this project's requests and two readings agree.
 */
export async function measured<T>(request: () => Promise<T>): Promise<{ res: T; served: RoundTrips }> {
  const before = await served();
  const res = await request();
  let after = await served();
  for (;;) {
    const idle = (await pending()) === 0;
    const again = await served();
    if (idle && again.neon === after.neon && again.upstash === after.upstash) break;
    after = again;
  }
  return { res, served: { neon: after.neon - before.neon, upstash: after.upstash - before.upstash } };
}

/** Round trips the response waited for, from `Server-Timing`, and the cache outcome. */
export function awaited(res: CallResult): RoundTrips & { cache: string } {
  const timing = res.headers.get("server-timing") ?? "";
  const db = /db;[^,]*desc="(\d+) round trips"/.exec(timing);
  const cache = /cache;[^,]*desc="([a-z]+), (\d+) round trips"/.exec(timing);
  return { neon: Number(db?.[1] ?? NaN), upstash: Number(cache?.[2] ?? NaN), cache: cache?.[1] ?? "" };
}
