/**
 * Renders docs/BENCHMARKS.md and its charts from a results JSON (`npm run bench` calls it; on its
 * own: `node bench/report.ts [results.json] [docs dir]`).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { num, statusList, table } from "./lib/markdown.ts";
import { ROOT } from "./lib/stack.ts";
import { barChart } from "./lib/svg.ts";
import type { BenchResults } from "./run.ts";
import type { PhaseResult } from "./scenarios/faults.ts";

const okStatus = (status: string) => Number(status) < 400;
const failures = (statuses: Record<string, number>) =>
  Object.entries(statuses).reduce((n, [status, count]) => (okStatus(status) ? n : n + count), 0);

function header(r: BenchResults): string {
  const m = r.machine;
  const when = r.startedAt.slice(0, 16).replace("T", " ");
  return `# Benchmarks

Every number on this page was produced by \`npm run bench\` (the scripts in \`bench/\`) on the
machine below, on ${when} UTC; the whole run took ${r.durationSeconds} s. The raw results are in
\`bench/results/latest.json\`; the capacity and cost model built on them is in
[SCALING.md](SCALING.md).

| | |
|---|---|
| machine | ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB RAM, ${m.os}, Node ${m.node} |
| Worker | commit ${r.code}, bundled once by \`wrangler deploy --dry-run\` and served by \`wrangler dev --no-bundle\` (local workerd), one process per instance, loopback HTTP |
| Neon | the Neon HTTP stand-in (\`local/neon\`) over ${r.backends.neon === "postgres" ? "a real PostgreSQL server" : "embedded PGlite"} |
| Upstash | the Upstash REST stand-in (\`local/upstash\`) over ${r.backends.upstash === "embedded" ? "the embedded Redis (ioredis-mock)" : "a real redis-server"} |
| Gemini | the offline Gemini stand-in (\`local/gemini\`), latency and failures injected on command |
| load | autocannon, in the same Node process as the orchestrator |

## Rerun

\`\`\`sh
npm run bench                       # everything (< 10 min); rewrites bench/results/latest.json,
                                    # docs/BENCHMARKS.md, docs/SCALING.md and docs/*.svg
npm run bench -- --only fleet       # one part: routes | fleet | faults (results only, docs untouched)
npm run capacity                    # SCALING.md again from latest.json + bench/prices.json
npm run bench:smoke                 # the seconds-sized run CI does (.ci/run)
\`\`\`

Nothing else has to run: the bench starts its own stand-ins on ephemeral ports, its own
\`wrangler dev\` processes (separate \`--persist-to\` dirs under \`.data/bench/\`), and stops them all.
Real PostgreSQL is used when \`LOCAL_PG_URL\` is set or one answers on 127.0.0.1:5432, and a private
\`redis-server\` when one is on PATH; otherwise the embedded backends (slower, same protocol).

## Read this first

- **Everything shares ${m.cpus} cores**: the load generator, the stand-ins, PostgreSQL, Redis and
  every workerd. Absolute req/s are this laptop-class box's, not Cloudflare's; the comparisons
  (cache on vs off, Assay vs monolith, fault vs no fault) and the per-request costs are what carry over.
- **Round trips are counted by the stand-ins** (every HTTP request they serve, per scope), so they
  include background work (\`waitUntil\` cache write-backs, and for the AI routes the queue
  consumer's work for each job, which the bench waits for). The request path alone is from each
  response's \`Server-Timing\`.
- **CPU ms per request** is the workerd processes' CPU time (from /proc) divided by requests: it
  includes wrangler's local proxy worker and HTTP parsing, so it is an upper bound of the CPU time
  Cloudflare would bill.
- Limits stay on during the per-route load (every request still pays for its checks) but are set
  high (\`RATE_LIMITS\`, \`AI_DAILY_BUDGET\`, \`AI_USER_HOURLY_LIMIT\`, \`AI_USER_DAILY_LIMIT\`, \`AI_IP_DAILY_LIMIT\`) so they do not refuse; the
  many-instance run uses the production login policy unchanged.
`;
}

function summary(r: BenchResults): string {
  const lines: string[] = ["## Key numbers", ""];
  const route = (key: string) => r.routes?.find((x) => x.key === key);
  const hit = route("list-hit");
  const off = route("list-off");
  if (hit && off) {
    lines.push(
      `- Authenticated list: ${num(hit.load.rps)} req/s at p95 ${num(hit.load.latencyMs.p95)} ms from the cache ` +
        `(${num(hit.perRequest.neon, 2)} Neon and ${num(hit.perRequest.upstash, 2)} Upstash round trips per request), ` +
        `${num(off.load.rps)} req/s at p95 ${num(off.load.latencyMs.p95)} ms with the cache off (${num(off.perRequest.neon, 2)} Neon round trips).`,
    );
  }
  const on = r.cacheMix?.find((x) => x.cache === "on");
  const mixOff = r.cacheMix?.find((x) => x.cache === "off");
  if (on && mixOff) {
    lines.push(
      `- 90/10 read/write mix: ${num(on.neonPer1000, 0)} Neon round trips per 1,000 requests with the cache, ${num(mixOff.neonPer1000, 0)} without ` +
        `(${num(mixOff.neonPer1000 / Math.max(1, on.neonPer1000))}x offload); p95 ${num(on.load.latencyMs.p95)} vs ${num(mixOff.load.latencyMs.p95)} ms.`,
    );
  }
  const hyperdrive = r.hyperdriveMix;
  if (hyperdrive && mixOff) {
    lines.push(
      `- The same mix on the Hyperdrive driver (cache off): ${num(hyperdrive.load.rps)} req/s at p95 ${num(hyperdrive.load.latencyMs.p95)} ms vs ${num(mixOff.load.rps)} req/s at p95 ${num(mixOff.load.latencyMs.p95)} ms over Neon HTTP, ` +
        `${statusList(hyperdrive.load.statuses)}, ${num(hyperdrive.neonPer1000, 0)} Neon HTTP requests; locally each request pays a ${num(hyperdrive.sessionStartMs.p50)} ms database session start (section 2).`,
    );
  }
  for (const chat of r.chat ?? []) {
    lines.push(`- POST a chat message while the model takes ${num(chat.modelLatencyMs / 1000)} s: p99 ${num(chat.latencyMs.p99)} ms over ${chat.requests} requests (${statusList(chat.statuses)}).`);
  }
  if (r.fleet) {
    const { assay, monolith } = r.fleet;
    lines.push(
      `- ${assay.login.instances} Worker instances, one client IP, ${assay.login.attempts} logins: **${assay.login.admitted} admitted (limit ${assay.login.limit})**; ` +
        `the monolith's per-process limiter on ${monolith.login.instances} processes: ${monolith.login.admitted}.`,
    );
    lines.push(
      `- Global AI budget ${assay.aiBudget.limit}, ${assay.aiBudget.attempts} chat messages through ${assay.aiBudget.instances} instances: **${assay.aiBudget.admitted} admitted**, ` +
        `${assay.aiBudget.modelCalls} model calls; in-memory budgets on ${monolith.aiBudget.instances} processes: ${monolith.aiBudget.admitted} admitted.`,
    );
  }
  if (r.faults) {
    const f = r.faults;
    lines.push(
      `- Faults: ${f.accepted} jobs accepted across ${f.phases.length} fault phases; after recovery ${f.audit.open} open, ${f.audit.missing} lost, ` +
        `${f.audit.inconsistentEffect} with a wrong effect, ${f.audit.duplicateReplies} duplicate replies; ${f.duplicateSends} duplicate queue sends absorbed; ` +
        `model calls ${f.modelCalls} <= claims ${f.audit.attempts}: **${f.pass ? "every job ended exactly once" : "FAILED"}**.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function routes(r: BenchResults, dir: string): string {
  if (!r.routes) return "";
  const rows = r.routes.map((x) => [
    x.label,
    `\`${x.request}\``,
    num(x.load.rps),
    num(x.load.latencyMs.p50),
    num(x.load.latencyMs.p95),
    num(x.load.latencyMs.p99),
    `${failures(x.load.statuses) + x.load.errors} / ${x.load.requests.toLocaleString("en-US")}`,
    num(x.perRequest.neon, 2),
    num(x.perRequest.upstash, 2),
    num(x.perRequest.upstashCommands, 2),
    `${num(x.load.serverTiming.dbRoundTrips, 2)} / ${num(x.load.serverTiming.cacheRoundTrips, 2)}`,
    num(x.perRequest.cpuMs, 1),
  ]);
  const labels = r.routes.map((x) => x.label);
  writeFileSync(
    join(dir, "bench-routes-throughput.svg"),
    barChart({ title: "Requests per second per route (one wrangler dev instance)", unit: "requests per second", categories: labels, series: [{ name: "req/s", values: r.routes.map((x) => x.load.rps) }] }),
  );
  writeFileSync(
    join(dir, "bench-routes-latency.svg"),
    barChart({
      title: "Latency per route under load",
      unit: "milliseconds",
      categories: labels,
      series: (["p50", "p95", "p99"] as const).map((p) => ({ name: p, values: r.routes?.map((x) => x.load.latencyMs[p]) ?? [] })),
    }),
  );
  writeFileSync(
    join(dir, "bench-routes-round-trips.svg"),
    barChart({
      title: "Round trips per request (stand-in counters, incl. background and job work)",
      unit: "HTTP round trips per API request",
      categories: labels,
      series: [
        { name: "Neon", values: r.routes.map((x) => x.perRequest.neon) },
        { name: "Upstash", values: r.routes.map((x) => x.perRequest.upstash) },
      ],
    }),
  );
  const connections = ` Each route: ${r.settings.connections} connections for ${r.settings.routeSeconds} s (the miss and submit runs stop earlier if their fresh keys or drafts run out).`;
  return `## 1. Load per route

One instance (cache on) and its twin with \`CACHE_ENABLED=false\` share a database and the same
users; each route gets the same number of connections for the same time.${connections} "Cache miss"
reads a list key never read before (a new \`limit\` each time), so every request misses, reads
Neon and writes the key back. The AI routes (chat message, submit) answer 202 and the bench waits
for their jobs before reading the counters, so their round trips include the job (claim, model
call, finish).

${table(
  ["route", "request", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors / requests", "Neon RT/req", "Upstash RT/req", "Upstash cmds/req", "request path RT db / cache", "CPU ms/req"],
  rows,
  ["l", "l", "r", "r", "r", "r", "r", "r", "r", "r", "r", "r"],
)}

![requests per second per route](bench-routes-throughput.svg)

![latency per route](bench-routes-latency.svg)

![round trips per request](bench-routes-round-trips.svg)

- Health touches nothing; public templates come from the isolate's memory and the colo cache,
  so neither reaches Neon or Upstash in steady state.
- A cache hit is one Upstash round trip (limit check and cache read share one pipeline when a
  route has both) and no Neon; a miss adds the Neon read and the write-back.
- Login is bound by PBKDF2 (100,000 iterations, the Workers maximum): its CPU per request is the hash.
${r.routes
  .filter((x) => x.jobs)
  .map((x) => `- ${x.label}: ${x.jobs?.accepted} jobs accepted, all finished ${x.jobs?.open === 0 ? "" : `except ${x.jobs?.open} `}within ${num((x.jobs?.waitedMs ?? 0) / 1000)} s after the load.`)
  .join("\n")}
`;
}

function cache(r: BenchResults, dir: string): string {
  const on = r.cacheMix?.find((x) => x.cache === "on");
  const off = r.cacheMix?.find((x) => x.cache === "off");
  if (!on || !off) return "";
  writeFileSync(
    join(dir, "bench-cache-offload.svg"),
    barChart({
      title: "90% read / 10% write: Neon round trips per 1,000 requests",
      unit: "Neon HTTP round trips per 1,000 API requests",
      categories: ["cache on", "cache off"],
      series: [
        { name: "Neon per 1,000 requests", values: [on.neonPer1000, off.neonPer1000] },
        { name: "Upstash per 1,000 requests", values: [on.upstashPer1000, off.upstashPer1000] },
      ],
    }),
  );
  const hyperdrive = r.hyperdriveMix;
  const row = (x: typeof on) => [
    `${x.driver}, cache ${x.cache}`,
    x.load.requests.toLocaleString("en-US"),
    num(x.load.rps),
    num(x.neonPer1000, 0),
    num(x.upstashPer1000, 0),
    num(x.load.latencyMs.p50),
    num(x.load.latencyMs.p95),
    num(x.load.latencyMs.p99),
    statusList(x.load.statuses),
  ];
  return `## 2. Cache offload

The same deterministic sequence on both sides: 90% reads (own list 40%, one assessment 30%,
profile 20%) and 10% writes (an answer to the user's draft, which revises that user's cached
reads of that draft), spread over the bench users.

${table(["side", "requests", "req/s", "Neon RT / 1,000 req", "Upstash RT / 1,000 req", "p50 ms", "p95 ms", "p99 ms", "statuses"], [row(on), row(off), ...(hyperdrive ? [row(hyperdrive)] : [])], ["l", "r", "r", "r", "r", "r", "r", "r", "l"])}

![cache offload](bench-cache-offload.svg)

The cache takes ${num(100 - (on.neonPer1000 / Math.max(1, off.neonPer1000)) * 100, 0)}% of the Neon round trips away
(${num(off.neonPer1000 / Math.max(1, on.neonPer1000))}x fewer) at the price of ~${num(on.upstashPer1000 / 1000, 1)} Upstash round trips per request. Every write
rewrites the cached reads it changed (write-through), so reads after a write still hit. ${
    on.load.latencyMs.p95 > off.load.latencyMs.p95
      ? `Locally the cache does not buy latency (p95 ${num(on.load.latencyMs.p95)} vs ${num(off.load.latencyMs.p95)} ms): both stand-ins are loopback HTTP on the same cores, so an Upstash round trip costs what a Neon one does, and a miss pays both.`
      : `Locally the latency gain is small (p95 ${num(on.load.latencyMs.p95)} vs ${num(off.load.latencyMs.p95)} ms): both stand-ins are loopback HTTP on the same cores.`
  } In production a Neon query from a colo crosses to the database's region while Upstash can answer
from a nearby replica, and Neon compute is the scarcer, pricier resource (see SCALING.md): the
offload is what carries over.
${
    hyperdrive
      ? `
The last row runs the cache-off mix on the **Hyperdrive driver** (\`DB_DRIVER=hyperdrive\`, same
database, reached over the Postgres wire protocol through a local Hyperdrive binding; see
docs/DATABASE.md): ${num(hyperdrive.load.rps)} req/s at p95 ${num(hyperdrive.load.latencyMs.p95)} ms against ${num(off.load.rps)} req/s at
p95 ${num(off.load.latencyMs.p95)} ms over Neon's HTTP protocol, and ${num(hyperdrive.neonPer1000, 0)} Neon HTTP requests: every query went over the
wire. The gap is the session: each request opens its own connection (startup and
authentication, then the statements: Postgres.js describes each statement that has parameters
before running it, see docs/DATABASE.md). Locally, miniflare's Hyperdrive hands
that connection straight to the database, so every request pays a fresh ${r.backends.neon === "postgres" ? "PostgreSQL backend" : "PGlite"} session:
${num(hyperdrive.sessionStartMs.p50)} ms at p50 (p95 ${num(hyperdrive.sessionStartMs.p95)} ms), timed with Postgres.js, the driver the Worker uses. In production Hyperdrive
answers the startup in the Worker's colo and keeps warm sessions to the origin, so what carries
over from this row is the correctness (same results, one HTTP-level round trip per query or batch), not the latency.
`
      : ""
  }${pushAndRevisions()}`;
}

interface PushCacheResults {
  code: string;
  modelLatencyMs: number;
  neonPerAiJob: { watched: number; readOnce: number };
  mix: { cache: "on" | "off"; requests: number; neonPer1000: number; upstashPer1000: number; upstashCommandsPerRequest: number }[];
}

/** The newest bench/push-cache.ts result (a separate script, not part of `npm run bench`). */
export function pushAndRevisions(): string {
  const dir = join(ROOT, "bench/results");
  const newest = readdirSync(dir)
    .filter((f) => f.startsWith("push-cache-") && f.endsWith(".json"))
    .sort()
    .at(-1);
  if (!newest) return "";
  const p = JSON.parse(readFileSync(join(dir, newest), "utf8")) as PushCacheResults;
  const on = p.mix.find((m) => m.cache === "on");
  const off = p.mix.find((m) => m.cache === "off");
  if (!on || !off) return "";
  return `
### Job status by push, and the revising cache (\`node bench/push-cache.ts\`, \`bench/results/${newest}\`)

Counted by the stand-ins (commit ${p.code}), not timed. With the model taking ${num(p.modelLatencyMs / 1000, 0)} s, an AI chat job
costs **${num(p.neonPerAiJob.watched)} Neon requests when the client watches it through \`/jobs/:id/events\`** and
${num(p.neonPerAiJob.readOnce)} when it reads the result once (the POST, the job, the delivery). Before the push (a stream that
polled Neon every 500 ms), the issue measured 17 watched vs 5 read once on the \`npm run dev\` stack: watching now
costs nothing extra.

The 90/10 mix above, run once to warm the cache and then measured, with \`CACHE_TIMEOUT_MS=2000\` (on this shared
2-core machine Upstash often answers slower than the 300 ms default, and a skipped cache read counts as a Neon read):

${table(["side", "requests", "Neon RT / 1,000 req", "Upstash RT / 1,000 req", "Upstash commands / req"], [on, off].map((m) => [`cache ${m.cache}`, num(m.requests, 0), num(m.neonPer1000), num(m.upstashPer1000, 0), num(m.upstashCommandsPerRequest, 2)]), ["l", "r", "r", "r", "r"])}

${num(on.neonPer1000)} Neon round trips per 1,000 requests against a floor of 100 (the writes) and a target of 130; before the
revising cache the same mix measured 299. With the 300 ms default on the same loaded machine the
figure was 225; the timeout is the only difference between the two runs, so the rest are reads that gave up
on a slow cache rather than misses.
`;
}

