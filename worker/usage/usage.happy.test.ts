import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { clearFaults, counts, resetCounts, setFault, type GeminiCount } from "../../local/control.ts";
import { measured } from "../../local/testing/round-trips.ts";
import { loadConfig } from "../config.ts";
import { baseEnv, deliver, envWith, lostQueue, waitForJob } from "../jobs/testing.ts";
import type { Job } from "../jobs/service.ts";
import { scopes, testEnv } from "../testing/http.ts";
import { registerAdmin, registerUser, type RegisteredUser } from "../testing/users.ts";
import type { Usage, UsageDay } from "./schemas.ts";
import { chat, usage } from "./testing.ts";

const config = loadConfig(baseEnv);
const PRIMARY = config.GEMINI_MODEL;
const FALLBACK = config.GEMINI_FALLBACK_MODEL;

let admin: RegisteredUser;
let alice: RegisteredUser;
let bob: RegisteredUser;
/** What the pipeline did, as the API and the Gemini stand-in saw it. */
let finished: Job[];
let deadLettered: Job;
let caredFor: Job;
let gemini: Record<GeminiCount, number>;
let report: Usage;
let today: UsageDay;

const cost = (model: string, input: number, output: number) => {
  const price = config.AI_MODEL_PRICES.models[model];
  return price ? (input * price.inputPerMillionTokens + output * price.outputPerMillionTokens) / 1e6 : NaN;
};

beforeAll(async () => {
  [admin, alice, bob] = await Promise.all([registerAdmin(), registerUser(), registerUser()]);
  await resetCounts(testEnv.STANDIN_GEMINI, scopes.gemini);

  // Alice: two chats answered by the primary model at once.
  const first = await Promise.all([chat(alice), chat(alice)]);
  const aliceJobs = await Promise.all(first.map((a) => waitForJob(alice.accessToken, a.job.id)));

  // Bob: the primary model is failing; the retry asks the fallback model, which answers.
  await setFault(testEnv.STANDIN_GEMINI, { scope: scopes.gemini, status: 503, model: PRIMARY });
  const bobs = await chat(bob);
  const bobJob = await waitForJob(bob.accessToken, bobs.job.id);
  await clearFaults(testEnv.STANDIN_GEMINI, scopes.gemini);

  // A job the queue gave up on (its message reached the dead-letter queue): no model call.
  const lost = await chat(bob, envWith({ AI_JOBS: lostQueue }));
  await deliver([lost.job.id], { queue: "ai-jobs-dlq" });
  deadLettered = await waitForJob(bob.accessToken, lost.job.id);

  // A flagged message the spent budget would refuse: the caring reply at once, no model call, no AI work.
  const spent = envWith({ AI_DAILY_BUDGET: "1", AI_JOBS: lostQueue });
  await chat(alice, spent);
  caredFor = (await chat(alice, spent, "I want to end my life")).job;

  finished = [...aliceJobs, bobJob];
  gemini = await counts<GeminiCount>(testEnv.STANDIN_GEMINI, scopes.gemini);
  report = await usage(admin, 2);
  today = report.days[0] as UsageDay;
}, 60_000);

afterEach(() => clearFaults(testEnv.STANDIN_GEMINI, scopes.gemini));

describe("GET /admin/usage: figures of jobs run through the real pipeline", () => {
  it("ran the scenario it reports on: two first-time answers, one retried on the fallback, one dead-lettered", () => {
    expect(finished.map((j) => [j.status, j.attempts])).toEqual([
      ["succeeded", 1],
      ["succeeded", 1],
      ["succeeded", 2],
    ]);
    expect(deadLettered).toMatchObject({ status: "failed", attempts: 0 });
    expect(caredFor).toMatchObject({ status: "succeeded", attempts: 0 });
  });

  it("reports the asked days, newest first, with the budget and the prices' date", () => {
    const now = new Date();
    const yesterday = new Date(now.getTime() - 86_400_000);
    expect(report.days.map((d) => d.date)).toEqual([now.toISOString().slice(0, 10), yesterday.toISOString().slice(0, 10)]);
    expect(report.budget).toBe(config.AI_DAILY_BUDGET);
    expect(report.pricesAsOf).toBe(config.AI_MODEL_PRICES.asOf);
    expect(today.budget).toBe(config.AI_DAILY_BUDGET);
  });

  it("counts today's model calls from the shared budget counter: one per attempt", () => {
    const attempts = finished.reduce((sum, j) => sum + j.attempts, 0);
    expect(attempts).toBe(4);
    expect(today.modelCalls).toBe(attempts);
  });

  it("splits calls and tokens by model, the failed primary call included, with their estimated cost", () => {
    expect(today.byModel.map((m) => [m.model, m.calls])).toEqual([
      [PRIMARY, 3],
      [FALLBACK, 1],
    ]);
    const input = today.byModel.reduce((sum, m) => sum + m.inputTokens, 0);
    const output = today.byModel.reduce((sum, m) => sum + m.outputTokens, 0);
    // The stand-in bills only the answers it gave; the refused call carries no tokens.
    expect(gemini.generate).toBe(4);
    expect(input).toBe(gemini.promptTokens);
    expect(output).toBe(gemini.candidatesTokens);
    for (const m of today.byModel) {
      expect(m.inputTokens).toBeGreaterThan(0);
      expect(m.estimatedCostUsd).toBeCloseTo(cost(m.model, m.inputTokens, m.outputTokens), 6);
    }
    expect(today.estimatedCostUsd).toBeCloseTo(today.byModel.reduce((sum, m) => sum + (m.estimatedCostUsd ?? 0), 0), 6);
  });

  it("counts jobs by outcome: succeeded, failed, retried, dead-lettered (a caring reply without the model is none of them)", () => {
    expect(today.jobs).toEqual({ succeeded: 3, failed: 1, retried: 1, deadLettered: 1 });
  });

  it("gives p50 and p95 of the time from accepted to finished", () => {
    const { p50, p95 } = today.finishSeconds;
    expect(p50).toBeGreaterThan(0);
    expect(p95).toBeGreaterThanOrEqual(p50 ?? Infinity);
  });

  it("ranks accounts by model calls, with their email", () => {
    expect(today.topAccounts).toEqual([
      { userId: alice.user.id, email: alice.email, modelCalls: 2 },
      { userId: bob.user.id, email: bob.email, modelCalls: 2 },
    ].sort((a, b) => b.modelCalls - a.modelCalls || a.userId.localeCompare(b.userId)));
  });

  it("reports a day without activity as zeros", () => {
    expect(report.days[1]).toMatchObject({
      modelCalls: 0,
      byModel: [],
      estimatedCostUsd: 0,
      jobs: { succeeded: 0, failed: 0, retried: 0, deadLettered: 0 },
      finishSeconds: { p50: null, p95: null },
      topAccounts: [],
    });
  });

  it("reads the history in one Neon round trip, then serves it from the cache while today's calls stay live", async () => {
    const cold = await measured(() => usage(admin, 3));
    expect(cold.served.neon).toBe(1);

    const more = await chat(alice);
    await waitForJob(alice.accessToken, more.job.id);
    const warm = await measured(() => usage(admin, 3));
    expect(warm.served.neon).toBe(0);
    expect(warm.res.days[0]?.modelCalls).toBe((cold.res.days[0]?.modelCalls ?? 0) + 1);
    expect(warm.res.days[0]?.byModel).toEqual(cold.res.days[0]?.byModel);
  });
});
