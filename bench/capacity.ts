/**
 * `npm run capacity`: monthly cost and the first limit hit at 1k, 10k, 100k and 1M concurrent
 * users, from the per-request costs measured by `npm run bench` (bench/results/latest.json), the
 * committed price table (bench/prices.json) and the usage assumptions below. Writes
 * docs/SCALING.md, its charts and bench/results/capacity.json.
 *
 *   npm run capacity [-- --results bench/results/latest.json --docs docs]
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { money, num, table } from "./lib/markdown.ts";
import { ROOT } from "./lib/stack.ts";
import { barChart } from "./lib/svg.ts";
import type { BenchResults } from "./run.ts";
import type { RouteResult } from "./scenarios/routes.ts";

export const TIERS = [1_000, 10_000, 100_000, 1_000_000];
const MINUTES_PER_MONTH = 730 * 60;
const DAYS_PER_MONTH = 730 / 24;

/** What an active (concurrent) user does; every figure is an assumption, stated in SCALING.md. */
export const assumptions = {
  /** Average concurrency over a month as a share of the peak (a diurnal curve). */
  averageToPeak: 0.3,
  /** Requests per active user per minute, by kind. */
  perMinute: {
    /** The 90/10 read/write API mix (lists, one assessment, profile, answers; job polls alike). */
    mix: 4,
    /** Public template reads (served from the edge after the first). */
    templates: 0.5,
    /** One login per 30 minutes of activity (access tokens live 15 min; refreshes are cheaper). */
    login: 1 / 30,
    /** One chat message per 10 minutes. */
    message: 0.1,
    /** One assessment submitted per 4 hours of activity. */
    submit: 1 / 240,
  },
  /** Output tokens per model call, thinking included: real answers are longer than the stand-in's. */
  outputTokens: { message: 400, submit: 800 },
  /** Registered users per peak-concurrent user, and what each keeps in Neon. */
  registeredPerConcurrent: 10,
  storageKbPerRegisteredUser: 200,
  /** Cached reads per active user held in Upstash (TTL 1 min to 1 h). */
  cacheKbPerActiveUser: 20,
  /** Queue messages per job: one send, no re-sends in normal operation (the sweeper's are rare). */
  queueMessagesPerJob: 1,
};

type Kind = keyof typeof assumptions.perMinute;

interface Prices {
  checked: string;
  workers: { source: string; plan: string; baseMonthly: number; includedRequests: number; perMillionRequests: number; includedCpuMs: number; perMillionCpuMs: number; limits: { cpuMsPerInvocation: number; memoryMb: number; subrequestsPerInvocation: number } };
  queues: { source: string; plan: string; includedOperations: number; perMillionOperations: number; operationsPerMessage: number; limits: { messagesPerSecondPerQueue: number; consumerConcurrency: number; maxBatchSize: number } };
  neon: { source: string; plan: string; baseMonthly: number; includedComputeHours: number; perComputeHour: number; includedStorageGb: number; perStorageGb: number; limits: { maxAutoscalingCu: number; maxFixedCu: number; pooledConnections: number }; assumedStatementsPerSecondPerCu: number; minimumCu: number };
  upstash: { source: string; plan: string; perHundredThousandCommands: number; perStorageGb: number; limits: { commandsPerSecond: number; maxDataSizeGb: number; maxRequestSizeMb: number } };
  gemini: { source: string; model: string; inputPerMillionTokens: number; outputPerMillionTokens: number; fallback: { model: string; inputPerMillionTokens: number; outputPerMillionTokens: number }; tiers: { name: string; rpm: number; tpm: number; rpd: number | null }[] };
}

/** Measured cost of one request of a kind (AI kinds include their job). */
export interface UnitCost {
  source: string;
  neon: number;
  neonStatements: number;
  upstash: number;
  upstashCommands: number;
  cpuMs: number;
  promptTokens?: number;
}

