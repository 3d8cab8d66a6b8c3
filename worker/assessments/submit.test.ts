import { eq } from "drizzle-orm";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../config.ts";
import { jobs } from "../db/schema.ts";
import type { Job } from "../jobs/service.ts";
import { waitForJob } from "../jobs/testing.ts";
import { servicesFor } from "../platform/services.ts";
import { clearFaults, setFault } from "../../local/control.ts";
import { call, scopes, testEnv } from "../testing/http.ts";
import { registerPair, type RegisteredUser } from "../testing/users.ts";
import type { Assessment } from "./schemas.ts";
import type { ErrorBody } from "../errors.ts";

interface Submitted {
  assessment: Assessment;
  job: Job;
}

let alice: RegisteredUser;
let bob: RegisteredUser;
/** Jobs a test started: each test waits for its own, so no analysis runs into the next one. */
let started: { token: string; jobId: string }[] = [];

beforeAll(async () => {
  [alice, bob] = await registerPair();
});

/** A WHO-5 draft with `answers` saved. */
async function draft(user: RegisteredUser, answers: Record<string, number> = { q1: 3, q2: 4, q3: 2, q4: 3, q5: 4 }): Promise<Assessment> {
  const created = await call<Assessment>("POST", "/api/v1/assessments", { token: user.accessToken, body: { templateSlug: "who-5" } });
  expect(created.status).toBe(201);
  if (Object.keys(answers).length === 0) return created.body;
  const saved = await call<Assessment>("PUT", `/api/v1/assessments/${created.body.id}/answers`, {
    token: user.accessToken,
    body: { answers },
  });
  expect(saved.status).toBe(200);
  return saved.body;
}

async function submit(user: RegisteredUser, id: string, headers: Record<string, string> = {}) {
  const res = await call<Submitted & ErrorBody>("POST", `/api/v1/assessments/${id}/submit`, { token: user.accessToken, headers });
  if (res.status === 202) started.push({ token: user.accessToken, jobId: res.body.job.id });
  return res;
}

afterEach(async () => {
  for (const { token, jobId } of started) await waitForJob(token, jobId);
  started = [];
});

describe("POST /api/v1/assessments/:id/submit", () => {
  it("scores at once (202, analyzing), then the job completes the assessment with an analysis", async () => {
    const assessment = await draft(alice);
    const res = await submit(alice, assessment.id);
    expect(res.status).toBe(202);
    expect(res.body.assessment).toMatchObject({
      id: assessment.id,
      status: "analyzing",
      scores: { wellbeing: 64 },
      analysis: null,
      submittedAt: expect.any(String),
      completedAt: null,
    });
    expect(res.body.job).toMatchObject({ kind: "assessment_analysis", status: "queued", attempts: 0, subjectId: assessment.id });

    const job = await waitForJob(alice.accessToken, res.body.job.id);
    expect(job.status).toBe("succeeded");
    const after = await call<Assessment>("GET", `/api/v1/assessments/${assessment.id}`, { token: alice.accessToken });
    expect(after.body).toMatchObject({ status: "complete", scores: { wellbeing: 64 }, completedAt: expect.any(String) });
    expect(after.body.analysis?.length).toBeGreaterThan(0);
  });

  it("replays the first response for the same Idempotency-Key and starts one job", async () => {
    const assessment = await draft(alice);
    const key = { "Idempotency-Key": crypto.randomUUID() };
    const first = await submit(alice, assessment.id, key);
    const second = await submit(alice, assessment.id, key);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.text).toBe(first.text);
    const { db } = servicesFor(env as unknown as Env);
    const rows = await db.primary.select({ id: jobs.id }).from(jobs).where(eq(jobs.subjectId, assessment.id));
    expect(rows).toHaveLength(1);
  });

  it("returns 409 when the assessment is not a draft", async () => {
    const assessment = await draft(alice);
    expect((await submit(alice, assessment.id)).status).toBe(202);
    const again = await submit(alice, assessment.id);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("conflict");
  });

  it("returns 400 naming each missing required answer", async () => {
    const assessment = await draft(alice, { q1: 3, q2: 4 });
    const res = await submit(alice, assessment.id);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.details?.map((d) => d.path)).toEqual(["answers.q3", "answers.q4", "answers.q5"]);
    const unchanged = await call<Assessment>("GET", `/api/v1/assessments/${assessment.id}`, { token: alice.accessToken });
    expect(unchanged.body.status).toBe("draft");
  });

  it("returns 404 for another user's assessment", async () => {
    const assessment = await draft(bob);
    const res = await submit(alice, assessment.id);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });

  it("returns 400 for an id that is not a UUID, 401 without a token", async () => {
    expect((await submit(alice, "abc")).status).toBe(400);
    const assessment = await draft(alice);
    const res = await call<ErrorBody>("POST", `/api/v1/assessments/${assessment.id}/submit`);
    expect(res.status).toBe(401);
  });
});

