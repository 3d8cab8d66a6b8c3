/**
 * Load per key route on one instance (cache on) and its twin (CACHE_ENABLED=false), sharing one
 * database, one Upstash scope and one set of users: req/s, latency percentiles, statuses, Neon and
 * Upstash round trips per request (stand-in counters, background work included), the request
 * path's own round trips (Server-Timing), and the Worker's CPU per request. Also the 90/10 cache
 * offload mix, cache on vs off.
 */
import { createAssessment, createConversation, answer, registerUsers, who5Answers, ipFor, BENCH_PASSWORD, api, type BenchUser } from "../lib/api.ts";
import { cpuSince, groupCpu } from "../lib/cpu.ts";
import { JobsDb, jobIdOf } from "../lib/jobs.ts";
import { runLoad, type LoadResult, type RequestSpec } from "../lib/load.ts";
import type { Profile } from "../lib/profile.ts";
import type { BenchStack, WorkerInstance } from "../lib/stack.ts";
import { parallel, prng, round, summarize, type LatencySummary } from "../lib/stats.ts";
import postgres from "postgres";
import { readUsage, resetUsage, type Scopes, type Usage } from "../lib/usage.ts";

export interface PerRequest {
  neon: number;
  upstash: number;
  upstashCommands: number;
  gemini: number;
  /** Worker runtime (workerd) CPU ms; an upper bound of billed CPU. */
  cpuMs: number;
}

export interface RouteResult {
  key: string;
  label: string;
  request: string;
  cache: "on" | "off";
  load: LoadResult;
  usage: Usage;
  perRequest: PerRequest;
  /** For AI routes: jobs accepted and how the run ended (drained = all terminal). */
  jobs?: { accepted: number; open: number; waitedMs: number };
}

export interface MixResult {
  cache: "on" | "off";
  driver: "neon-http" | "hyperdrive";
  load: LoadResult;
  usage: Usage;
  neonPer1000: number;
  upstashPer1000: number;
  perRequest: PerRequest;
}

export interface HyperdriveMixResult extends MixResult {
  /** One database session opened with Postgres.js, as each Hyperdrive request does locally. */
  sessionStartMs: LatencySummary;
}

export interface World {
  stack: BenchStack;
  cached: WorkerInstance;
  uncached: WorkerInstance;
  scopes: Scopes;
  database: string;
  users: BenchUser[];
  conversations: string[];
  /** Per user: one Mini-IPIP draft the mix writes to. */
  mixDrafts: string[];
  /** Answered WHO-5 drafts, submitted once each by the submit load. */
  submitDrafts: { user: BenchUser; id: string }[];
}

const bearer = (user: BenchUser) => ({ authorization: `Bearer ${user.token}` });

/** Users, conversations and drafts, made through the API before anything is measured. */
export async function prepareWorld(stack: BenchStack, cached: WorkerInstance, uncached: WorkerInstance, scopes: Scopes, database: string, profile: Profile): Promise<World> {
  const base = cached.url;
  const users = await registerUsers([base], profile.users, "load");
  const perUser = await parallel(users, 4, async (user) => {
    const conversation = await createConversation(base, user);
    const mixDraft = await createAssessment(base, user, "mini-ipip");
    const drafts: string[] = [];
    for (let i = 0; i < profile.draftsPerUser; i++) {
      const id = await createAssessment(base, user, "who-5");
      await answer(base, user, id, who5Answers);
      drafts.push(id);
    }
    return { conversation, mixDraft, drafts };
  });
  return {
    stack,
    cached,
    uncached,
    scopes,
    database,
    users,
    conversations: perUser.map((p) => p.conversation),
    mixDrafts: perUser.map((p) => p.mixDraft),
    submitDrafts: perUser.flatMap((p, i) => p.drafts.map((id) => ({ user: users[i] as BenchUser, id }))),
  };
}

function perRequest(usage: Usage, requests: number, cpuMs: number): PerRequest {
  const per = (n: number) => (requests === 0 ? 0 : round(n / requests, 3));
  return {
    neon: per(usage.neonRequests),
    upstash: per(usage.upstashRequests),
    upstashCommands: per(usage.upstashCommands),
    gemini: per(usage.geminiCalls),
    cpuMs: per(cpuMs),
  };
}

interface RouteSpec {
  key: string;
  label: string;
  request: string;
  instance: WorkerInstance;
  next: (seq: number) => RequestSpec;
  amount?: number;
  /** AI routes: wait for their jobs, so the counters include each job's own work. */
  ai?: boolean;
}