function chat(r: BenchResults): string {
  if (!r.chat || r.chat.length === 0) return "";
  const rows = r.chat.map((c) => [
    `${num(c.modelLatencyMs)} ms`,
    c.requests,
    c.concurrency,
    num(c.throughputPerSecond),
    num(c.latencyMs.p50),
    num(c.latencyMs.p95),
    num(c.latencyMs.p99),
    num(c.latencyMs.max),
    statusList(c.statuses),
    c.pass ? "yes" : "no",
  ]);
  return `## 3. Chat latency with a slow model

\`bench/chat-latency.ts\` posts chat messages while the Gemini stand-in takes the given time per
answer (the queue consumer waits for the model; the request never does). Same instance, same
users, once with an instant model and once with a slow one.

${table(["model latency", "requests", "concurrency", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "statuses", "p99 < 100 ms"], rows, ["r", "r", "r", "r", "r", "r", "r", "r", "l", "l"])}
${(() => {
  const sorted = [...(r.chat ?? [])].sort((a, b) => a.modelLatencyMs - b.modelLatencyMs);
  const fast = sorted[0];
  const slow = sorted.at(-1);
  if (!fast || !slow || fast === slow) return "";
  const diff = slow.latencyMs.p99 - fast.latencyMs.p99;
  return `
With the model ${num(slow.modelLatencyMs / 1000)} s slower, p99 moved by ${diff >= 0 ? "+" : ""}${num(diff)} ms: the request path never
waits for the model. ${diff < 0 ? "The instant-model run is the slower one because its jobs finish while the posts arrive, so the queue consumer's work (claim, model call, finish) competes with the requests for the same cores of this one machine; with a slow model that work is spread out." : ""}
`;
})()}`;
}

