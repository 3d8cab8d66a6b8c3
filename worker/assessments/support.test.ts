/**
 * Results that need care: a scale's `supportAtOrBelow` (WHO-5's well-being scale: 28) marks a
 * submitted assessment `needsSupport`, and its analysis prompt carries the care instruction.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { receivedPrompts } from "../../local/control.ts";
import type { Env } from "../config.ts";
import { callWith, deliver, envWith, lostQueue } from "../jobs/testing.ts";
import type { Template } from "../templates/schemas.ts";
import { call, testEnv } from "../testing/http.ts";
import { registerAdmin, registerUser, type RegisteredUser } from "../testing/users.ts";
import type { ErrorBody } from "../errors.ts";
import type { Assessment, AssessmentPage } from "./schemas.ts";

const CARE = "IMPORTANT — respond with care.";
let alice: RegisteredUser;

beforeAll(async () => {
  alice = await registerUser();
});

/** A WHO-5 submitted with `raw` item values through an env whose analysis waits for `deliver`. */
async function submitWho5(raw: [number, number, number, number, number], target: Env) {
  const created = await call<Assessment>("POST", "/api/v1/assessments", { token: alice.accessToken, body: { templateSlug: "who-5" } });
  const answers = Object.fromEntries(raw.map((value, i) => [`q${i + 1}`, value]));
  await call("PUT", `/api/v1/assessments/${created.body.id}/answers`, { token: alice.accessToken, body: { answers } });
  return callWith<{ assessment: Assessment; job: { id: string } }>(target, "POST", `/api/v1/assessments/${created.body.id}/submit`, {
    token: alice.accessToken,
  });
}

describe("WHO-5 results and needsSupport", () => {
  it("publishes WHO-5 with its threshold on the well-being scale", async () => {
    const who5 = await call<Template>("GET", "/api/v1/templates/who-5");
    expect(who5.body.scales[0]).toMatchObject({ id: "wellbeing", supportAtOrBelow: 28 });
  });

  it("a score of 28 needs support: in the 202, the assessment, the list, and the analysis prompt", async () => {
    const geminiKey = `care-${crypto.randomUUID()}`;
    const target = envWith({ AI_JOBS: lostQueue, GEMINI_API_KEY: geminiKey });
    const res = await submitWho5([2, 2, 1, 1, 1], target);
    expect(res.status).toBe(202);
    expect(res.body.assessment).toMatchObject({ scores: { wellbeing: 28 }, needsSupport: true, status: "analyzing" });
    // Read through the submit's env: its key prefix is the one whose cached assessment was revised.
    const read = await callWith<Assessment>(target, "GET", `/api/v1/assessments/${res.body.assessment.id}`, { token: alice.accessToken });
    expect(read.body.needsSupport).toBe(true);

    await deliver([res.body.job.id], { target });
    const [prompt] = await receivedPrompts(testEnv.STANDIN_GEMINI, geminiKey);
    expect(prompt?.system).toContain(CARE);
    expect(prompt?.system).toContain("threshold");
    const done = await callWith<Assessment>(target, "GET", `/api/v1/assessments/${res.body.assessment.id}`, { token: alice.accessToken });
    expect(done.body).toMatchObject({ status: "complete", needsSupport: true });
    const list = await callWith<AssessmentPage>(target, "GET", "/api/v1/assessments", { token: alice.accessToken });
    expect(list.body.items.find((a) => a.id === res.body.assessment.id)?.needsSupport).toBe(true);
  });

  it("a score of 32 does not, and its analysis prompt has no care instruction", async () => {
    const geminiKey = `care-${crypto.randomUUID()}`;
    const target = envWith({ AI_JOBS: lostQueue, GEMINI_API_KEY: geminiKey });
    const res = await submitWho5([2, 2, 2, 1, 1], target);
    expect(res.body.assessment).toMatchObject({ scores: { wellbeing: 32 }, needsSupport: false });
    await deliver([res.body.job.id], { target });
    const [prompt] = await receivedPrompts(testEnv.STANDIN_GEMINI, geminiKey);
    expect(prompt?.system).not.toContain(CARE);
    const read = await call<Assessment>("GET", `/api/v1/assessments/${res.body.assessment.id}`, { token: alice.accessToken });
    expect(read.body.needsSupport).toBe(false);
  });

  it("a draft never needs support, whatever its answers so far", async () => {
    const created = await call<Assessment>("POST", "/api/v1/assessments", { token: alice.accessToken, body: { templateSlug: "who-5" } });
    expect(created.body.needsSupport).toBe(false);
    const saved = await call<Assessment>("PUT", `/api/v1/assessments/${created.body.id}/answers`, {
      token: alice.accessToken,
      body: { answers: { q1: 0, q2: 0 } },
    });
    expect(saved.body.needsSupport).toBe(false);
  });
});

describe("supportAtOrBelow in template administration", () => {
  let admin: RegisteredUser;
  beforeAll(async () => {
    admin = await registerAdmin();
  });
  const content = (threshold: unknown) => ({
    slug: `care-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`,
    title: "Mood check",
    description: "One question.",
    estimatedMinutes: 1,
    questions: [{ id: "mood", text: "My mood was good.", type: "likert", min: 0, max: 10 }],
    scales: [{ id: "mood", name: "Mood", items: [{ questionId: "mood", reverse: false }], supportAtOrBelow: threshold }],
  });

  it("keeps the threshold an admin sets, and marks a result at it", async () => {
    const created = await call<Template>("POST", "/api/v1/templates", { token: admin.accessToken, body: content(3) });
    expect(created.status).toBe(201);
    expect(created.body.scales[0]?.supportAtOrBelow).toBe(3);
    const draft = await call<Assessment>("POST", "/api/v1/assessments", { token: alice.accessToken, body: { templateSlug: created.body.slug } });
    await call("PUT", `/api/v1/assessments/${draft.body.id}/answers`, { token: alice.accessToken, body: { answers: { mood: 3 } } });
    const submitted = await callWith<{ assessment: Assessment }>(envWith({ AI_JOBS: lostQueue }), "POST", `/api/v1/assessments/${draft.body.id}/submit`, {
      token: alice.accessToken,
    });
    expect(submitted.body.assessment).toMatchObject({ scores: { mood: 3 }, needsSupport: true });
  });

  it("refuses a threshold that is not a number (400, naming it)", async () => {
    const res = await call<ErrorBody>("POST", "/api/v1/templates", { token: admin.accessToken, body: content("low") });
    expect(res.status).toBe(400);
    expect(res.body.error.details?.map((d) => d.path)).toContain("scales.0.supportAtOrBelow");
  });
});