export function unitCosts(results: BenchResults): Record<Kind, UnitCost> {
  const route = (key: string): RouteResult => {
    const found = results.routes?.find((r) => r.key === key);
    if (!found) throw new Error(`capacity: the results have no "${key}" route; run \`npm run bench\` first`);
    return found;
  };
  const mix = results.cacheMix?.find((m) => m.cache === "on");
  if (!mix) throw new Error("capacity: the results have no cache mix; run `npm run bench` first");
  const of = (source: string, usage: RouteResult["usage"], requests: number, per: RouteResult["perRequest"]): UnitCost => ({
    source,
    neon: per.neon,
    neonStatements: requests === 0 ? 0 : usage.neonStatements / requests,
    upstash: per.upstash,
    upstashCommands: per.upstashCommands,
    cpuMs: per.cpuMs,
    ...(usage.geminiCalls > 0 ? { promptTokens: usage.geminiPromptTokens / usage.geminiCalls } : {}),
  });
  const fromRoute = (key: string) => {
    const r = route(key);
    return of(r.label, r.usage, r.load.requests, r.perRequest);
  };
  return {
    mix: of("90/10 mix, cache on", mix.usage, mix.load.requests, mix.perRequest),
    templates: fromRoute("templates"),
    login: fromRoute("login"),
    message: fromRoute("message"),
    submit: fromRoute("submit"),
  };
}

export interface LimitUse {
  name: string;
  /** A wall needs a different plan or architecture; a step is a provider tier reached by spending; config is Assay's own cap. */
  kind: "wall" | "step" | "config";
  /** Demand / limit at this tier. */
  use: number;
  /** Concurrent users at which demand reaches the limit (linear in users). */
  hitAt: number;
  remedy: string;
}

export interface TierResult {
  concurrent: number;
  volumes: {
    requestsPerMonth: number;
    peakRequestsPerSecond: number;
    cpuMsPerMonth: number;
    peakNeonRoundTripsPerSecond: number;
    peakNeonStatementsPerSecond: number;
    peakNeonCu: number;
    averageNeonCu: number;
    storageGb: number;
    upstashCommandsPerMonth: number;
    peakUpstashCommandsPerSecond: number;
    aiCallsPerMonth: number;
    aiCallsPerDay: number;
    peakAiCallsPerMinute: number;
    peakTokensPerMinute: number;
    queueOperationsPerMonth: number;
    peakQueueMessagesPerSecond: number;
  };
  cost: { workers: number; queues: number; neon: number; upstash: number; gemini: number; total: number; infrastructure: number; perConcurrentUser: number };
  limits: LimitUse[];
}

const over = (value: number, included: number) => Math.max(0, value - included);