function fleet(r: BenchResults, dir: string): string {
  if (!r.fleet) return "";
  const { assay, monolith } = r.fleet;
  writeFileSync(
    join(dir, "bench-fleet-limits.svg"),
    barChart({
      title: `Admitted by a limit, ${assay.login.instances} Assay instances vs ${monolith.login.instances} monolith processes`,
      unit: "requests admitted, as a multiple of the limit",
      categories: [`login per IP (limit ${assay.login.limit})`, `AI budget (limit ${assay.aiBudget.limit})`],
      series: [
        { name: "Assay (Upstash, shared)", values: [assay.login.admitted / assay.login.limit, assay.aiBudget.admitted / assay.aiBudget.limit] },
        { name: "monolith (in-memory, per process)", values: [monolith.login.admitted / monolith.login.limit, monolith.aiBudget.admitted / monolith.aiBudget.limit] },
      ],
      marker: { value: 1, label: "the limit" },
      format: (v) => `${v.toFixed(2).replace(/\.?0+$/, "")}x`,
    }),
  );
  const row = (who: string, a: typeof assay.login) => [
    who,
    a.policy,
    a.instances,
    a.attempts,
    a.limit,
    `**${a.admitted}**`,
    a.perInstance.join(" / "),
    statusList(a.statuses),
    a.exact ? "exact" : `${num(a.admitted / a.limit, 2)}x the limit`,
  ];
  const audit = assay.aiBudget.audit;
  return `## 4. Many instances: one limit, shared

${assay.login.instances} independent \`wrangler dev\` processes (separate isolates, ports, local queues) share
one Neon and one Upstash stand-in and are hammered at the same moment, each with the same share of
the requests. Beside them, the monolith's design: ${monolith.login.instances} Node processes
(\`bench/monolith/server.ts\`), each an express-rate-limit style in-memory fixed window, under the same load.

${table(
  ["design", "policy", "instances", "attempts", "limit", "admitted", "admitted per instance", "statuses", "result"],
  [row("Assay", assay.login), row("monolith", monolith.login), row("Assay", assay.aiBudget), row("monolith", monolith.aiBudget)],
  ["l", "l", "r", "r", "r", "r", "l", "l", "l"],
)}

![admitted vs limit](bench-fleet-limits.svg)

The login burst starts with at least 25 s left in the limiter's 60 s window, so the sliding window
has no earlier requests to weigh; the AI burst keeps clear of UTC midnight. The ${assay.aiBudget.admitted}
accepted messages became ${audit.total} jobs (${statusList(audit.byStatus)}), and the model was
called ${assay.aiBudget.modelCalls} times: the budget bounds the provider's bill across every instance.
`;
}