async function measure(world: World, profile: Profile, spec: RouteSpec): Promise<RouteResult> {
  const jobsDb = new JobsDb(world.stack.databaseUrl(world.database));
  const accepted: string[] = [];
  await resetUsage(world.stack, world.scopes);
  const cpuBefore = groupCpu(spec.instance.pid);
  const load = await runLoad({
    url: spec.instance.url,
    connections: profile.connections,
    seconds: profile.routeSeconds,
    amount: spec.amount,
    next: (seq) => spec.next(seq),
    onBody: spec.ai
      ? (status, body) => {
          const id = status === 202 ? jobIdOf(body) : undefined;
          if (id) accepted.push(id);
        }
      : undefined,
  });
  let jobs: RouteResult["jobs"];
  if (spec.ai) {
    const drained = await jobsDb.drain(profile.drainTimeoutMs);
    jobs = { accepted: accepted.length, open: drained.open, waitedMs: drained.waitedMs };
  }
  const cpu = cpuSince(cpuBefore, spec.instance.pid);
  const usage = await readUsage(world.stack, world.scopes);
  usage.neonRequests -= jobsDb.queries;
  const result: RouteResult = {
    key: spec.key,
    label: spec.label,
    request: spec.request,
    cache: spec.instance === world.uncached ? "off" : "on",
    load,
    usage,
    perRequest: perRequest(usage, load.requests, cpu.workerdMs),
    jobs,
  };
  console.log(
    `  ${spec.label.padEnd(34)} ${String(load.rps).padStart(7)} req/s  p50 ${load.latencyMs.p50} p95 ${load.latencyMs.p95} p99 ${load.latencyMs.p99} ms  ` +
      `neon ${result.perRequest.neon}/req upstash ${result.perRequest.upstash}/req cpu ${result.perRequest.cpuMs} ms  ${JSON.stringify(load.statuses)}`,
  );
  return result;
}

/** Limits that end in 20 would hit the list the hit run warmed. */
const MISS_LIMITS = Array.from({ length: 100 }, (_, i) => i + 1).filter((limit) => limit !== 20);

export async function routeLoads(world: World, profile: Profile): Promise<RouteResult[]> {
  const { users, cached, uncached } = world;
  const user = (seq: number) => users[seq % users.length] as BenchUser;
  const results: RouteResult[] = [];
  const run = async (spec: RouteSpec) => results.push(await measure(world, profile, spec));

  await run({ key: "health", label: "health", request: "GET /api/health", instance: cached, next: () => ({ method: "GET", path: "/api/health" }) });
  await run({
    key: "templates",
    label: "public templates (hot)",
    request: "GET /api/v1/templates",
    instance: cached,
    next: () => ({ method: "GET", path: "/api/v1/templates" }),
  });

  // Warm every user's first page, then read it again and again.
  await parallel(users, 4, (u) => api(cached.url, "GET", "/api/v1/assessments", { token: u.token }));
  await run({
    key: "list-hit",
    label: "assessment list (cache hit)",
    request: "GET /api/v1/assessments",
    instance: cached,
    next: (seq) => ({ method: "GET", path: "/api/v1/assessments", headers: bearer(user(seq)) }),
  });
  await run({
    key: "list-miss",
    label: "assessment list (cache miss)",
    request: "GET /api/v1/assessments?limit=n (a new key each time)",
    instance: cached,
    amount: users.length * MISS_LIMITS.length,
    next: (seq) => ({
      method: "GET",
      path: `/api/v1/assessments?limit=${MISS_LIMITS[Math.floor(seq / users.length) % MISS_LIMITS.length]}`,
      headers: bearer(user(seq)),
    }),
  });
  await run({
    key: "list-off",
    label: "assessment list (cache off)",
    request: "GET /api/v1/assessments",
    instance: uncached,
    next: (seq) => ({ method: "GET", path: "/api/v1/assessments", headers: bearer(user(seq)) }),
  });
  await run({
    key: "login",
    label: "login (PBKDF2 100k)",
    request: "POST /api/v1/auth/login",
    instance: cached,
    next: (seq) => ({
      method: "POST",
      path: "/api/v1/auth/login",
      headers: { "cf-connecting-ip": ipFor(seq, 0) },
      json: { email: user(seq).email, password: BENCH_PASSWORD },
    }),
  });
  await run({
    key: "message",
    label: "post chat message (202)",
    request: "POST /api/v1/conversations/:id/messages",
    instance: cached,
    ai: true,
    next: (seq) => ({
      method: "POST",
      path: `/api/v1/conversations/${world.conversations[seq % users.length]}/messages`,
      headers: bearer(user(seq)),
      json: { content: `Bench message ${seq}: what is one small thing I could do today?` },
    }),
  });
  const drafts = world.submitDrafts;
  await run({
    key: "submit",
    label: "submit assessment (202)",
    request: "POST /api/v1/assessments/:id/submit",
    instance: cached,
    ai: true,
    amount: drafts.length,
    next: (seq) => {
      const draft = drafts[seq % drafts.length] as (typeof drafts)[number];
      return { method: "POST", path: `/api/v1/assessments/${draft.id}/submit`, headers: bearer(draft.user) };
    },
  });
  return results;
}

