/**
 * Test support: how many round trips a call cost, counted twice — by the stand-ins themselves
 * (everything, including write-backs deferred with waitUntil) and by the Worker's own
 * `Server-Timing` header (what the response waited for).
 */
import { counts, type NeonCount, type UpstashCount } from "../control.ts";
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

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `request` and returns its result with the round trips the stand-ins served meanwhile. */
export async function measured<T>(request: () => Promise<T>): Promise<{ res: T; served: RoundTrips }> {
  const before = await served();
  const res = await request();
  // Deferred write-backs are already in flight when the response arrives: wait until counts settle.
  let after = await served();
  for (let i = 0; i < 40; i++) {
    await pause(30);
    const again = await served();
    if (again.neon === after.neon && again.upstash === after.upstash) break;
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
