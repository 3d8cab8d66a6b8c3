/**
 * The Upstash Redis adapter. One client per isolate. Every REST request is one cache round trip,
 * counted into the current request's metrics.
 *
 * @upstash/redis auto-pipelines commands of one tick, but keeps reads and writes in separate
 * pipelines, and @upstash/ratelimit's scripts are writes: a limit check plus a cache read would
 * cost two round trips. The requester below merges everything issued in the same tick (single
 * commands and pipelines alike, never multi-exec) into ONE `/pipeline` request and hands each
 * caller its own slice of the answer. Merging happens only within one request's (or job's)
 * measurement scope: workerd cancels a request that waits on I/O started by another request.
 *
 * Calls time out quickly; callers decide whether a failure fails soft (cache) or closed (limits).
 */
import { Redis } from "@upstash/redis/cloudflare";
import type { Config } from "../config.ts";
import { currentMetrics, recordRoundTrip, type Metrics } from "./metrics.ts";

export type { Redis };

const TIMEOUT_MS = 1_500;

interface UpstashRequest {
  path?: string[];
  body?: unknown;
  headers?: Record<string, string>;
  isStreaming?: boolean;
  [option: string]: unknown;
}
interface UpstashResult {
  result?: unknown;
  error?: string;
}
type Send = (req: UpstashRequest) => Promise<UpstashResult | UpstashResult[]>;

interface Pending {
  req: UpstashRequest;
  commands: unknown[][];
  single: boolean;
  resolve: (value: UpstashResult | UpstashResult[]) => void;
  reject: (reason: unknown) => void;
}

function commandsOf(req: UpstashRequest): { commands: unknown[][]; single: boolean } | undefined {
  if (req.isStreaming || (req.headers && Object.keys(req.headers).length > 0)) return undefined;
  const path = req.path ?? [];
  if (path.length === 0 && Array.isArray(req.body)) return { commands: [req.body], single: true };
  if (path.length === 1 && path[0] === "pipeline" && Array.isArray(req.body)) {
    return { commands: req.body as unknown[][], single: false };
  }
  return undefined;
}

/** Wraps the client's requester so that requests of one tick and one scope share one HTTP round trip. */
export function coalesce(send: Send, scopeOf: () => Metrics | undefined = currentMetrics): Send {
  const queues = new WeakMap<Metrics, Pending[]>();

  const flush = async (scope: Metrics) => {
    const batch = queues.get(scope) ?? [];
    queues.delete(scope);
    if (batch.length === 1) {
      const [only] = batch as [Pending];
      send(only.req).then(only.resolve, only.reject);
      return;
    }
    try {
      const results = (await send({ path: ["pipeline"], body: batch.flatMap((p) => p.commands) })) as UpstashResult[];
      let offset = 0;
      for (const p of batch) {
        const slice = results.slice(offset, offset + p.commands.length);
        offset += p.commands.length;
        p.resolve(p.single ? (slice[0] ?? {}) : slice);
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  };

  return (req) => {
    const mergeable = commandsOf(req);
    const scope = scopeOf();
    if (!mergeable || !scope) return send(req);
    return new Promise((resolve, reject) => {
      let queue = queues.get(scope);
      if (!queue) {
        queue = [];
        queues.set(scope, queue);
        setTimeout(() => void flush(scope), 0);
      }
      queue.push({ req, ...mergeable, resolve, reject });
    });
  };
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
  const http = (redis as unknown as { client: { request: Send } }).client;
  const send = http.request.bind(http);
  const counted: Send = async (req) => {
    const started = performance.now();
    try {
      return await send(req);
    } finally {
      recordRoundTrip("cache", performance.now() - started);
    }
  };
  http.request = coalesce(counted);
  return redis;
}

/** Namespaces every key of this deployment (and of each test project). */
export function keyOf(config: Config, ...parts: string[]): string {
  return config.KEY_PREFIX + parts.join(":");
}