/**
 * 90% reads (own list, one assessment, profile) and 10% writes (an answer to the user's draft,
 * which invalidates that user's cached reads), the same deterministic sequence on both sides.
 */
function mixRequest(world: World, seed: number): (seq: number) => RequestSpec {
  const random = prng(seed);
  return (seq) => {
    const i = seq % world.users.length;
    const u = world.users[i] as BenchUser;
    const draft = world.mixDrafts[i] as string;
    const roll = random();
    if (roll < 0.1) {
      const question = 1 + Math.floor(random() * 20);
      return {
        method: "PUT",
        path: `/api/v1/assessments/${draft}/answers`,
        headers: bearer(u),
        json: { answers: { [`q${question}`]: 1 + Math.floor(random() * 5) } },
      };
    }
    if (roll < 0.5) return { method: "GET", path: "/api/v1/assessments", headers: bearer(u) };
    if (roll < 0.8) return { method: "GET", path: `/api/v1/assessments/${draft}`, headers: bearer(u) };
    return { method: "GET", path: "/api/v1/me", headers: bearer(u) };
  };
}

/** The mix on one instance; `driver` and `cache` say how that instance is configured. */
async function runMix(world: World, profile: Profile, instance: WorkerInstance, cache: MixResult["cache"], driver: MixResult["driver"]): Promise<MixResult> {
  await resetUsage(world.stack, world.scopes);
  const cpuBefore = groupCpu(instance.pid);
  const load = await runLoad({ url: instance.url, connections: profile.connections, seconds: profile.mixSeconds, next: mixRequest(world, 42) });
  const cpu = cpuSince(cpuBefore, instance.pid);
  const usage = await readUsage(world.stack, world.scopes);
  const per1000 = (n: number) => round((n / Math.max(1, load.requests)) * 1000);
  const result: MixResult = {
    cache,
    driver,
    load,
    usage,
    neonPer1000: per1000(usage.neonRequests),
    upstashPer1000: per1000(usage.upstashRequests),
    perRequest: perRequest(usage, load.requests, cpu.workerdMs),
  };
  console.log(
    `  90/10 mix, ${driver}, cache ${cache.padEnd(3)} ${String(load.rps).padStart(7)} req/s  p95 ${load.latencyMs.p95} ms  neon ${result.neonPer1000}/1000 req  upstash ${result.upstashPer1000}/1000 req  ${JSON.stringify(load.statuses)}`,
  );
  return result;
}

export async function cacheMix(world: World, profile: Profile): Promise<MixResult[]> {
  return [await runMix(world, profile, world.cached, "on", "neon-http"), await runMix(world, profile, world.uncached, "off", "neon-http")];
}

/**
 * The cache-off mix again on an instance with DB_DRIVER=hyperdrive (same database, reached over the
 * Postgres wire protocol through a local Hyperdrive binding): the two drivers side by side.
 */
export async function driverMix(world: World, profile: Profile, instance: WorkerInstance, postgresUrl: string): Promise<HyperdriveMixResult> {
  const mix = await runMix(world, profile, instance, "off", "hyperdrive");
  return { ...mix, sessionStartMs: await sessionStarts(postgresUrl, 30) };
}

/**
 * What opening one session costs the database here (TCP connect, startup, authentication, until
 * ReadyForQuery, then `SELECT 1`), timed with Postgres.js, the Worker's Hyperdrive driver. Locally
 * every Hyperdrive request pays it; in production Hyperdrive answers the startup itself and keeps
 * origin sessions warm.
 */
async function sessionStarts(postgresUrl: string, count: number): Promise<LatencySummary> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const sql = postgres(postgresUrl, { max: 1, fetch_types: false, onnotice: () => undefined });
    await sql.unsafe("SELECT 1");
    samples.push(performance.now() - started);
    await sql.end();
  }
  return summarize(samples);
}

export type { LoadResult };