export function tierResult(concurrent: number, unit: Record<Kind, UnitCost>, prices: Prices, aiDailyBudget: number): TierResult {
  const a = assumptions;
  const kinds = Object.keys(a.perMinute) as Kind[];
  const average = concurrent * a.averageToPeak;
  const monthly = (k: Kind) => average * a.perMinute[k] * MINUTES_PER_MONTH;
  const peakPerSecond = (k: Kind) => (concurrent * a.perMinute[k]) / 60;
  const sum = (f: (k: Kind) => number) => kinds.reduce((total, k) => total + f(k), 0);

  const requestsPerMonth = sum(monthly);
  const cpuMsPerMonth = sum((k) => monthly(k) * unit[k].cpuMs);
  const peakStatements = sum((k) => peakPerSecond(k) * unit[k].neonStatements);
  const averageStatements = sum((k) => ((average * a.perMinute[k]) / 60) * unit[k].neonStatements);
  const perCu = prices.neon.assumedStatementsPerSecondPerCu;
  const peakCu = Math.max(prices.neon.minimumCu, peakStatements / perCu);
  const averageCu = Math.max(prices.neon.minimumCu, averageStatements / perCu);
  const storageGb = (concurrent * a.registeredPerConcurrent * a.storageKbPerRegisteredUser) / 1e6;
  const upstashCommandsPerMonth = sum((k) => monthly(k) * unit[k].upstashCommands);
  const peakUpstash = sum((k) => peakPerSecond(k) * unit[k].upstashCommands);
  const cacheGb = (average * a.cacheKbPerActiveUser) / 1e6;

  const aiKinds: ("message" | "submit")[] = ["message", "submit"];
  const aiCallsPerMonth = aiKinds.reduce((t, k) => t + monthly(k), 0);
  const peakAiPerSecond = aiKinds.reduce((t, k) => t + peakPerSecond(k), 0);
  const tokensPerCall = (k: "message" | "submit") => (unit[k].promptTokens ?? 0) + a.outputTokens[k];
  const inputTokens = aiKinds.reduce((t, k) => t + monthly(k) * (unit[k].promptTokens ?? 0), 0);
  const outputTokens = aiKinds.reduce((t, k) => t + monthly(k) * a.outputTokens[k], 0);
  const peakTokensPerMinute = aiKinds.reduce((t, k) => t + peakPerSecond(k) * 60 * tokensPerCall(k), 0);
  const queueMessages = aiCallsPerMonth * a.queueMessagesPerJob;
  const queueOperations = queueMessages * prices.queues.operationsPerMessage;
  const peakQueue = peakAiPerSecond * a.queueMessagesPerJob;
  const aiCallsPerDay = aiCallsPerMonth / DAYS_PER_MONTH;

  const w = prices.workers;
  const workers = w.baseMonthly + (over(requestsPerMonth, w.includedRequests) / 1e6) * w.perMillionRequests + (over(cpuMsPerMonth, w.includedCpuMs) / 1e6) * w.perMillionCpuMs;
  const queues = (over(queueOperations, prices.queues.includedOperations) / 1e6) * prices.queues.perMillionOperations;
  const n = prices.neon;
  const neon = n.baseMonthly + over(averageCu * 730, n.includedComputeHours) * n.perComputeHour + over(storageGb, n.includedStorageGb) * n.perStorageGb;
  const upstash = (upstashCommandsPerMonth / 1e5) * prices.upstash.perHundredThousandCommands + cacheGb * prices.upstash.perStorageGb;
  const g = prices.gemini;
  const gemini = (inputTokens / 1e6) * g.inputPerMillionTokens + (outputTokens / 1e6) * g.outputPerMillionTokens;
  const infrastructure = workers + queues + neon + upstash;
  const total = infrastructure + gemini;

  const limit = (name: string, kind: LimitUse["kind"], demand: number, cap: number, remedy: string): LimitUse => ({
    name,
    kind,
    use: demand / cap,
    hitAt: demand > 0 ? (concurrent * cap) / demand : Number.POSITIVE_INFINITY,
    remedy,
  });
  const peakAiPerMinute = peakAiPerSecond * 60;
  const limits: LimitUse[] = [
    limit(`Assay AI_DAILY_BUDGET (${aiDailyBudget.toLocaleString("en-US")} model calls/day)`, "config", aiCallsPerDay, aiDailyBudget, "a deliberate spending cap: raise it with the Gemini tier"),
    ...g.tiers.flatMap((t, i) => {
      const top = i === g.tiers.length - 1;
      const kind = top ? "wall" : "step";
      const remedy = top ? "Vertex AI provisioned throughput, the fallback model's own quota, or a second provider" : "the next Gemini usage tier (granted on spend)";
      return [
        limit(`Gemini ${t.name}: ${t.rpm.toLocaleString("en-US")} requests/min`, kind, peakAiPerMinute, t.rpm, remedy),
        limit(`Gemini ${t.name}: ${big(t.tpm)} tokens/min`, kind, peakTokensPerMinute, t.tpm, top ? `${remedy}; shorter prompts (history window)` : remedy),
        ...(t.rpd === null ? [] : [limit(`Gemini ${t.name}: ${t.rpd.toLocaleString("en-US")} requests/day`, kind, aiCallsPerDay, t.rpd, remedy)]),
      ];
    }),
    limit(`Upstash pay-as-you-go: ${prices.upstash.limits.commandsPerSecond.toLocaleString("en-US")} commands/s`, "wall", peakUpstash, prices.upstash.limits.commandsPerSecond, "a fixed-price or enterprise plan (higher throughput, flat price), or split key prefixes over several databases"),
    limit(`Neon ${n.plan}: ${n.limits.maxAutoscalingCu} CU autoscaling max`, "wall", peakStatements / perCu, n.limits.maxAutoscalingCu, "a larger plan or fixed compute (DATABASE_READ_URL moves only template misses to a replica)"),
    limit(`Neon: ${n.limits.maxFixedCu} CU, the largest compute`, "wall", peakStatements / perCu, n.limits.maxFixedCu, "move the write-heavy tables (messages, jobs) to a database of their own; send more lag-tolerant reads to replicas"),
    limit(`Queues: ${prices.queues.limits.messagesPerSecondPerQueue.toLocaleString("en-US")} messages/s per queue`, "wall", peakQueue, prices.queues.limits.messagesPerSecondPerQueue, "shard jobs over several queues (by job kind or user hash)"),
  ];

  return {
    concurrent,
    volumes: {
      requestsPerMonth,
      peakRequestsPerSecond: sum(peakPerSecond),
      cpuMsPerMonth,
      peakNeonRoundTripsPerSecond: sum((k) => peakPerSecond(k) * unit[k].neon),
      peakNeonStatementsPerSecond: peakStatements,
      peakNeonCu: peakCu,
      averageNeonCu: averageCu,
      storageGb,
      upstashCommandsPerMonth,
      peakUpstashCommandsPerSecond: peakUpstash,
      aiCallsPerMonth,
      aiCallsPerDay,
      peakAiCallsPerMinute: peakAiPerMinute,
      peakTokensPerMinute,
      queueOperationsPerMonth: queueOperations,
      peakQueueMessagesPerSecond: peakQueue,
    },
    cost: { workers, queues, neon, upstash, gemini, total, infrastructure, perConcurrentUser: total / concurrent },
    limits,
  };
}

