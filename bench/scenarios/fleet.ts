/**
 * Many instances: N independent `wrangler dev` processes (separate isolates, ports and local
 * queues) share one Neon and one Upstash stand-in, and are hammered at the same time. What a
 * shared limit admits in total must equal the limit exactly: login per IP (the production policy)
 * and the global daily AI budget. Beside it, the monolith's design: N Node processes, each with an
 * in-memory limiter, under the same load, admitting about N x the limit.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { createConversation, registerUsers, BENCH_PASSWORD, type BenchUser } from "../lib/api.ts";
import { JobsDb, jobIdOf, type JobAudit } from "../lib/jobs.ts";
import { runLoad, type LoadResult, type RequestSpec } from "../lib/load.ts";
import type { Profile } from "../lib/profile.ts";
import { ROOT, type BenchStack, type WorkerInstance, type WorkerOptions } from "../lib/stack.ts";
import { sleep } from "../lib/stats.ts";
import { readUsage, resetUsage, type Scopes } from "../lib/usage.ts";

/** The production login policy (worker/platform/limits.ts); the fleet runs with it unchanged. */
export const LOGIN_POLICY = { limit: 10, windowSeconds: 60 };

export interface AdmissionResult {
  policy: string;
  limit: number;
  instances: number;
  attempts: number;
  admitted: number;
  refused: number;
  /** Admitted per instance, in instance order. */
  perInstance: number[];
  statuses: Record<string, number>;
  exact: boolean;
}

export interface FleetResult {
  assay: { login: AdmissionResult; aiBudget: AdmissionResult & { audit: JobAudit; modelCalls: number } };
  monolith: { login: AdmissionResult; aiBudget: AdmissionResult };
}

function sum(results: LoadResult[], status: string): number {
  return results.reduce((total, r) => total + (r.statuses[status] ?? 0), 0);
}

function merge(results: LoadResult[]): Record<string, number> {
  const statuses: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  return statuses;
}

/** Same number of requests to every base, all at once. */
async function hammer(bases: string[], total: number, connections: number, next: (seq: number, instance: number) => RequestSpec, onBody?: (status: number, body: string) => void): Promise<LoadResult[]> {
  const each = Math.ceil(total / bases.length);
  return Promise.all(
    bases.map((url, instance) =>
      runLoad({ url, connections, seconds: 30, amount: each, next: (seq) => next(seq * bases.length + instance, instance), onBody }),
    ),
  );
}

function admission(policy: string, limit: number, admittedStatus: string, results: LoadResult[]): AdmissionResult {
  const attempts = results.reduce((total, r) => total + r.requests, 0);
  const admitted = sum(results, admittedStatus);
  const statuses = merge(results);
  return {
    policy,
    limit,
    instances: results.length,
    attempts,
    admitted,
    refused: statuses["429"] ?? 0,
    perInstance: results.map((r) => r.statuses[admittedStatus] ?? 0),
    statuses,
    exact: admitted === limit,
  };
}

/** Waits until the current fixed bucket of a sliding window has `margin` seconds left. */
async function awaitFreshWindow(windowSeconds: number, marginSeconds: number): Promise<void> {
  const windowMs = windowSeconds * 1000;
  const left = windowMs - (Date.now() % windowMs);
  if (left < marginSeconds * 1000) await sleep(left + 250);
}

/** Keeps a burst away from UTC midnight, when the daily budget resets. */
async function awayFromMidnight(): Promise<void> {
  const left = 86_400_000 - (Date.now() % 86_400_000);
  if (left < 120_000) await sleep(left + 1_000);
}

const scopes: Scopes = { neon: "assay_bench_fleet", upstash: "fleet", gemini: "bench-fleet" };

/** N instances sharing one database, one Upstash scope and one key prefix; production limits. */
export function fleetWorkers(profile: Profile): WorkerOptions[] {
  const runId = Date.now().toString(36);
  return Array.from({ length: profile.fleet.instances }, (_, i) => ({
    name: `fleet-${i + 1}`,
    database: scopes.neon,
    upstashScope: scopes.upstash,
    geminiKey: scopes.gemini,
    keyPrefix: `bench:fleet:${runId}:`,
    vars: { AI_DAILY_BUDGET: String(profile.fleet.aiBudget), ACCESS_TOKEN_TTL_SECONDS: "3600" },
  }));
}

