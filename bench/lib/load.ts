/**
 * One load run with autocannon: a request builder called for every request (so each can carry its
 * own user, IP or body), bounded in time and, optionally, in count. Latencies and statuses come
 * from every response; database and cache round trips of the request path from its Server-Timing.
 */
import autocannon from "autocannon";
import { round, summarize, type LatencySummary } from "./stats.ts";

export interface RequestSpec {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  headers?: Record<string, string>;
  /** JSON-encoded for you. */
  json?: unknown;
}

/** autocannon's per-connection context; the builder may keep state in it. */
export type ConnectionContext = Record<string, unknown>;

export interface LoadOptions {
  url: string;
  connections: number;
  /** Stops after this long (seconds). */
  seconds: number;
  /** Stops after this many requests, if earlier. */
  amount?: number;
  /** Builds request number `seq` (0-based, global across connections). */
  next: (seq: number, context: ConnectionContext) => RequestSpec;
  /** Sees every response (e.g. to collect job ids). */
  onBody?: (status: number, body: string) => void;
}

export interface LoadResult {
  connections: number;
  requests: number;
  seconds: number;
  rps: number;
  latencyMs: LatencySummary;
  statuses: Record<string, number>;
  /** Socket errors and timeouts (no HTTP answer). */
  errors: number;
  /** Means per response, from Server-Timing: the request path only (no background work). */
  serverTiming: { dbRoundTrips: number; dbMs: number; cacheRoundTrips: number; cache: Record<string, number> };
}

const DB = /db;dur=([\d.]+);desc="(\d+) round trips"/;
const CACHE = /cache;dur=[\d.]+;desc="(\w+), (\d+) round trips"/;

/** autocannon keeps the server's header-name case, and repeats as arrays. */
function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value.join(", ") : value;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  let seq = 0;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const timing = { samples: 0, db: 0, dbMs: 0, cacheRoundTrips: 0, cache: {} as Record<string, number> };
  const request: autocannon.Request = {
    setupRequest: (req, context) => {
      const spec = options.next(seq++, context as ConnectionContext);
      const headers: Record<string, string> = { ...spec.headers };
      let body: string | undefined;
      if (spec.json !== undefined) {
        body = JSON.stringify(spec.json);
        headers["content-type"] = "application/json";
      }
      return { ...req, method: spec.method, path: spec.path, headers, body };
    },
    onResponse: (status, body, _context, headers) => {
      const serverTiming = headerValue(headers as Record<string, string | string[] | undefined>, "server-timing");
      if (serverTiming) {
        timing.samples += 1;
        const db = DB.exec(serverTiming);
        timing.dbMs += Number(db?.[1] ?? 0);
        timing.db += Number(db?.[2] ?? 0);
        const cache = CACHE.exec(serverTiming);
        if (cache) {
          timing.cacheRoundTrips += Number(cache[2]);
          const kind = cache[1] ?? "none";
          timing.cache[kind] = (timing.cache[kind] ?? 0) + 1;
        }
      }
      options.onBody?.(status, body);
    },
  };
  const started = performance.now();
  let finish: (result: autocannon.Result) => void = () => undefined;
  let fail: (err: unknown) => void = () => undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon(
    {
      url: options.url,
      connections: options.connections,
      duration: options.seconds,
      ...(options.amount === undefined ? {} : { amount: options.amount }),
      timeout: 10,
      requests: [request],
    },
    (err, result) => (err ? fail(err) : finish(result)),
  );
  instance.on("response", (_client, statusCode, _bytes, responseTime) => {
    latencies.push(responseTime);
    statuses[String(statusCode)] = (statuses[String(statusCode)] ?? 0) + 1;
  });
  // `amount` takes precedence over `duration` in autocannon: bound the time ourselves too.
  const guard = setTimeout(() => instance.stop(), options.seconds * 1000 + 500);
  const result = await done.finally(() => clearTimeout(guard));
  const seconds = (performance.now() - started) / 1000;
  const per = (n: number) => (timing.samples === 0 ? 0 : round(n / timing.samples, 2));
  return {
    connections: options.connections,
    requests: latencies.length,
    seconds: round(seconds, 2),
    rps: round(latencies.length / seconds),
    latencyMs: summarize(latencies),
    statuses,
    errors: result.errors,
    serverTiming: { dbRoundTrips: per(timing.db), dbMs: per(timing.dbMs), cacheRoundTrips: per(timing.cacheRoundTrips), cache: timing.cache },
  };
}
