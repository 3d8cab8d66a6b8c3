/**
 * POST /assessments/:id/submit: the scores are computed now and the assessment turns `analyzing`;
 * the AI's analysis is written by a background job (see jobs/start.ts for the admission, the
 * idempotency and the one write batch). POST /assessments/:id/analysis runs that job again for an
 * assessment whose analysis failed, through the same admission.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { sql, type SQL } from "drizzle-orm";
import type { Context } from "hono";
import type { AppEnv } from "../context.ts";
import { bearerSecurity, principalOf, requireAuth } from "../auth/middleware.ts";
import { ApiError } from "../errors.ts";
import { IdempotencyHeaders } from "../http/idempotency.ts";
import { createRouter, errorResponses, errorsFor, IdParam, jsonResponse } from "../http/openapi.ts";
import { requestCache } from "../platform/cache.ts";
import type { Db } from "../platform/db.ts";
import { JobSchema, newJob } from "../jobs/service.ts";
import { startAiWork, type WorkPlan } from "../jobs/start.ts";
import { AssessmentSchema } from "./schemas.ts";
import {
  loadOwnedAssessment,
  missingRequiredAnswers,
  reviseAssessmentCache,
  scoreAnswers,
  scoresNeedSupport,
  toAssessment,
  type OwnedAssessment,
} from "./service.ts";

export const SubmittedSchema = z
  .object({ assessment: AssessmentSchema, job: JobSchema.openapi({ description: "Writes the analysis" }) })
  .openapi("AssessmentSubmitted");

type Submitted = z.infer<typeof SubmittedSchema>;

/**
 * Checks the draft and plans its submission: one statement that moves it to `analyzing` with its
 * scores (only if it is still the caller's draft with the very answers scored here) and queues the
 * analysis job.
 */
export function planSubmission(db: Db, userId: string, owned: OwnedAssessment | undefined): WorkPlan<Submitted> {
  if (!owned) throw new ApiError("not_found", "Assessment not found");
  const { assessment, template } = owned;
  if (assessment.status !== "draft") {
    throw new ApiError("conflict", `Only a draft can be submitted (this assessment is ${assessment.status})`);
  }
  const missing = missingRequiredAnswers(template.questions, assessment.answers);
  if (missing.length > 0) {
    throw new ApiError("validation_failed", "Some required questions are not answered", {
      details: missing.map((id) => ({ path: `answers.${id}`, message: "Required" })),
    });
  }
  const scores = scoreAnswers(template.questions, template.scales, assessment.answers);
  const needsSupport = scoresNeedSupport(template.scales, scores);
  const now = new Date();
  const { row: job, job: jobBody } = newJob(userId, "assessment_analysis", assessment.id, now);
  const submitted = { ...assessment, status: "analyzing" as const, scores, needsSupport, submittedAt: now, updatedAt: now };
  const at = sql`${now.toISOString()}::timestamptz`;
  const statements = (keyFree: SQL) => [
    db.execute(sql`
      with submitted as (
        update assessments
        set status = 'analyzing', scores = ${JSON.stringify(scores)}::jsonb, needs_support = ${needsSupport}, submitted_at = ${at}, updated_at = ${at}
        where id = ${assessment.id} and user_id = ${userId} and status = 'draft'
          and answers = ${JSON.stringify(assessment.answers)}::jsonb and ${keyFree}
        returning id
      )
      insert into jobs (id, user_id, kind, status, subject_id, attempts, created_at, updated_at)
      select ${job.id}::uuid, ${userId}::uuid, 'assessment_analysis', 'queued', id, 0, ${at}, ${at} from submitted`),
  ];
  return { job, body: { assessment: toAssessment(submitted), job: jobBody }, subject: { assessmentId: assessment.id }, statements };
}

/**
 * Checks that the analysis failed and plans another: one statement that moves the assessment back
 * to `analyzing` (only if it is still the caller's and still failed) and queues a new job.
 */
