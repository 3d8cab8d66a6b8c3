/**
 * The job state machine, in SQL. Every transition is one conditional statement, so concurrent
 * consumers, duplicate deliveries, the sweeper and the dead-letter queue can race without a lock:
 *
 *   queued ──claim──► running ──finish──► succeeded | failed
 *     ▲                 │
 *     └──requeue/defer──┘   (a retryable failure, or the daily budget is spent)
 *
 * A claim bumps `attempts`, which then fences the claimant's later writes: if its lease ran out and
 * another delivery claimed the job, the stale claimant's finish matches nothing. A job's effect
 * (the reply, the analysis) is written in the same statement as its terminal status, so it happens
 * exactly once.
 */
import { and, eq, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import { jobs } from "../db/schema.ts";
import type { Db } from "../platform/db.ts";
import { toJob, type Job, type JobRow } from "./service.ts";

const now = sql`now()`;
const inSeconds = (seconds: number) => sql`now() + make_interval(secs => ${seconds})`;

/** Claimable: queued and not waiting for a moment, or running past its lease (a crashed consumer). */
export const claimable = or(
  and(eq(jobs.status, "queued"), or(isNull(jobs.leaseExpiresAt), lte(jobs.leaseExpiresAt, now))),
  and(eq(jobs.status, "running"), lte(jobs.leaseExpiresAt, now)),
);

/** Takes the job for one attempt; undefined when it is not claimable (finished, or someone holds it). */
export async function claimJob(db: Db, jobId: string, leaseSeconds: number): Promise<JobRow | undefined> {
  const [row] = await db
    .update(jobs)
    .set({
      status: "running",
      attempts: sql`${jobs.attempts} + 1`,
      leaseExpiresAt: inSeconds(leaseSeconds),
      updatedAt: now,
    })
    .where(and(eq(jobs.id, jobId), claimable))
    .returning();
  return row;
}

const heldBy = (job: JobRow) => and(eq(jobs.id, job.id), eq(jobs.status, "running"), eq(jobs.attempts, job.attempts));

/** Back to the queue after a retryable failure; the attempt counts. `also`: statements reading `done` (accounting). */
export async function requeueJob(db: Db, job: JobRow, also: SQL[] = []): Promise<void> {
  await transition(db, fenceOf(job), sql`status = 'queued', lease_expires_at = null`, also);
}

/**
 * Back to the queue until the daily budget resets; the attempt made no model call, so it does not
 * count, and the lease keeps the sweeper and duplicate deliveries away until then.
 */
export async function deferJob(db: Db, job: JobRow, seconds: number): Promise<void> {
  await db
    .update(jobs)
    .set({ status: "queued", attempts: sql`${jobs.attempts} - 1`, leaseExpiresAt: inSeconds(seconds), updatedAt: now })
    .where(heldBy(job));
}

export interface JobAnswer {
  text: string;
  model: string;
  promptTokens: number | null;
  outputTokens: number | null;
}

/** The job a finish ended: whose it was, what kind, and its final state (for the cache and its watchers). */
export interface FinishedJob {
  userId: string;
  kind: JobRow["kind"];
  job: Job;
}

type FinishedRow = {
  id: string;
  user_id: string;
  kind: JobRow["kind"];
  status: JobRow["status"];
  attempts: number | string;
  error: string | null;
  subject_id: string;
  created_at: string;
  updated_at: string;
};

/**
 * Moves a job and applies its effects in one statement. Each effect is a statement that reads the
 * moved job from the CTE `done` (`where id in (select subject_id from done)`, `... from done`);
 * data-modifying CTEs always run. Resolves to the moved job, or undefined if the fence matched nothing.
 */
async function transition(db: Db, fence: SQL, set: SQL, effects: SQL[]): Promise<FinishedJob | undefined> {
  const ctes = effects.map((effect, i) => sql`, ${sql.identifier(`effect_${i}`)} as (${effect})`);
  // Timestamps as JSON text (ISO 8601), the same on every driver.
  const result = await db.execute<FinishedRow>(sql`
    with done as (update jobs set ${set}, updated_at = now()
                  where ${fence} returning id, subject_id, user_id, kind, status, attempts, error, created_at, updated_at)
    ${sql.join(ctes)}
    select id, user_id, kind, status, attempts, error, subject_id,
           to_json(created_at) #>> '{}' as created_at, to_json(updated_at) #>> '{}' as updated_at
    from done`);
  const row = result.rows[0];
  if (!row) return undefined;
  const job = toJob({
    id: row.id,
    kind: row.kind,
    status: row.status,
    attempts: Number(row.attempts),
    error: row.error,
    subjectId: row.subject_id,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  });
  return { userId: row.user_id, kind: row.kind, job };
}

/** Ends a job (a terminal status) and applies its effects in the same statement. */
function finish(db: Db, fence: SQL, set: SQL, effects: SQL[]): Promise<FinishedJob | undefined> {
  return transition(db, fence, sql`${set}, lease_expires_at = null, finished_at = now()`, effects);
}

const fenceOf = (job: JobRow) => sql`id = ${job.id} and status = 'running' and attempts = ${job.attempts}`;

/** A failed job's subject fails too: the pending reply or the analyzing assessment (ids are unique across both). */
function failSubject(error: string): SQL[] {
  return [
    sql`update messages set status = 'failed', error = ${error}, updated_at = now()
        where id in (select subject_id from done) and status = 'pending' returning id`,
    sql`update assessments set status = 'failed', updated_at = now()
        where id in (select subject_id from done) and status = 'analyzing' returning id`,
  ];
}

export function succeedJob(db: Db, job: JobRow, answer: JobAnswer, effect: SQL, also: SQL[] = []): Promise<FinishedJob | undefined> {
  const set = sql`status = 'succeeded', error = null, model = ${answer.model},
                  prompt_tokens = ${answer.promptTokens}, output_tokens = ${answer.outputTokens}`;
  return finish(db, fenceOf(job), set, [effect, ...also]);
}

export function failJob(db: Db, job: JobRow, error: string, also: SQL[] = []): Promise<FinishedJob | undefined> {
  return finish(db, fenceOf(job), sql`status = 'failed', error = ${error}`, [...failSubject(error), ...also]);
}

/**
 * Fails a job the queue gave up on, unless someone still works on it (a live lease) or it waits
 * for the budget: those finish or come back on their own.
 */
export function failAbandonedJob(db: Db, jobId: string, error: string): Promise<FinishedJob | undefined> {
  const fence = sql`id = ${jobId} and ((status = 'queued' and (lease_expires_at is null or lease_expires_at <= now()))
                    or (status = 'running' and lease_expires_at <= now()))`;
  return finish(db, fence, sql`status = 'failed', error = ${error}, dead_lettered = true`, failSubject(error));
}