export async function assayFleet(stack: BenchStack, profile: Profile, fleet: WorkerInstance[]): Promise<FleetResult["assay"]> {
  const { instances, users: userCount, loginAttempts, aiBudget, posts } = profile.fleet;
  try {
    const bases = fleet.map((w) => w.url);
    console.log(`  ${instances} instances up: ${bases.join(" ")}`);
    const users = await registerUsers(bases, userCount, "fleet");
    const conversations = await Promise.all(users.map((u, i) => createConversation(bases[i % bases.length] as string, u)));

    // Login, one client IP, every instance at once.
    const target = users[0] as BenchUser;
    const ip = `203.0.113.${1 + Math.floor(Math.random() * 250)}`;
    await awaitFreshWindow(LOGIN_POLICY.windowSeconds, 25);
    const logins = await hammer(bases, loginAttempts, profile.connections, () => ({
      method: "POST",
      path: "/api/v1/auth/login",
      headers: { "cf-connecting-ip": ip },
      json: { email: target.email, password: BENCH_PASSWORD },
    }));
    const login = admission("auth.login.ip (10 per 60 s per IP)", LOGIN_POLICY.limit, "200", logins);
    console.log(`  assay login: ${login.admitted} of ${login.attempts} admitted (limit ${login.limit}) per instance ${login.perInstance.join("/")}`);

    // The global AI budget: chat messages from many users, through every instance at once.
    await awayFromMidnight();
    await resetUsage(stack, scopes);
    const accepted: string[] = [];
    const results = await hammer(
      bases,
      posts,
      profile.connections,
      (seq) => {
        const i = seq % users.length;
        return {
          method: "POST",
          path: `/api/v1/conversations/${conversations[i]}/messages`,
          headers: { authorization: `Bearer ${(users[i] as BenchUser).token}` },
          json: { content: `Fleet message ${seq}` },
        };
      },
      (status, body) => {
        const id = status === 202 ? jobIdOf(body) : undefined;
        if (id) accepted.push(id);
      },
    );
    const budget = admission(`AI_DAILY_BUDGET (${aiBudget} model calls per day)`, aiBudget, "202", results);
    const jobsDb = new JobsDb(stack.databaseUrl(scopes.neon));
    await jobsDb.drain(profile.drainTimeoutMs);
    const audit = await jobsDb.audit(accepted);
    const modelCalls = (await readUsage(stack, scopes)).geminiCalls;
    console.log(
      `  assay AI budget: ${budget.admitted} of ${budget.attempts} admitted (budget ${aiBudget}) per instance ${budget.perInstance.join("/")}; ` +
        `jobs ${audit.total} ${JSON.stringify(audit.byStatus)}, model calls ${modelCalls}`,
    );
    return { login, aiBudget: { ...budget, audit, modelCalls } };
  } finally {
    await Promise.all(fleet.map((w) => w.stop()));
  }
}

async function startMonolith(aiBudget: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [join(ROOT, "bench/monolith/server.ts"), "--login-limit", String(LOGIN_POLICY.limit), "--login-window", String(LOGIN_POLICY.windowSeconds), "--ai-budget", String(aiBudget)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`monolith instance exited with ${code}`)));
    lines.once("line", (line) => resolve((JSON.parse(line) as { port: number }).port));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

export async function monolithFleet(profile: Profile): Promise<FleetResult["monolith"]> {
  const { loginAttempts, aiBudget, posts } = profile.fleet;
  const instances = Math.max(3, profile.fleet.instances);
  const fleet = await Promise.all(Array.from({ length: instances }, () => startMonolith(aiBudget)));
  try {
    const bases = fleet.map((f) => f.url);
    const logins = await hammer(bases, loginAttempts, profile.connections, () => ({
      method: "POST",
      path: "/login",
      headers: { "cf-connecting-ip": "203.0.113.200" },
      json: {},
    }));
    const login = admission("in-memory login limiter (10 per 60 s per IP, per process)", LOGIN_POLICY.limit, "200", logins);
    const ai = await hammer(bases, posts, profile.connections, () => ({ method: "POST", path: "/ai", json: {} }));
    const aiBudgetResult = admission(`in-memory AI budget (${aiBudget} per day, per process)`, aiBudget, "202", ai);
    console.log(
      `  monolith (${instances} processes): login ${login.admitted} admitted (limit ${login.limit}); AI ${aiBudgetResult.admitted} admitted (budget ${aiBudget})`,
    );
    return { login, aiBudget: aiBudgetResult };
  } finally {
    for (const f of fleet) f.child.kill("SIGTERM");
  }
}
