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

/** A requester that merges one tick's requests, and carries riders (see `rideAlong`). */
export interface Coalescing extends Send {
  ride(command: unknown[]): Promise<UpstashResult>;
  release(): void;
}

/** Wraps the client's requester so that requests of one tick and one scope share one HTTP round trip. */
export function coalesce(send: Send, scopeOf: () => Metrics | undefined = currentMetrics): Coalescing {
  const queues = new WeakMap<Metrics, Pending[]>();
  const riders = new WeakMap<Metrics, Pending[]>();

  const flush = async (scope: Metrics) => {
    // Riders first: they read the state the request started from, before its own writes.
    const batch = [...(riders.get(scope) ?? []), ...(queues.get(scope) ?? [])];
    queues.delete(scope);
    riders.delete(scope);
    if (batch.length === 0) return;
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

  const requester = (req: UpstashRequest) => {
    const mergeable = commandsOf(req);
    const scope = scopeOf();
    if (!mergeable || !scope) return send(req);
    return new Promise<UpstashResult | UpstashResult[]>((resolve, reject) => {
      let queue = queues.get(scope);
      if (!queue) {
        queue = [];
        queues.set(scope, queue);
        setTimeout(() => void flush(scope), 0);
      }
      queue.push({ req, ...mergeable, resolve, reject });
    });
  };
  const ride = (command: unknown[]) => {
    const scope = scopeOf();
    const req = { body: command };
    if (!scope) return send(req) as Promise<UpstashResult>;
    return new Promise<UpstashResult>((resolve, reject) => {
      const list = riders.get(scope) ?? [];
      riders.set(scope, list);
      list.push({ req, commands: [command], single: true, resolve: (r) => resolve(r as UpstashResult), reject });
    });
  };
  const release = () => {
    const scope = scopeOf();
    // A pending pipeline takes the riders with it; otherwise they go now, on their own.
    if (scope && riders.has(scope) && !queues.has(scope)) void flush(scope);
  };
  return Object.assign(requester, { ride, release });
}

const coalescers = new WeakMap<Redis, Coalescing>();

/**
 * Sends `command` with the next pipeline the current request (or job) sends anyway, so a check
 * every request needs costs no round trip of its own; `releaseRiders` sends what is still waiting
 * (call it when the request has done its own Redis work). Resolves to the command's raw result.
 *
 * @example
 * const gone = rideAlong(redis, ["EXISTS", key]);
 * await next();
 * releaseRiders(redis);
 * if (Number(await gone) > 0) ...
 */
export async function rideAlong(redis: Redis, command: (string | number)[]): Promise<unknown> {
  const coalescer = coalescers.get(redis);
  if (!coalescer) throw new Error("rideAlong needs a client made by createRedis");
  const answer = await coalescer.ride(command);
  if (answer.error) throw new Error(answer.error);
  return answer.result;
}

export function releaseRiders(redis: Redis): void {
  coalescers.get(redis)?.release();
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
  const coalescer = coalesce(counted);
  http.request = coalescer;
  coalescers.set(redis, coalescer);
  return redis;
}

/** Namespaces every key of this deployment (and of each test project). */
export function keyOf(config: Config, ...parts: string[]): string {
  return config.KEY_PREFIX + parts.join(":");
}
