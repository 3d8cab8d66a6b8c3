/**
 * `npm run bench`: every measurement of docs/BENCHMARKS.md, on this machine, in one go (< 10 min):
 * load per route, cache offload, chat latency with a slow model, many instances vs the monolith's
 * in-memory limiter, faults under load. Writes bench/results/latest.json (and a dated copy), then
 * docs/BENCHMARKS.md, docs/SCALING.md and their charts.
 *
 *   npm run bench                     # the full run
 *   npm run bench -- --only routes    # one part: routes | fleet | faults (docs are not rewritten)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { profiles, type Profile } from "./lib/profile.ts";
import { buildWorker, ROOT, startBenchStack, startWorkers, type BenchStack, type WorkerInstance, type WorkerOptions } from "./lib/stack.ts";
import { round } from "./lib/stats.ts";
import type { Scopes } from "./lib/usage.ts";
import { chatLatency, type ChatLatencyResult } from "./scenarios/chat.ts";
import { faultsUnderLoad, faultsWorker, type FaultsResult } from "./scenarios/faults.ts";
import { assayFleet, fleetWorkers, monolithFleet, type FleetResult } from "./scenarios/fleet.ts";
import { cacheMix, driverMix, prepareWorld, routeLoads, type HyperdriveMixResult, type MixResult, type RouteResult } from "./scenarios/routes.ts";
import { renderBenchmarks } from "./report.ts";
import { renderScaling, writeCapacity } from "./capacity.ts";

export interface Check {
  name: string;
  /** Correctness checks fail the smoke run; performance ones only flag a full run. */
  kind?: "performance";
  pass: boolean;
  detail: string;
}

export interface BenchResults {
  profile: Profile["name"];
  /** The sizes the run used. */
  settings: Profile;
  startedAt: string;
  durationSeconds: number;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; os: string; node: string };
  /** The commit the measured Worker was bundled from ("-dirty": with uncommitted changes). */
  code: string;
  backends: BenchStack["backends"];
  routes?: RouteResult[];
  cacheMix?: MixResult[];
  /** The cache-off mix on the Hyperdrive driver (compare with cacheMix's cache-off side). */
  hyperdriveMix?: HyperdriveMixResult;
  chat?: ChatLatencyResult[];
  fleet?: FleetResult;
  faults?: FaultsResult;
  checks: Check[];
}

export type Part = "routes" | "fleet" | "faults";
const PARTS: Part[] = ["routes", "fleet", "faults"];

function machine(): BenchResults["machine"] {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    memoryGiB: round(totalmem() / 1024 ** 3, 1),
    os: `Linux ${release()}`,
    node: process.version,
  };
}

const loadScopes: Scopes = { neon: "assay_bench_load", upstash: "load", gemini: "bench-load" };

/**
 * Three instances over one database: the cache on, the cache off, and the cache off on the
 * Hyperdrive driver (`hyperdriveUrl`: the database over the wire protocol).
 */
function routesWorkers(hyperdriveUrl: string): WorkerOptions[] {
  const shared = {
    database: loadScopes.neon,
    upstashScope: loadScopes.upstash,
    geminiKey: loadScopes.gemini,
    keyPrefix: `bench:load:${Date.now().toString(36)}:`,
  };
  // The limits stay on (every request still pays for its checks) but high enough not to refuse.
  const vars = {
    AI_DAILY_BUDGET: "1000000",
    AI_USER_HOURLY_LIMIT: "1000000",
    AI_USER_DAILY_LIMIT: "1000000",
    AI_IP_DAILY_LIMIT: "1000000",
    ACCESS_TOKEN_TTL_SECONDS: "3600",
    RATE_LIMITS: JSON.stringify({
      "auth.login.ip": { limit: 1_000_000 },
      "auth.login.email": { limit: 1_000_000 },
      "auth.register.ip": { limit: 1_000_000 },
      "auth.register.email": { limit: 1_000_000 },
      "conversations.create.user": { limit: 1_000_000 },
      "assessments.create.user": { limit: 1_000_000 },
      "assessments.answers.user": { limit: 1_000_000 },
      "account.update.user": { limit: 1_000_000 },
    }),
  };
  return [
    { name: "load", ...shared, vars },
    { name: "load-nocache", ...shared, vars: { ...vars, CACHE_ENABLED: "false" } },
    { name: "load-hyperdrive", ...shared, vars: { ...vars, CACHE_ENABLED: "false" }, hyperdrive: hyperdriveUrl },
  ];
}

