/**
 * The outbox sweeper (cron): a job whose queue send was lost after its batch committed, or whose
 * consumer died mid-attempt, is re-enqueued once it has been untouched for AI_SWEEP_AFTER_SECONDS.
 * Re-sending is always safe: a delivery only runs a job it can claim. The same run (the same
 * round trip) drops expired idempotency records and refresh tokens past their idle or absolute
 * expiry, which can never be used again: a reuse of one is a plain 401 once it is gone.
 */
import { lt, or, sql } from "drizzle-orm";
import type { Env } from "../config.ts";
import type { Services } from "../context.ts";
import { idempotencyKeys, refreshTokens } from "../db/schema.ts";
import { errorFields } from "../platform/log.ts";
import { servicesFor } from "../platform/services.ts";

/** At most this many jobs per run (one `sendBatch`); the next run takes the rest. */
const SWEEP_LIMIT = 100;

export interface SweepReport {
  requeued: string[];
  expiredKeys: number;
  expiredRefreshTokens: number;
}

/** Finds stranded jobs (via `jobs_unfinished_idx`), marks them touched, and sends them again. */
export async function sweepJobs(services: Services): Promise<SweepReport> {
  const { db, config } = services;
  const [stranded, expired, expiredTokens] = await db.primary.batch([
    db.primary.execute<{ id: string }>(sql`
      update jobs set updated_at = now()
      where id in (
        select id from jobs
        where status in ('queued', 'running')
          and updated_at < now() - make_interval(secs => ${config.AI_SWEEP_AFTER_SECONDS})
          and (lease_expires_at is null or lease_expires_at <= now())
        order by updated_at
        limit ${SWEEP_LIMIT}
        for update skip locked)
      returning id`),
    db.primary.delete(idempotencyKeys).where(lt(idempotencyKeys.expiresAt, sql`now()`)),
    db.primary
      .delete(refreshTokens)
      .where(or(lt(refreshTokens.expiresAt, sql`now()`), lt(refreshTokens.familyExpiresAt, sql`now()`))),
  ]);
  const requeued = stranded.rows.map((row) => row.id);
  if (requeued.length > 0) {
    await services.env.AI_JOBS.sendBatch(requeued.map((jobId) => ({ body: { jobId } })));
    services.logger.warn("re-enqueued stranded jobs", { count: requeued.length, jobIds: requeued });
  }
  return { requeued, expiredKeys: expired.rowCount ?? 0, expiredRefreshTokens: expiredTokens.rowCount ?? 0 };
}

/**
 * The Worker's `scheduled()` handler.
 *
 * @example
 * export default { fetch: app.fetch, scheduled: handleSchedule };
 */
export async function handleSchedule(_controller: ScheduledController, env: Env, _ctx?: ExecutionContext): Promise<void> {
  const services = servicesFor(env);
  try {
    await sweepJobs(services);
  } catch (err) {
    services.logger.error("job sweep failed", errorFields(err));
    throw err;
  }
}