async function analyseAgain(user: RegisteredUser, id: string, headers: Record<string, string> = {}) {
  const res = await call<Submitted & ErrorBody>("POST", `/api/v1/assessments/${id}/analysis`, { token: user.accessToken, headers });
  if (res.status === 202) started.push({ token: user.accessToken, jobId: res.body.job.id });
  return res;
}

/** A submitted assessment whose analysis failed (the model refused the request). */
async function failedAnalysis(user: RegisteredUser): Promise<Assessment> {
  const assessment = await draft(user);
  await setFault(testEnv.STANDIN_GEMINI, { scope: scopes.gemini, status: 400 });
  try {
    const res = await submit(user, assessment.id);
    expect(res.status).toBe(202);
    expect(await waitForJob(user.accessToken, res.body.job.id)).toMatchObject({ status: "failed" });
  } finally {
    await clearFaults(testEnv.STANDIN_GEMINI, scopes.gemini);
  }
  const failed = await call<Assessment>("GET", `/api/v1/assessments/${assessment.id}`, { token: user.accessToken });
  expect(failed.body.status).toBe("failed");
  return failed.body;
}

describe("POST /api/v1/assessments/:id/analysis", () => {
  it("runs a failed analysis again: 202 analyzing with a new job, then complete with an analysis", async () => {
    const failed = await failedAnalysis(alice);
    const res = await analyseAgain(alice, failed.id);
    expect(res.status).toBe(202);
    expect(res.headers.get("location")).toBe(`/api/v1/jobs/${res.body.job.id}`);
    expect(res.body.assessment).toMatchObject({ id: failed.id, status: "analyzing", scores: failed.scores });
    expect(res.body.job).toMatchObject({ kind: "assessment_analysis", status: "queued", subjectId: failed.id, attempts: 0 });
    expect(await waitForJob(alice.accessToken, res.body.job.id)).toMatchObject({ status: "succeeded" });
    const done = await call<Assessment>("GET", `/api/v1/assessments/${failed.id}`, { token: alice.accessToken });
    expect(done.body).toMatchObject({ status: "complete", analysis: expect.stringMatching(/\S/) });
  });

  it("replays the first response for the same Idempotency-Key and starts one job", async () => {
    const failed = await failedAnalysis(alice);
    const key = { "Idempotency-Key": crypto.randomUUID() };
    const first = await analyseAgain(alice, failed.id, key);
    const second = await analyseAgain(alice, failed.id, key);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.job.id).toBe(first.body.job.id);
    const rows = await servicesFor(env as unknown as Env).db.primary.select().from(jobs).where(eq(jobs.subjectId, failed.id));
    expect(rows).toHaveLength(2); // the failed one and one new one
  });

  it("returns 409 for a complete analysis and for a draft", async () => {
    const assessment = await draft(alice);
    const submitted = await submit(alice, assessment.id);
    await waitForJob(alice.accessToken, submitted.body.job.id);
    const complete = await analyseAgain(alice, assessment.id);
    expect(complete.status).toBe(409);
    expect(complete.body.error.code).toBe("conflict");
    expect((await analyseAgain(alice, (await draft(alice)).id)).status).toBe(409);
  });

  it("returns 404 for another user's failed analysis, and leaves it failed", async () => {
    const failed = await failedAnalysis(bob);
    const res = await analyseAgain(alice, failed.id);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
    const still = await call<Assessment>("GET", `/api/v1/assessments/${failed.id}`, { token: bob.accessToken });
    expect(still.body.status).toBe("failed");
  });

  it("returns 400 for an id that is not a UUID, 401 without a token", async () => {
    expect((await call("POST", "/api/v1/assessments/42/analysis", { token: alice.accessToken })).status).toBe(400);
    expect((await call("POST", `/api/v1/assessments/${crypto.randomUUID()}/analysis`)).status).toBe(401);
  });
});