/** Load per route, the cache mix, and chat latency with a fast and a slow model. */
async function routesPart(stack: BenchStack, profile: Profile, results: BenchResults, [cached, uncached, hyperdrive]: WorkerInstance[], postgresUrl: string): Promise<void> {
  if (!cached || !uncached || !hyperdrive) throw new Error("routes: three instances expected");
  console.log("\n[routes] load per route, cache offload, chat latency");
  const world = await prepareWorld(stack, cached, uncached, loadScopes, loadScopes.neon, profile);
  console.log(`  ${world.users.length} users, ${world.submitDrafts.length} drafts ready`);
  results.routes = await routeLoads(world, profile);
  results.cacheMix = await cacheMix(world, profile);
  await uncached.stop();
  results.hyperdriveMix = await driverMix(world, profile, hyperdrive, postgresUrl);
  await hyperdrive.stop();
  results.chat = [];
  for (const modelLatencyMs of profile.chat.modelLatenciesMs) {
    results.chat.push(await chatLatency(stack, cached, loadScopes.gemini, profile, modelLatencyMs));
  }
}

function checksOf(results: BenchResults): Check[] {
  const checks: Check[] = [];
  for (const r of results.routes ?? []) {
    const bad = Object.entries(r.load.statuses).filter(([status]) => Number(status) >= 500 || status === "429");
    checks.push({
      name: `route ${r.key}: no 5xx or 429`,
      pass: bad.length === 0 && r.load.errors === 0 && r.load.requests > 0,
      detail: JSON.stringify(r.load.statuses),
    });
    if (r.jobs) checks.push({ name: `route ${r.key}: every job finished`, pass: r.jobs.open === 0, detail: `${r.jobs.open} open of ${r.jobs.accepted}` });
  }
  const mixOn = results.cacheMix?.find((m) => m.cache === "on");
  const mixOff = results.cacheMix?.find((m) => m.cache === "off");
  if (mixOn && mixOff) {
    checks.push({
      name: "cache offload: fewer Neon round trips with the cache on",
      kind: "performance",
      pass: mixOn.neonPer1000 < mixOff.neonPer1000,
      detail: `${mixOn.neonPer1000} vs ${mixOff.neonPer1000} per 1,000 requests`,
    });
  }
  const hyperdrive = results.hyperdriveMix;
  if (hyperdrive) {
    const bad = Object.entries(hyperdrive.load.statuses).filter(([status]) => Number(status) >= 500 || status === "429");
    checks.push({
      name: "hyperdrive driver: the mix answers without 5xx, and no request goes through Neon's HTTP API",
      pass: bad.length === 0 && hyperdrive.load.errors === 0 && hyperdrive.load.requests > 0 && hyperdrive.neonPer1000 === 0,
      detail: `${JSON.stringify(hyperdrive.load.statuses)}, ${hyperdrive.neonPer1000} Neon HTTP requests per 1,000`,
    });
  }
  const slowest = Math.max(...(results.chat ?? []).map((c) => c.modelLatencyMs));
  for (const chat of (results.chat ?? []).filter((c) => c.modelLatencyMs === slowest)) {
    checks.push({
      name: `chat: p99 of POST message < 100 ms with a ${chat.modelLatencyMs} ms model`,
      kind: "performance",
      pass: chat.pass,
      detail: `p99 ${chat.latencyMs.p99} ms, ${JSON.stringify(chat.statuses)}`,
    });
  }
  if (results.fleet) {
    const { login, aiBudget } = results.fleet.assay;
    checks.push({ name: `fleet: login per IP admits exactly ${login.limit}`, pass: login.exact, detail: `${login.admitted} of ${login.attempts}` });
    checks.push({ name: `fleet: AI budget admits exactly ${aiBudget.limit}`, pass: aiBudget.exact, detail: `${aiBudget.admitted} of ${aiBudget.attempts}` });
    checks.push({
      name: "fleet: model calls never exceed the budget",
      pass: aiBudget.modelCalls <= aiBudget.limit && aiBudget.audit.open === 0,
      detail: `${aiBudget.modelCalls} calls, ${aiBudget.audit.open} open`,
    });
    const mono = results.fleet.monolith;
    checks.push({
      name: "monolith: in-memory limiters admit more than the limit",
      pass: mono.login.admitted > mono.login.limit && mono.aiBudget.admitted > mono.aiBudget.limit,
      detail: `login ${mono.login.admitted}/${mono.login.limit}, AI ${mono.aiBudget.admitted}/${mono.aiBudget.limit}`,
    });
  }
  if (results.faults) {
    const f = results.faults;
    for (const phase of f.phases) {
      const internal = Object.values(phase.kinds).reduce((n, k) => n + (k.statuses["500"] ?? 0), 0);
      checks.push({
        name: `faults: ${phase.label}: no 500 (a dependency outage is 503 unavailable)`,
        pass: internal === 0,
        detail: `${internal} answers were 500`,
      });
    }
    const duplicates = f.phases.find((p) => p.key === "duplicates");
    if (duplicates) {
      checks.push({
        name: "faults: the sweeper produced duplicate deliveries",
        pass: duplicates.duplicateSends > 0,
        detail: `${duplicates.duplicateSends} re-sends of queued jobs`,
      });
    }
    checks.push({
      name: "faults: every accepted job reached a terminal state exactly once",
      pass: f.pass,
      detail: `${f.accepted} accepted, ${JSON.stringify(f.audit.byStatus)}, model calls ${f.modelCalls} <= attempts ${f.audit.attempts}`,
    });
  }
  return checks;
}

