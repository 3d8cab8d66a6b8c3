/**
 * Accounting of model calls: each call an attempt makes becomes one `model_calls` row, written in
 * the same statement as the job transition that follows it (lifecycle.ts's CTE `done`), so a call
 * is recorded exactly when its outcome is, and a stale claimant (fenced out) records nothing.
 */
import { sql, type SQL } from "drizzle-orm";
import type { AiAnswer } from "../ai/gemini.ts";
import { newId } from "../platform/ids.ts";
import type { JobRow } from "./service.ts";

/**
 * The record of this attempt's call to `model`: answered with `answer`'s token usage, or failed
 * (no answer) when `answer` is undefined.
 *
 * @example
 * await succeedJob(db, job, answer, effect, [modelCallRecord(job, answer.model, answer)]);
 */
export function modelCallRecord(job: JobRow, model: string, answer?: AiAnswer): SQL {
  return sql`insert into model_calls (id, job_id, user_id, model, attempt, answered, input_tokens, output_tokens)
             select ${newId()}, ${job.id}, ${job.userId}, ${model}, ${job.attempts}, ${answer !== undefined},
                    ${answer?.promptTokens ?? null}, ${answer?.outputTokens ?? null}
             from done returning id`;
}
