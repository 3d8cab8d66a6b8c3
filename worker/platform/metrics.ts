/**
 * Per-request (or per-job) measurements of the outside world: database and cache round trips and
 * their time, and whether reads were served from cache. Adapters record into the current scope
 * through AsyncLocalStorage, so no call site has to thread a counter through.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export interface Metrics {
  dbRoundTrips: number;
  dbMs: number;
  cacheRoundTrips: number;
  cacheMs: number;
  /** "hit" | "miss" | "bypass" for the request's main read, when it used the cache. */
  cacheStatus?: "hit" | "miss" | "bypass";
}

const storage = new AsyncLocalStorage<Metrics>();

export function newMetrics(): Metrics {
  return { dbRoundTrips: 0, dbMs: 0, cacheRoundTrips: 0, cacheMs: 0 };
}

/** Runs `fn` with a fresh measurement scope. */
export function withMetrics<T>(metrics: Metrics, fn: () => T): T {
  return storage.run(metrics, fn);
}

export function currentMetrics(): Metrics | undefined {
  return storage.getStore();
}

export function recordRoundTrip(kind: "db" | "cache", ms: number): void {
  const m = storage.getStore();
  if (!m) return;
  if (kind === "db") {
    m.dbRoundTrips += 1;
    m.dbMs += ms;
  } else {
    m.cacheRoundTrips += 1;
    m.cacheMs += ms;
  }
}

export function recordCacheStatus(status: NonNullable<Metrics["cacheStatus"]>): void {
  const m = storage.getStore();
  if (m && m.cacheStatus !== "miss") m.cacheStatus = status;
}

/** `Server-Timing` value: db and cache time with round-trip counts. */
export function serverTiming(m: Metrics, totalMs: number): string {
  const parts = [
    `db;dur=${m.dbMs.toFixed(1)};desc="${m.dbRoundTrips} round trips"`,
    `cache;dur=${m.cacheMs.toFixed(1)};desc="${m.cacheStatus ?? "none"}, ${m.cacheRoundTrips} round trips"`,
    `total;dur=${totalMs.toFixed(1)}`,
  ];
  return parts.join(", ");
}