export function planReanalysis(db: Db, userId: string, owned: OwnedAssessment | undefined): WorkPlan<Submitted> {
  if (!owned) throw new ApiError("not_found", "Assessment not found");
  const { assessment } = owned;
  if (assessment.status !== "failed") {
    throw new ApiError("conflict", `Only a failed analysis can be run again (this assessment is ${assessment.status})`);
  }
  const now = new Date();
  const { row: job, job: jobBody } = newJob(userId, "assessment_analysis", assessment.id, now);
  const at = sql`${now.toISOString()}::timestamptz`;
  const statements = (keyFree: SQL) => [
    db.execute(sql`
      with again as (
        update assessments set status = 'analyzing', updated_at = ${at}
        where id = ${assessment.id} and user_id = ${userId} and status = 'failed' and ${keyFree}
        returning id
      )
      insert into jobs (id, user_id, kind, status, subject_id, attempts, created_at, updated_at)
      select ${job.id}::uuid, ${userId}::uuid, 'assessment_analysis', 'queued', id, 0, ${at}, ${at} from again`),
  ];
  const body = { assessment: toAssessment({ ...assessment, status: "analyzing", updatedAt: now }), job: jobBody };
  return { job, body, subject: { assessmentId: assessment.id }, statements };
}

const quotaRefusal = {
  ...errorResponses[429],
  description: "`rate_limited` (your hourly or daily AI limit, or your address's daily one) or `ai_quota_exhausted` (today's quota); `Retry-After` set",
};

type PlanAnalysis = (db: Db, userId: string, owned: OwnedAssessment | undefined) => WorkPlan<Submitted>;

/** Starts an assessment's analysis job (a submission, or a re-run) and revises the cached assessment. */
async function startAnalysis(c: Context<AppEnv>, id: string, idempotencyKey: string | undefined, plan: PlanAnalysis, changed: string): Promise<Submitted> {
  const { userId } = principalOf(c);
  const { db, config } = c.get("services");
  const accepted = await startAiWork(c, {
    userId,
    idempotencyKey,
    requestBody: null,
    preload: () => loadOwnedAssessment(db.primary, userId, id),
    plan: (owned) => plan(db.primary, userId, owned),
    notWritten: () => new ApiError("conflict", changed),
  });
  await reviseAssessmentCache(requestCache(c), config, userId, id, accepted.assessment);
  return accepted;
}

export const submitRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/assessments/{id}/submit",
      tags: ["Assessments"],
      summary: "Submit a draft: scores now, the AI's analysis by a background job",
      description:
        "Answers 202 with the assessment (status `analyzing`, scores set) and the job that writes the analysis; the " +
        "assessment becomes `complete` (or `failed`) when it finishes. Counts towards your hourly AI limit and the global " +
        "daily AI quota. With `Idempotency-Key`, a repeat within 24 h returns the first response and starts nothing.",
      security: bearerSecurity,
      middleware: [requireAuth],
      request: { params: IdParam, headers: IdempotencyHeaders },
      responses: {
        202: jsonResponse(SubmittedSchema, "Accepted: scored, analysis pending"),
        400: { ...errorResponses[400], description: "A required answer is missing (`details` lists each), or a bad id" },
        ...errorsFor(401, 404),
        409: { ...errorResponses[409], description: "Not a draft, or the Idempotency-Key was used with a different request" },
        429: quotaRefusal,
        503: errorResponses[503],
      },
    }),
    async (c) => {
      const accepted = await startAnalysis(c, c.req.valid("param").id, c.req.valid("header")["idempotency-key"], planSubmission, "The assessment changed while it was being submitted; try again");
      return c.json(accepted, 202);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/assessments/{id}/analysis",
      tags: ["Assessments"],
      summary: "Run the AI's analysis again, after it failed",
      description:
        "For a submitted assessment whose analysis `failed`: answers 202 with the assessment (status `analyzing` again) and " +
        "the new job. The same AI quotas as submit apply. With `Idempotency-Key`, a repeat within 24 h returns the first " +
        "response and starts nothing.",
      security: bearerSecurity,
      middleware: [requireAuth],
      request: { params: IdParam, headers: IdempotencyHeaders },
      responses: {
        202: jsonResponse(SubmittedSchema, "Accepted: the analysis runs again"),
        ...errorsFor(400, 401, 404),
        409: { ...errorResponses[409], description: "The analysis did not fail (a draft, still analyzing, or complete), or the Idempotency-Key was used with a different request" },
        429: quotaRefusal,
        503: errorResponses[503],
      },
    }),
    async (c) => {
      const accepted = await startAnalysis(c, c.req.valid("param").id, c.req.valid("header")["idempotency-key"], planReanalysis, "The assessment changed meanwhile; reload it and try again");
      return c.json(accepted, 202);
    },
  );
