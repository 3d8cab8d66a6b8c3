/**
 * `node bench/push-cache.ts`: what job status by push and the revising cache cost, counted by the
 * stand-ins (not timed): Neon requests per AI job when the client watches it through
 * `/jobs/:id/events` and when it reads the result once, with the model taking 5 s; and the 90/10
 * mix (routes.ts) cache on vs off, after one warm-up pass: Neon round trips per 1,000 requests,
 * Upstash requests and commands per request. Writes bench/results/push-cache-<time>.json; docs/BENCHMARKS.md §2 quotes it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { clearFaults, setFault } from "../local/control.ts";
import { api, createConversation, expectStatus, type BenchUser } from "./lib/api.ts";
import { profiles } from "./lib/profile.ts";
import { buildWorker, ROOT, startBenchStack, startWorkers, type WorkerInstance } from "./lib/stack.ts";
import { round } from "./lib/stats.ts";
import { readUsage, resetUsage, type Scopes } from "./lib/usage.ts";
import { cacheMix, prepareWorld } from "./scenarios/routes.ts";

const MODEL_LATENCY_MS = 5_000;
const JOBS = 6;
const scopes: Scopes = { neon: "assay_bench_push", upstash: "push", gemini: "bench-push" };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Accepted {
  job: { id: string };
}

/** Reads the job's event stream to its end; resolves to the statuses it carried. */
async function watch(base: string, user: BenchUser, jobId: string): Promise<string[]> {
  const res = await fetch(`${base}/api/v1/jobs/${jobId}/events`, { headers: { authorization: `Bearer ${user.token}` } });
  const text = await res.text();
  return [...text.matchAll(/"status":"([a-z]+)"/g)].map((m) => m[1] ?? "");
}

/** Neon requests per job (the POST, the job, and delivering its result), JOBS jobs in parallel. */
async function perJob(instance: WorkerInstance, users: BenchUser[], conversations: string[], delivery: "watched" | "read once"): Promise<number> {
  await resetUsage(stack, scopes);
  await Promise.all(
    users.slice(0, JOBS).map(async (user, i) => {
      const accepted = await expectStatus<Accepted>(
        202,
        api(instance.url, "POST", `/api/v1/conversations/${conversations[i]}/messages`, { token: user.token, ip: user.ip, json: { content: "Something encouraging, please." } }),
        "post a message",
      );
      if (delivery === "watched") {
        const statuses = await watch(instance.url, user, accepted.job.id);
        if (statuses.at(-1) !== "succeeded") throw new Error(`stream ended with ${statuses.join(",")}`);
      } else {
        await pause(MODEL_LATENCY_MS + 2_500);
        await expectStatus(200, api(instance.url, "GET", `/api/v1/jobs/${accepted.job.id}`, { token: user.token, ip: user.ip }), "read the job");
      }
    }),
  );
  await pause(1_000); // deferred work (waitUntil, the consumer's last statements)
  return round((await readUsage(stack, scopes)).neonRequests / JOBS, 2);
}

const profile = profiles.full;
const build = buildWorker();
const stack = await startBenchStack();
try {
  await stack.warmDatabase(scopes.neon);
  const shared = { build, database: scopes.neon, upstashScope: scopes.upstash, geminiKey: scopes.gemini, keyPrefix: `bench:push:${Date.now().toString(36)}:` };
  // CACHE_TIMEOUT_MS: on this shared 2-core machine Upstash's answers often take longer than the
  // production default (300 ms), and a skipped cache read counts as a Neon read: the wider timeout
  // counts what the design costs, not what the machine's load costs (BENCHMARKS.md §2).
  const vars = { AI_DAILY_BUDGET: "1000000", AI_USER_HOURLY_LIMIT: "1000000", ACCESS_TOKEN_TTL_SECONDS: "3600", CACHE_TIMEOUT_MS: process.env.CACHE_TIMEOUT_MS ?? "2000" };
  const [cached, uncached] = await startWorkers(stack, [
    { name: "push", ...shared, vars },
    { name: "push-nocache", ...shared, vars: { ...vars, CACHE_ENABLED: "false" } },
  ]);
  if (!cached || !uncached) throw new Error("two instances expected");
  try {
    const world = await prepareWorld(stack, cached, uncached, scopes, scopes.neon, profile);
    // Once to warm the cache (every user's first read of each member is a miss), then measured.
    await cacheMix(world, profile);
    const mix = await cacheMix(world, profile);
    await setFault(stack.urls.gemini, { scope: scopes.gemini, latencyMs: MODEL_LATENCY_MS });
    const conversations = await Promise.all(world.users.slice(0, JOBS).map((user) => createConversation(cached.url, user)));
    const watched = await perJob(cached, world.users, conversations, "watched");
    const readOnce = await perJob(cached, world.users, conversations, "read once");
    await clearFaults(stack.urls.gemini, scopes.gemini);
    const results = {
      code: build.version,
      backends: stack.backends,
      modelLatencyMs: MODEL_LATENCY_MS,
      neonPerAiJob: { watched, readOnce },
      mix: mix.map((m) => ({
        cache: m.cache,
        requests: m.load.requests,
        rps: m.load.rps,
        statuses: m.load.statuses,
        neonPer1000: m.neonPer1000,
        upstashPer1000: m.upstashPer1000,
        upstashCommandsPerRequest: m.perRequest.upstashCommands,
      })),
    };
    console.log(JSON.stringify(results, null, 2));
    const dir = join(ROOT, "bench/results");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `push-cache-${new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19)}.json`), `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await Promise.all([cached.stop(), uncached.stop()]);
  }
} finally {
  await stack.stop();
}