function faultRow(p: PhaseResult): (string | number)[] {
  const k = p.kinds;
  return [
    p.label,
    statusList(k.reads.statuses),
    num(k.reads.latencyMs.p95),
    statusList(k.profile.statuses),
    statusList(k.posts.statuses),
    num(k.posts.latencyMs.p95),
    `${num(k.posts.db.roundTrips, 2)} / ${num(k.posts.db.ms, 0)} ms`,
    p.accepted,
    p.duplicateSends,
  ];
}

function faults(r: BenchResults, dir: string): string {
  if (!r.faults) return "";
  const f = r.faults;
  const share = (p: PhaseResult, pick: (status: number) => boolean) => {
    const all = [p.kinds.reads, p.kinds.profile, p.kinds.posts];
    const total = all.reduce((n, k) => n + k.requests, 0) || 1;
    const matched = all.reduce((n, k) => n + Object.entries(k.statuses).reduce((m, [s, c]) => (pick(Number(s)) ? m + c : m), 0), 0);
    return (matched / total) * 100;
  };
  writeFileSync(
    join(dir, "bench-faults.svg"),
    barChart({
      title: "Answers during each fault (all request kinds)",
      unit: "% of requests",
      categories: f.phases.map((p) => p.label),
      series: [
        { name: "2xx", color: "#16a34a", values: f.phases.map((p) => share(p, (s) => s < 300)) },
        { name: "429", color: "#f97316", values: f.phases.map((p) => share(p, (s) => s === 429)) },
        { name: "503", color: "#dc2626", values: f.phases.map((p) => share(p, (s) => s === 503)) },
        { name: "other", color: "#64748b", values: f.phases.map((p) => share(p, (s) => s >= 300 && s !== 429 && s !== 503)) },
      ],
      stacked: true,
      format: (v) => `${v.toFixed(0)}%`,
      width: 820,
    }),
  );
  const a = f.audit;
  return `## 5. Faults under load

One instance serves a steady mix (3 connections reading their assessment list, 1 reading the
profile, 2 posting chat messages) while the stand-ins inject one fault at a time, each for the
same few seconds. The instance runs with \`AI_MODEL_TIMEOUT_MS=2000\`, \`AI_RETRY_BASE_SECONDS=1\`
and \`AI_SWEEP_AFTER_SECONDS=0\` (so retries and re-sends happen within the run). "Duplicate
sends" are queue messages the outbox sweeper re-sent for jobs that were already queued: every
one is a second delivery of a job.

${table(
  ["fault", "list reads", "reads p95 ms", "profile reads", "chat posts", "posts p95 ms", "posts: Neon RT / time (request path)", "jobs accepted", "duplicate sends"],
  f.phases.map(faultRow),
  ["l", "l", "r", "l", "l", "r", "r", "r", "r"],
)}

![answers during faults](bench-faults.svg)

What each fault should do, by design (DESIGN.md): **Upstash down**: limit checks fail closed, so
new AI work gets 503 \`unavailable\`, while cached reads fall back to Neon (200). **Upstash slow**
(+500 ms, above \`CACHE_TIMEOUT_MS\` 300 ms): the cache is skipped and reads go to Neon; limit checks
wait (under their 1.5 s timeout), so work is slower but accepted. **Neon down**: reads still in the
cache answer 200; anything that needs Neon answers 503. **Neon slow**: everything answers, later.
**Gemini 429 / 500 / timeout**: the API is untouched (the model is only called by the queue
consumer); jobs retry with backoff and finish once the model is back. **Duplicate deliveries**:
absorbed by the conditional claim; no job runs its effect twice.
${(() => {
  const with500 = f.phases.filter((p) => Object.values(p.kinds).some((k) => (k.statuses["500"] ?? 0) > 0));
  return with500.length === 0
    ? ""
    : `\n**This run answered 500 \`internal\` during: ${with500.map((p) => `${p.label} (${Object.values(p.kinds).reduce((n, k) => n + (k.statuses["500"] ?? 0), 0)})`).join(", ")}.** A dependency outage must be 503 \`unavailable\` (API.md): the error was not recognised as a dependency failure (see the checks below and the Worker log under \`.data/bench/faults/\`).\n`;
})()}
Then every fault is cleared, the sweeper runs as its cron would, and the jobs table is read
through the Neon stand-in:

