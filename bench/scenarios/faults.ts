/**
 * Faults under load: one instance serving a steady mix (list reads, profile reads, chat messages)
 * while the stand-ins inject one fault at a time: Upstash down and slow, Neon down and slow,
 * Gemini answering 429 / 500 / timing out, and duplicate queue deliveries (the outbox sweeper
 * re-sending every queued job every 250 ms while the model is slow). Then every fault is cleared
 * and the jobs table is audited: every accepted job reached a terminal state exactly once.
 */
import { readFileSync } from "node:fs";
import { setFault, type Fault } from "../../local/control.ts";
import { createConversation, registerUsers, type BenchUser } from "../lib/api.ts";
import { JobsDb, jobIdOf, type JobAudit } from "../lib/jobs.ts";
import { runLoad, type LoadResult, type RequestSpec } from "../lib/load.ts";
import type { Profile } from "../lib/profile.ts";
import type { BenchStack, WorkerInstance, WorkerOptions } from "../lib/stack.ts";
import { sleep } from "../lib/stats.ts";
import { clearAllFaults, readUsage, resetUsage, type Scopes } from "../lib/usage.ts";

/** The instance's model timeout; the timeout fault delays answers well past it. */
const MODEL_TIMEOUT_MS = 2_000;

interface PhaseSpec {
  key: string;
  label: string;
  target?: "neon" | "upstash" | "gemini";
  fault?: Omit<Fault, "scope">;
  /** Run the outbox sweeper every 250 ms during the phase (duplicate deliveries). */
  sweep?: boolean;
}

export const PHASES: PhaseSpec[] = [
  { key: "baseline", label: "no fault" },
  { key: "upstash-down", label: "Upstash down", target: "upstash", fault: { down: true } },
  { key: "upstash-slow", label: "Upstash slow (+500 ms)", target: "upstash", fault: { latencyMs: 500 } },
  { key: "neon-down", label: "Neon down", target: "neon", fault: { down: true } },
  { key: "neon-slow", label: "Neon slow (+300 ms)", target: "neon", fault: { latencyMs: 300 } },
  { key: "gemini-429", label: "Gemini answers 429", target: "gemini", fault: { status: 429 } },
  { key: "gemini-500", label: "Gemini answers 500", target: "gemini", fault: { status: 500 } },
  { key: "gemini-timeout", label: `Gemini times out (+4 s, timeout ${MODEL_TIMEOUT_MS / 1000} s)`, target: "gemini", fault: { latencyMs: 4_000 } },
  { key: "duplicates", label: "duplicate deliveries (sweeper every 250 ms, model +1.5 s)", target: "gemini", fault: { latencyMs: 1_500 }, sweep: true },
];

export const SMOKE_PHASES = ["baseline", "upstash-down", "gemini-500", "duplicates"];

type Kind = "reads" | "profile" | "posts";

export interface KindResult {
  requests: number;
  rps: number;
  statuses: Record<string, number>;
  latencyMs: LoadResult["latencyMs"];
  /** Mean Neon round trips and time of the request path (Server-Timing). */
  db: { roundTrips: number; ms: number };
}

export interface PhaseResult {
  key: string;
  label: string;
  kinds: Record<Kind, KindResult>;
  /** Jobs accepted (202) during the phase. */
  accepted: number;
  /** Queue messages the sweeper re-sent for jobs already queued during the phase (duplicates). */
  duplicateSends: number;
}

export interface FaultsResult {
  phases: PhaseResult[];
  recovery: { waitedMs: number; sweeps: number };
  /** Queue messages the sweeper re-sent (phases and recovery): each one a possible duplicate delivery. */
  duplicateSends: number;
  accepted: number;
  modelCalls: number;
  audit: JobAudit;
  pass: boolean;
}

function kindOf(load: LoadResult): KindResult {
  return {
    requests: load.requests,
    rps: load.rps,
    statuses: load.statuses,
    latencyMs: load.latencyMs,
    db: { roundTrips: load.serverTiming.dbRoundTrips, ms: load.serverTiming.dbMs },
  };
}

function faultUrl(stack: BenchStack, target: NonNullable<PhaseSpec["target"]>): string {
  if (target === "neon") return stack.neonBase;
  if (target === "upstash") return stack.urls.upstash;
  return stack.urls.gemini;
}

/** Sum of the sweeper's "re-enqueued stranded jobs" counts in the instance's log. */
function sweptCount(logFile: string): number {
  let text: string;
  try {
    text = readFileSync(logFile, "utf8");
  } catch {
    return 0;
  }
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.includes("re-enqueued stranded jobs")) continue;
    total += Number(/"count":(\d+)/.exec(line)?.[1] ?? 0);
  }
  return total;
}

const scopes: Scopes = { neon: "assay_bench_faults", upstash: "faults", gemini: "bench-faults" };

/** One instance with quick retries and a sweeper that re-sends any queued job it finds. */
export function faultsWorker(): WorkerOptions {
  return {
    name: "faults",
    database: scopes.neon,
    upstashScope: scopes.upstash,
    geminiKey: scopes.gemini,
    keyPrefix: `bench:faults:${Date.now().toString(36)}:`,
    vars: {
      AI_DAILY_BUDGET: "1000000",
      AI_USER_HOURLY_LIMIT: "1000000",
      AI_USER_DAILY_LIMIT: "1000000",
      AI_IP_DAILY_LIMIT: "1000000",
      AI_MODEL_TIMEOUT_MS: String(MODEL_TIMEOUT_MS),
      AI_RETRY_BASE_SECONDS: "1",
      AI_SWEEP_AFTER_SECONDS: "0",
      ACCESS_TOKEN_TTL_SECONDS: "3600",
    },
  };
}