export interface RunOptions {
  parts?: Part[];
  /** Where results JSON goes. */
  resultsFiles: string[];
  /** Render BENCHMARKS.md + SCALING.md (and charts) into this directory. */
  docsDir?: string;
  /** Where the capacity model's JSON goes (with docsDir). */
  capacityFile?: string;
}

export async function runBench(profile: Profile, options: RunOptions): Promise<BenchResults> {
  const started = Date.now();
  const parts = options.parts ?? PARTS;
  const build = buildWorker();
  const stack = await startBenchStack();
  const results: BenchResults = {
    profile: profile.name,
    settings: profile,
    startedAt: new Date(started).toISOString(),
    durationSeconds: 0,
    machine: machine(),
    code: build.version,
    backends: stack.backends,
    checks: [],
  };
  console.log(`bench (${profile.name}): Neon stand-in on ${stack.backends.neon}, Upstash stand-in on ${stack.backends.upstash}`);
  let hyperdriveUrl = "";
  // Every instance starts now, in parallel (~10 s instead of ~10 s per part); each part stops its own.
  const plans: Record<Part, () => WorkerOptions[]> = {
    routes: () => routesWorkers(hyperdriveUrl),
    fleet: () => fleetWorkers(profile),
    faults: () => [faultsWorker()],
  };
  try {
    const wanted = PARTS.filter((p) => parts.includes(p));
    const databases = [loadScopes.neon, "assay_bench_fleet", "assay_bench_faults"];
    await Promise.all(databases.map((name) => stack.warmDatabase(name)));
    hyperdriveUrl = await stack.postgresUrl(loadScopes.neon);
    const options = wanted.map((p) => plans[p]().map((o) => ({ ...o, build })));
    const all = await startWorkers(stack, options.flat());
    const instances = new Map<Part, WorkerInstance[]>();
    let offset = 0;
    wanted.forEach((part, i) => {
      const count = options[i]?.length ?? 0;
      instances.set(part, all.slice(offset, offset + count));
      offset += count;
    });
    console.log(`${all.length} wrangler dev instances up after ${Math.round((Date.now() - started) / 1000)} s`);
    const stopPart = (part: Part) => Promise.all((instances.get(part) ?? []).map((w) => w.stop()));
    try {
      if (instances.has("routes")) {
        await routesPart(stack, profile, results, instances.get("routes") ?? [], hyperdriveUrl).finally(() => stopPart("routes"));
      }
      if (instances.has("fleet")) {
        console.log("\n[fleet] many instances vs in-memory limiters");
        const assay = await assayFleet(stack, profile, instances.get("fleet") ?? []).finally(() => stopPart("fleet"));
        const monolith = await monolithFleet(profile);
        results.fleet = { assay, monolith };
      }
      if (instances.has("faults")) {
        console.log("\n[faults] faults under load");
        const [instance] = instances.get("faults") ?? [];
        if (!instance) throw new Error("faults: no instance");
        results.faults = await faultsUnderLoad(stack, profile, instance).finally(() => stopPart("faults"));
      }
    } finally {
      await Promise.all(all.map((w) => w.stop()));
    }
  } finally {
    await stack.stop();
  }
  results.durationSeconds = Math.round((Date.now() - started) / 1000);
  results.checks = checksOf(results);
  const json = `${JSON.stringify(results, null, 2)}\n`;
  for (const file of options.resultsFiles) {
    mkdirSync(join(file, ".."), { recursive: true });
    writeFileSync(file, json);
  }
  if (options.docsDir) {
    renderBenchmarks(results, options.docsDir);
    const tiers = renderScaling(results, options.docsDir);
    if (options.capacityFile && options.resultsFiles[0]) writeCapacity(options.capacityFile, options.resultsFiles[0], tiers);
  }
  console.log(`\n${results.checks.map((c) => `${c.pass ? "ok  " : "FAIL"} ${c.name} (${c.detail})`).join("\n")}`);
  console.log(`\ndone in ${results.durationSeconds} s`);
  return results;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: "string", multiple: true } } });
  const only = values.only as Part[] | undefined;
  if (only?.some((p) => !PARTS.includes(p))) throw new Error(`--only takes ${PARTS.join(", ")}`);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
  const full = !only;
  const results = await runBench(profiles.full, {
    parts: only,
    resultsFiles: full
      ? [join(ROOT, "bench/results/latest.json"), join(ROOT, `bench/results/full-${stamp}.json`)]
      : [join(ROOT, `bench/results/partial-${only.join("-")}-${stamp}.json`)],
    docsDir: full ? join(ROOT, "docs") : undefined,
    capacityFile: join(ROOT, "bench/results/capacity.json"),
  });
  if (results.checks.some((c) => !c.pass)) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