${table(
  ["check", "result"],
  [
    ["jobs accepted (202 answers seen by the client)", f.accepted],
    ["job rows", `${a.total} (${statusList(a.byStatus)})`],
    ["still queued or running after recovery", a.open],
    ["accepted but missing (lost)", a.missing],
    ["terminal without finished_at, or the reverse", a.inconsistentFinish],
    ["effect not matching the outcome (reply/analysis written iff succeeded)", a.inconsistentEffect],
    ["assistant messages beyond one per chat job (effect run twice)", a.duplicateReplies],
    ["model calls (Gemini stand-in) vs claims (Σ attempts)", `${f.modelCalls} <= ${a.attempts}`],
    ["duplicate queue sends absorbed", f.duplicateSends],
    ["recovery", `${num(f.recovery.waitedMs / 1000)} s, ${f.recovery.sweeps} sweeper runs`],
    ["verdict", f.pass ? "**every accepted job reached a terminal state exactly once**" : "**FAILED**"],
  ],
)}

There can be more job rows than 202s the client saw: a request cut off when a phase's load stops
may have committed. A job whose model call failed counts its attempts; one that ran out of
attempts while a fault lasted ends \`failed\` with a message the user can read, which is a terminal
state too.
`;
}

function checks(r: BenchResults): string {
  return `## Checks of this run

${table(
  ["check", "kind", "result", "detail"],
  r.checks.map((c) => [c.name, c.kind ?? "correctness", c.pass ? "pass" : "**FAIL**", c.detail]),
)}
`;
}

