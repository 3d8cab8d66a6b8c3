/**
 * Jobs as the API shows them, and what features need to start one: the row to insert (its id is
 * made in the request, before anything is enqueued) and the queue send after the batch commits.
 */
import { z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { Services } from "../context.ts";
import { jobs } from "../db/schema.ts";
import type { Db } from "../platform/db.ts";
import { newId } from "../platform/ids.ts";
import { errorFields, type Logger } from "../platform/log.ts";

export const JobSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(["assessment_analysis", "chat_reply"]),
    status: z.enum(["queued", "running", "succeeded", "failed"]),
    attempts: z.number().int().min(0),
    error: z.string().nullable().openapi({ description: "Why the job failed, in words fit for the user" }),
    subjectId: z.uuid().openapi({ description: "The assessment or the assistant message the job fills in" }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Job");

export type Job = z.infer<typeof JobSchema>;
export type JobRow = typeof jobs.$inferSelect;
export type JobKind = JobRow["kind"];

export const TERMINAL_STATUSES: ReadonlySet<Job["status"]> = new Set(["succeeded", "failed"]);

export function toJob(row: Pick<JobRow, "id" | "kind" | "status" | "attempts" | "error" | "subjectId" | "createdAt" | "updatedAt">): Job {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    attempts: row.attempts,
    error: row.error,
    subjectId: row.subjectId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A new queued job: the row for the request's batch and the Job the response shows. */
export function newJob(userId: string, kind: JobKind, subjectId: string, now: Date): { row: JobRow; job: Job } {
  const row: JobRow = {
    id: newId(now.getTime()),
    userId,
    kind,
    status: "queued",
    subjectId,
    attempts: 0,
    error: null,
    model: null,
    promptTokens: null,
    outputTokens: null,
    leaseExpiresAt: null,
    deadLettered: false,
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
  };
  return { row, job: toJob(row) };
}

/** The caller's job, or undefined (someone else's job is as absent as a missing one). */
export async function findOwnedJob(db: Db, userId: string, jobId: string): Promise<JobRow | undefined> {
  const [row] = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.id, jobId), eq(jobs.userId, userId)))
    .limit(1);
  return row;
}

/**
 * Hands a committed job to the queue. A failed send is logged, not thrown: the job row is already
 * written, and the sweeper re-enqueues jobs left queued (transactional outbox).
 */
export async function enqueueJob(services: Services, logger: Logger, jobId: string): Promise<void> {
  try {
    await services.env.AI_JOBS.send({ jobId });
  } catch (err) {
    logger.warn("job enqueue failed; the sweeper will re-enqueue it", { jobId, ...errorFields(err) });
  }
}