const times = (n: number) => `${num(n, n < 10 ? 2 : 1)}x`;
const users = (n: number) => (n >= 1e6 ? `${num(n / 1e6)}M` : n >= 1e3 ? `${num(n / 1e3)}k` : num(n, 0));
const big = (n: number) => (n >= 1e9 ? `${num(n / 1e9, 2)} B` : n >= 1e6 ? `${num(n / 1e6, 1)} M` : n >= 1e4 ? `${num(n / 1e3, 0)} k` : num(n, 1));

function render(results: BenchResults, prices: Prices, unit: Record<Kind, UnitCost>, tiers: TierResult[], aiDailyBudget: number, dir: string): string {
  const firstProvider = [...(tiers[0] as TierResult).limits.filter((l) => l.kind !== "config")].sort((x, y) => x.hitAt - y.hitAt);

  writeFileSync(
    join(dir, "scaling-cost.svg"),
    barChart({
      title: "Monthly cost by provider",
      unit: "US$ per month",
      categories: tiers.map((t) => `${users(t.concurrent)} concurrent users`),
      series: [
        { name: "Gemini", values: tiers.map((t) => t.cost.gemini) },
        { name: "Neon", values: tiers.map((t) => t.cost.neon) },
        { name: "Upstash", values: tiers.map((t) => t.cost.upstash) },
        { name: "Workers", values: tiers.map((t) => t.cost.workers) },
        { name: "Queues", values: tiers.map((t) => t.cost.queues) },
      ],
      log: true,
      format: (v) => (v >= 1000 ? `$${big(v)}` : `$${num(v, v < 10 ? 2 : 0)}`),
    }),
  );
  writeFileSync(
    join(dir, "scaling-limits.svg"),
    barChart({
      title: "Peak concurrent users at which each provider limit is reached",
      unit: "peak concurrent users",
      categories: firstProvider.map((l) => l.name),
      series: [{ name: "users at the limit", values: firstProvider.map((l) => l.hitAt) }],
      log: true,
      format: users,
      width: 860,
    }),
  );

  const kinds = Object.keys(assumptions.perMinute) as Kind[];
  const unitRows = kinds.map((k) => [
    k,
    unit[k].source,
    num(assumptions.perMinute[k], 3),
    num(unit[k].neon, 2),
    num(unit[k].neonStatements, 2),
    num(unit[k].upstash, 2),
    num(unit[k].upstashCommands, 2),
    num(unit[k].cpuMs, 1),
    unit[k].promptTokens === undefined ? "" : num(unit[k].promptTokens ?? 0, 0),
  ]);
  const volumeRows = tiers.map((t) => {
    const v = t.volumes;
    return [
      users(t.concurrent),
      big(v.requestsPerMonth),
      num(v.peakRequestsPerSecond, 0),
      num(v.peakNeonStatementsPerSecond, 0),
      `${num(v.peakNeonCu, 2)} / ${num(v.averageNeonCu, 2)}`,
      num(v.storageGb, 0),
      num(v.peakUpstashCommandsPerSecond, 0),
      big(v.aiCallsPerDay),
      num(v.peakAiCallsPerMinute, 0),
      big(v.peakTokensPerMinute),
      num(v.peakQueueMessagesPerSecond, 1),
    ];
  });
  const costRows = tiers.map((t) => {
    const c = t.cost;
    return [users(t.concurrent), money(c.workers), money(c.queues), money(c.neon), money(c.upstash), money(c.infrastructure), money(c.gemini), `**${money(c.total)}**`, `$${c.perConcurrentUser.toFixed(3)}`];
  });
  const tierLimitRows = tiers.map((t) => {
    const walls = t.limits.filter((l) => l.kind === "wall" && l.use >= 1).sort((x, y) => x.hitAt - y.hitAt);
    const budget = t.limits.find((l) => l.kind === "config");
    const geminiTier = prices.gemini.tiers.find((tier) => t.limits.filter((l) => l.name.startsWith(`Gemini ${tier.name}:`)).every((l) => l.use < 1));
    const closest = [...t.limits.filter((l) => l.kind === "wall")].sort((x, y) => y.use - x.use)[0];
    return [
      users(t.concurrent),
      `${big(t.volumes.aiCallsPerDay)} calls/day (${num(budget?.use ?? 0, 0)}x)`,
      geminiTier?.name ?? "**beyond Tier 3**",
      walls[0] ? `**${walls[0].name}** (${times(walls[0].use)})` : `none (nearest: ${closest?.name}, ${num((closest?.use ?? 0) * 100, 0)}%)`,
      walls.length > 1 ? walls.slice(1).map((l) => `${l.name} (${times(l.use)})`).join("; ") : "",
      walls[0]?.remedy ?? "",
    ];
  });
  const limitRows = firstProvider.map((l) => [l.name, l.kind === "wall" ? "wall" : "tier step", users(l.hitAt), l.remedy]);
  const w = prices.workers;
  const q = prices.queues;
  const n = prices.neon;
  const u = prices.upstash;
  const g = prices.gemini;

  return `# Scaling: capacity and cost

Generated by \`npm run capacity\` from the per-request costs measured by \`npm run bench\`
(\`bench/results/latest.json\`, run of ${results.startedAt.slice(0, 10)} on ${results.machine.cpus} cores / ${results.machine.memoryGiB} GiB;
see [BENCHMARKS.md](BENCHMARKS.md)), the price table \`bench/prices.json\` and the usage
assumptions in \`bench/capacity.ts\`. Change any of the three and rerun \`npm run capacity\`;
the result is also written to \`bench/results/capacity.json\`.

The tiers are the monolith review's: 1k, 10k, 100k and 1M **peak concurrent** users.

## How Assay scales, in one paragraph

Workers run wherever requests arrive and keep nothing that must be shared, so the API tier has no
instance count to plan: Cloudflare adds isolates. What is shared lives in three services, each with
a measured cost per request: Neon (≤ 1 round trip per request, far less with the cache), Upstash
(1 round trip per request: the limit check and cache read pipelined together) and, for AI work,
a queue message and one model call per job. Capacity is therefore a question of those services'
limits and prices, computed below, not of servers. The shared limiter and the global AI budget are
exact across instances (BENCHMARKS.md §4), so the provider quotas below are never overrun by
scaling out.

## 1. Measured cost per request (from the bench)

Per request of each kind, as counted by the stand-ins (background work included; the AI kinds
include their job: claim, model call, finish) and the Worker's CPU (an upper bound, see
BENCHMARKS.md). "Per user-minute" is the usage assumption for one active user.

${table(
  ["kind", "measured as", "per user-minute", "Neon RT", "Neon statements", "Upstash RT", "Upstash commands", "CPU ms", "prompt tokens / call"],
  unitRows,
  ["l", "l", "r", "r", "r", "r", "r", "r", "r"],
)}

## 2. Usage assumptions (explicit; edit \`assumptions\` in bench/capacity.ts)

- A peak-concurrent user is active: ${assumptions.perMinute.mix} API requests per minute of the 90/10 mix
  (lists, an assessment, the profile, answers, job polls), ${assumptions.perMinute.templates} template reads, a login
  every ${num(1 / assumptions.perMinute.login, 0)} minutes, a chat message every ${num(1 / assumptions.perMinute.message, 0)} minutes and
  an assessment submitted every ${num(1 / assumptions.perMinute.submit / 60, 0)} hours of activity.
- Monthly volume = peak concurrency x ${assumptions.averageToPeak} (average over the day and month) x 730 h.
  Peak rates use the full concurrency.
- One model call per AI job (retries are rare in normal operation); output ${assumptions.outputTokens.message} tokens per chat
  reply and ${assumptions.outputTokens.submit} per analysis, thinking included (the stand-in's answers are shorter than a
  real model's; its prompt token counts, chars / 4, are used as measured).
- ${assumptions.registeredPerConcurrent} registered users per peak-concurrent user, ${assumptions.storageKbPerRegisteredUser} KB each in Neon; ${assumptions.cacheKbPerActiveUser} KB of
  cached reads per active user in Upstash.
- Neon: one CU serves ${n.assumedStatementsPerSecondPerCu.toLocaleString("en-US")} short indexed statements per second (an assumption to
  measure on Neon itself; the stand-in runs on a local PostgreSQL); compute follows the average
  load (autoscaling), never below ${n.minimumCu} CU.

## 3. Prices and limits used

${prices.checked}

| service | price used | limits used | source |
|---|---|---|---|
| Cloudflare Workers (${w.plan}) | $${w.baseMonthly}/month incl. ${big(w.includedRequests)} requests and ${big(w.includedCpuMs)} CPU-ms; $${w.perMillionRequests}/M requests, $${w.perMillionCpuMs}/M CPU-ms | ${num(w.limits.cpuMsPerInvocation / 1000, 0)} s CPU per request (default), ${w.limits.memoryMb} MB per isolate, ${w.limits.subrequestsPerInvocation} subrequests; no request-rate limit | ${w.source} |
| Cloudflare Queues (${q.plan}) | ${big(q.includedOperations)} operations/month included, then $${q.perMillionOperations}/M; ${q.operationsPerMessage} operations per message (write, read, delete) | ${q.limits.messagesPerSecondPerQueue.toLocaleString("en-US")} messages/s per queue, ${q.limits.consumerConcurrency} concurrent consumers, batch ≤ ${q.limits.maxBatchSize} | ${q.source} |
| Neon (${n.plan}) | $${n.baseMonthly}/month incl. ${n.includedComputeHours} CU-hours and ${n.includedStorageGb} GB; $${n.perComputeHour}/CU-hour, $${n.perStorageGb}/GB-month beyond | autoscaling up to ${n.limits.maxAutoscalingCu} CU, fixed computes up to ${n.limits.maxFixedCu} CU, ${n.limits.pooledConnections.toLocaleString("en-US")} pooled connections | ${n.source} |
| Upstash Redis (${u.plan}) | $${u.perHundredThousandCommands} per 100k commands, $${u.perStorageGb}/GB-month | ${u.limits.commandsPerSecond.toLocaleString("en-US")} commands/s, ${u.limits.maxDataSizeGb} GB, ${u.limits.maxRequestSizeMb} MB per request | ${u.source} |
| Gemini API (${g.model}) | $${g.inputPerMillionTokens}/M input tokens, $${g.outputPerMillionTokens}/M output tokens (fallback ${g.fallback.model}: $${g.fallback.inputPerMillionTokens} / $${g.fallback.outputPerMillionTokens}) | ${g.tiers.map((t) => `${t.name}: ${t.rpm.toLocaleString("en-US")} RPM, ${big(t.tpm)} TPM${t.rpd === null ? "" : `, ${t.rpd.toLocaleString("en-US")} RPD`}`).join("; ")} | ${g.source} |

## 4. Volumes per tier

${table(
  ["peak users", "requests / month", "peak req/s", "peak Neon statements/s", "Neon CU peak / avg", "Neon GB", "peak Upstash cmds/s", "AI calls / day", "peak AI calls / min", "peak tokens / min", "peak queue msgs/s"],
  volumeRows,
  ["r", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r"],
)}

## 5. Monthly cost

${table(["peak users", "Workers", "Queues", "Neon", "Upstash", "infrastructure", "Gemini", "total", "per peak user"], costRows, ["r", "r", "r", "r", "r", "r", "r", "r", "r"])}

![monthly cost by provider](scaling-cost.svg)

The model is the bill: at every tier Gemini costs more than all the infrastructure together,
which is why the global AI budget is enforced exactly (BENCHMARKS.md §4) and why the per-user
hourly limit exists. Of the infrastructure, ${(tiers.at(-1)?.cost.upstash ?? 0) > (tiers.at(-1)?.cost.neon ?? 0) ? "Upstash's per-command price dominates at the top tiers: pay-as-you-go is shown; a fixed-price plan (flat monthly price, capped throughput) is worth pricing from the 10k tier up" : "Neon compute dominates at the top tiers"}.

## 6. The first limit hit

A *wall* needs another plan or architecture; a *tier step* is a provider quota that grows with
spend (Gemini's usage tiers); Assay's own \`AI_DAILY_BUDGET\` (${aiDailyBudget.toLocaleString("en-US")} model calls a day in
production's wrangler.toml) is a spending cap, shown as the multiple of it the tier needs.

${table(["peak users", "AI calls needed (x the budget)", "Gemini tier needed", "first wall reached", "also reached", "what to do"], tierLimitRows)}

Every provider limit, with the peak concurrency at which this usage reaches it (demand grows
linearly with users):

${table(["limit", "type", "reached at (peak concurrent users)", "remedy"], limitRows)}

![users at each limit](scaling-limits.svg)

Reading it:

- **The first limits are the model's, not the application's.** The daily AI budget
  (\`AI_DAILY_BUDGET\`) is meant to be reached: it is the spending cap, and work beyond it waits in
  the queue or gets 429 \`ai_quota_exhausted\`. Raise it together with the Gemini tier; past
  Tier 3's per-minute quota, the model needs provisioned throughput or a second provider.
- **Neon** is the one stateful component in the request path. The cache takes most reads off it
  (BENCHMARKS.md §2); template reads that miss go to a read replica when \`DATABASE_READ_URL\` is set (only those:
  docs/DATABASE.md), and
  writes are one batch per request.
- **Upstash** pay-as-you-go tops out in commands per second before its price matters; a
  fixed-price or enterprise plan, or several databases split by key prefix, moves that wall.
- **Workers and Queues** have no wall in this range: Workers have no request-rate limit and the
  measured CPU per request (≤ ${num(Math.max(...kinds.map((k) => unit[k].cpuMs)), 0)} ms, an upper bound) is far below the ${num(w.limits.cpuMsPerInvocation / 1000, 0)} s
  cap; one queue carries ${q.limits.messagesPerSecondPerQueue.toLocaleString("en-US")} messages/s.

## What is not modelled

- Neon's per-CU throughput is assumed, not measured (see §2); run a load test on a real Neon
  branch before relying on the CU figures. Scale-to-zero cold starts (hundreds of ms) are not in
  the latency figures.
- Egress, Workers Logs volume, Cloudflare Pages, domains and support plans are left out.
- Gemini's free tier and batch-mode discounts are left out; thinking tokens are folded into the
  output assumption.
`;
}