const limitsSection = `## What this bench cannot measure here

- **Edge latency and Cloudflare's network**: everything is loopback on one box; real clients add
  their RTT to the nearest colo, and a Neon query from a colo far from the database's region adds
  tens of ms that Upstash's global replicas avoid. Not measurable without deploying.
- **Production CPU time**: workerd here runs under \`wrangler dev\`, with its proxy in front and a
  load generator on the same cores; the CPU figures are upper bounds, not Cloudflare's billing.
- **Neon and Upstash themselves**: the stand-ins speak their protocols over local PostgreSQL and
  Redis. Cold starts of Neon compute (scale to zero), its autoscaling, Upstash's regional latency
  and either service's rate limits are not reproduced; SCALING.md takes those from the providers'
  published limits.
- **Cloudflare Queues**: \`wrangler dev\` runs a local queue per process. Delivery latency,
  consumer concurrency scaling and the provider's at-least-once duplicates are not the real
  service's; duplicates are produced on purpose instead (the sweeper's re-sends).
- **The real model**: the Gemini stand-in answers deterministic text at chosen latencies; token
  counts are estimated (chars / 4) and real answers are longer, which SCALING.md assumes explicitly.
- **Many colos / isolates**: three local processes stand in for many isolates in many regions;
  the property shown (one shared counter, admitted = limit) does not depend on the count.
`;

/** The SPA's load, measured by the browser suite (e2e/lcp.ts), not by this bench: kept by hand in bench/spa-load.md. */
function spaLoad(): string {
  try {
    return readFileSync(join(ROOT, "bench", "spa-load.md"), "utf8");
  } catch {
    return "";
  }
}

export function renderBenchmarks(results: BenchResults, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const parts = [header(results), summary(results), routes(results, dir), cache(results, dir), chat(results), fleet(results, dir), faults(results, dir), checks(results), spaLoad(), limitsSection];
  writeFileSync(join(dir, "BENCHMARKS.md"), `${parts.filter(Boolean).join("\n")}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2] ?? join(ROOT, "bench/results/latest.json");
  const dir = process.argv[3] ?? join(ROOT, "docs");
  renderBenchmarks(JSON.parse(readFileSync(file, "utf8")) as BenchResults, dir);
  console.log(`wrote ${join(dir, "BENCHMARKS.md")}`);
}