export async function faultsUnderLoad(stack: BenchStack, profile: Profile, instance: WorkerInstance): Promise<FaultsResult> {
  try {
    const users = await registerUsers([instance.url], profile.faults.users, "faults");
    const conversations = await Promise.all(users.map((u) => createConversation(instance.url, u)));
    const user = (seq: number) => users[seq % users.length] as BenchUser;
    const bearer = (u: BenchUser) => ({ authorization: `Bearer ${u.token}` });
    const kinds: Record<Kind, { connections: number; next: (seq: number) => RequestSpec }> = {
      reads: { connections: 3, next: (seq) => ({ method: "GET", path: "/api/v1/assessments", headers: bearer(user(seq)) }) },
      profile: { connections: 1, next: (seq) => ({ method: "GET", path: "/api/v1/me", headers: bearer(user(seq)) }) },
      posts: {
        connections: 2,
        next: (seq) => ({
          method: "POST",
          path: `/api/v1/conversations/${conversations[seq % users.length]}/messages`,
          headers: bearer(user(seq)),
          json: { content: `Fault bench ${seq}: one thing to try this week?` },
        }),
      },
    };

    await resetUsage(stack, scopes);
    const accepted: string[] = [];
    const phases: PhaseResult[] = [];
    const wanted = profile.name === "smoke" ? PHASES.filter((p) => SMOKE_PHASES.includes(p.key)) : PHASES;
    for (const phase of wanted) {
      await clearAllFaults(stack, scopes);
      if (phase.target && phase.fault) await setFault(faultUrl(stack, phase.target), { scope: scopes[phase.target], ...phase.fault });
      let sweeping = phase.sweep ?? false;
      const sweeper = (async () => {
        while (sweeping) {
          await instance.runCron().catch(() => undefined);
          await sleep(250);
        }
      })();
      const before = accepted.length;
      const sentBefore = sweptCount(instance.logFile);
      const [reads, profileReads, posts] = await Promise.all(
        (["reads", "profile", "posts"] as const).map((kind) =>
          runLoad({
            url: instance.url,
            connections: kinds[kind].connections,
            seconds: profile.faults.phaseSeconds,
            next: kinds[kind].next,
            onBody:
              kind === "posts"
                ? (status, body) => {
                    const id = status === 202 ? jobIdOf(body) : undefined;
                    if (id) accepted.push(id);
                  }
                : undefined,
          }),
        ),
      );
      sweeping = false;
      await sweeper;
      const result: PhaseResult = {
        key: phase.key,
        label: phase.label,
        kinds: { reads: kindOf(reads as LoadResult), profile: kindOf(profileReads as LoadResult), posts: kindOf(posts as LoadResult) },
        accepted: accepted.length - before,
        duplicateSends: sweptCount(instance.logFile) - sentBefore,
      };
      phases.push(result);
      console.log(
        `  ${phase.label.padEnd(58)} reads ${JSON.stringify(result.kinds.reads.statuses)} p95 ${result.kinds.reads.latencyMs.p95} ms | ` +
          `profile ${JSON.stringify(result.kinds.profile.statuses)} | posts ${JSON.stringify(result.kinds.posts.statuses)} p95 ${result.kinds.posts.latencyMs.p95} ms`,
      );
    }

    // Recovery: faults off, the sweeper runs as its cron would (every poll here), jobs finish.
    await clearAllFaults(stack, scopes);
    const jobsDb = new JobsDb(stack.databaseUrl(scopes.neon));
    let sweeps = 0;
    const drained = await jobsDb.drain(profile.faults.drainTimeoutMs, async () => {
      sweeps += 1;
      await instance.runCron().catch(() => undefined);
    });
    const audit = await jobsDb.audit(accepted);
    const modelCalls = (await readUsage(stack, scopes)).geminiCalls;
    const duplicateSends = sweptCount(instance.logFile);
    const pass =
      audit.open === 0 &&
      audit.missing === 0 &&
      audit.inconsistentFinish === 0 &&
      audit.inconsistentEffect === 0 &&
      audit.duplicateReplies === 0 &&
      modelCalls <= audit.attempts;
    console.log(
      `  recovery ${drained.waitedMs} ms: ${accepted.length} accepted, jobs ${audit.total} ${JSON.stringify(audit.byStatus)}, ` +
        `open ${audit.open}, missing ${audit.missing}, inconsistent ${audit.inconsistentFinish}/${audit.inconsistentEffect}, duplicate replies ${audit.duplicateReplies}, ` +
        `model calls ${modelCalls} <= attempts ${audit.attempts}, duplicate sends ${duplicateSends}: ${pass ? "PASS" : "FAIL"}`,
    );
    return { phases, recovery: { waitedMs: drained.waitedMs, sweeps }, duplicateSends, accepted: accepted.length, modelCalls, audit, pass };
  } finally {
    await clearAllFaults(stack, scopes).catch(() => undefined);
    await instance.stop();
  }
}