/** The production AI_DAILY_BUDGET from wrangler.toml (the config default otherwise). */
function productionAiBudget(): number {
  const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const production = toml.slice(toml.indexOf("[env.production.vars]"));
  return Number(/AI_DAILY_BUDGET\s*=\s*"(\d+)"/.exec(production)?.[1] ?? 1333);
}

export function renderScaling(results: BenchResults, dir: string, pricesFile = join(ROOT, "bench/prices.json")): TierResult[] {
  const prices = JSON.parse(readFileSync(pricesFile, "utf8")) as Prices;
  const unit = unitCosts(results);
  const aiDailyBudget = productionAiBudget();
  const tiers = TIERS.map((c) => tierResult(c, unit, prices, aiDailyBudget));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "SCALING.md"), render(results, prices, unit, tiers, aiDailyBudget, dir));
  return tiers;
}

export function writeCapacity(file: string, resultsFile: string, tiers: TierResult[]): void {
  writeFileSync(file, `${JSON.stringify({ from: resultsFile.replace(`${ROOT}/`, ""), assumptions, tiers }, null, 2)}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { results: { type: "string" }, docs: { type: "string" }, out: { type: "string" } } });
  const resultsFile = values.results ?? join(ROOT, "bench/results/latest.json");
  let results: BenchResults;
  try {
    results = JSON.parse(readFileSync(resultsFile, "utf8")) as BenchResults;
  } catch {
    throw new Error(`no results at ${resultsFile}: run \`npm run bench\` first`);
  }
  const dir = values.docs ?? join(ROOT, "docs");
  const tiers = renderScaling(results, dir);
  const out = values.out ?? join(ROOT, "bench/results/capacity.json");
  writeCapacity(out, resultsFile, tiers);
  for (const t of tiers) {
    const first = t.limits.filter((l) => l.kind === "wall" && l.use >= 1).sort((x, y) => x.hitAt - y.hitAt)[0];
    console.log(`${users(t.concurrent).padStart(5)} users: ${money(t.cost.total).padStart(10)}/month; first wall: ${first?.name ?? "none"}`);
  }
  console.log(`wrote ${join(dir, "SCALING.md")} and ${out}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
