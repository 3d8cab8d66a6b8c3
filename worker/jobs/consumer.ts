/**
 * The queue consumer. `ai-jobs` messages run their job (claim, budget, model, finish); each message
 * is acked or retried on its own, with exponential backoff and jitter. Messages the queue gave up
 * on arrive from the dead-letter queue and fail their job with a message the user can read.
 */
import type { SQL } from "drizzle-orm";
import { aiFailureMessage, AiError, generate } from "../ai/gemini.ts";
import type { Config, Env, JobMessage } from "../config.ts";
import type { Services } from "../context.ts";
import { errorFields } from "../platform/log.ts";
import { callWasReserved, spendModelCall, type Defer } from "../platform/quota.ts";
import { servicesFor } from "../platform/services.ts";
import { forgetAssessment } from "../assessments/service.ts";
import { claimJob, deferJob, failAbandonedJob, failJob, requeueJob, succeedJob, type FinishedJob } from "./lifecycle.ts";
import { newMetrics, withMetrics } from "../platform/metrics.ts";
import { answerEffect, prepareTask } from "./tasks.ts";
import { safetyBlockedReply } from "../support/care.ts";
import { modelCallRecord } from "./accounting.ts";
import { publishJobStatus } from "./events.ts";
import { toJob } from "./service.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_DELAY_SECONDS = 12 * 60 * 60; // the queue's limit for a retry delay

/** What to do with the message: done (ack), or deliver it again after a delay. */
export type JobOutcome = { done: true } | { done: false; retryAfterSeconds: number };

const done: JobOutcome = { done: true };
const later = (seconds: number): JobOutcome => ({ done: false, retryAfterSeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, seconds)) });

/** A claim outlives the model call it covers; past it, the job is presumed abandoned. */
export function leaseSeconds(config: Config): number {
  return Math.ceil(config.AI_MODEL_TIMEOUT_MS / 1000) + 60;
}

/** Exponential backoff with jitter: attempt n waits between half and all of base × 2^(n-1). */
export function backoffSeconds(config: Config, attempt: number): number {
  const ceiling = Math.min(15 * 60, config.AI_RETRY_BASE_SECONDS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** The first attempt asks the primary model; retries alternate, so a failing primary does not stall work. */
export function modelFor(config: Config, attempt: number): string {
  return attempt % 2 === 1 ? config.GEMINI_MODEL : config.GEMINI_FALLBACK_MODEL;
}

/** After a job ends: an analysis changed an assessment the owner may have cached; watchers hear the end. */
async function settled(services: Services, finished: FinishedJob | undefined): Promise<FinishedJob | undefined> {
  if (finished?.kind === "assessment_analysis") await forgetAssessment(services, finished.userId, finished.job.subjectId);
  if (finished) await publishJobStatus(services, finished.job);
  return finished;
}

/**
 * Runs one delivery of a job. Throws only when the database or cache failed around it. `defer`
 * takes work that may outlive the delivery (usage alerts).
 */
export async function runJob(services: Services, jobId: string, defer: Defer = () => undefined): Promise<JobOutcome> {
  const { config, db } = services;
  const job = await claimJob(db.primary, jobId, leaseSeconds(config));
  if (!job) return done; // a duplicate delivery, a finished job, or one someone else holds
  const logger = services.logger.child({ jobId, kind: job.kind, attempt: job.attempts });
  // Accounting: once the model is asked, the transition that follows records the call (./accounting.ts).
  let modelCall: SQL[] = [];
  try {
    // Watchers see `running` while the task is prepared (jobs/events.ts).
    const [task] = await Promise.all([prepareTask(db.primary, job), publishJobStatus(services, toJob(job))]);
    if ("gone" in task) {
      await settled(services, await failJob(db.primary, job, task.gone));
      logger.info("job subject gone", { reason: task.gone });
      return done;
    }
    if (!callWasReserved(job.createdAt, job.attempts)) {
      const permit = await spendModelCall(services, job.userId, defer);
      if (!permit.ok) {
        await deferJob(db.primary, job, permit.retryAfterSeconds);
        logger.warn("daily AI budget spent; job waits for the reset", { retryAfterSeconds: permit.retryAfterSeconds });
        return later(permit.retryAfterSeconds + 1);
      }
    }
    const model = modelFor(config, job.attempts);
    modelCall = [modelCallRecord(job, model)];
    const answer = await generate(config, model, task.prompt);
    modelCall = [modelCallRecord(job, model, answer)];
    // Blocked for safety: the job still succeeds, with a fixed caring reply (docs/SUPPORT.md).
    const text = answer.safetyBlock ? safetyBlockedReply(job.kind) : answer.text;
    const finished = await settled(services, await succeedJob(db.primary, job, answer, answerEffect(job, text), modelCall));
    logger.info(finished ? "job succeeded" : "job finished elsewhere", {
      safetyBlock: answer.safetyBlock,
      model: answer.model,
      promptTokens: answer.promptTokens,
      outputTokens: answer.outputTokens,
    });
    return done;
  } catch (err) {
    const failure = err instanceof AiError ? err : undefined;
    logger.warn("job attempt failed", { failure: failure?.failure, ...errorFields(err) });
    if (failure && !failure.retryable) {
      await settled(services, await failJob(db.primary, job, failure.userMessage, modelCall));
      return done;
    }
    if (job.attempts >= config.AI_MAX_ATTEMPTS) {
      await settled(services, await failJob(db.primary, job, failure?.userMessage ?? aiFailureMessage("unavailable"), modelCall));
      return done;
    }
    await requeueJob(db.primary, job, modelCall);
    return later(backoffSeconds(config, job.attempts));
  }
}

/** The message a job gets when the queue gave up on it. */
export const ABANDONED_MESSAGE = "The AI could not finish this in time. Please try again.";

function jobIdOf(message: Message<unknown>): string | undefined {
  const body = message.body;
  if (body && typeof body === "object" && "jobId" in body && typeof body.jobId === "string" && UUID.test(body.jobId)) {
    return body.jobId;
  }
  return undefined;
}

async function consume(services: Services, message: Message<unknown>, run: (jobId: string) => Promise<JobOutcome>): Promise<void> {
  const jobId = jobIdOf(message);
  if (!jobId) {
    services.logger.error("dropping a queue message without a job id", { messageId: message.id });
    message.ack();
    return;
  }
  try {
    const outcome = await run(jobId);
    if (outcome.done) message.ack();
    else message.retry({ delaySeconds: outcome.retryAfterSeconds });
  } catch (err) {
    // The claim may have committed even if its answer was lost: come back once its lease is over.
    services.logger.error("job delivery failed", { jobId, messageId: message.id, ...errorFields(err) });
    message.retry({ delaySeconds: leaseSeconds(services.config) });
  }
}

/**
 * The Worker's `queue()` handler, for `ai-jobs` and its dead-letter queue.
 *
 * @example
 * export default { fetch: app.fetch, queue: handleJobBatch };
 */
export async function handleJobBatch(batch: MessageBatch<JobMessage>, env: Env, ctx?: ExecutionContext): Promise<void> {
  const services = servicesFor(env);
  const defer: Defer = (work) => ctx?.waitUntil(work);
  const deadLetters = batch.queue.endsWith("-dlq");
  await Promise.all(
    // Each message gets its own measurement scope: its round trips are counted (and its Redis
    // commands merged) apart from every other message and request in this isolate.
    batch.messages.map((message) =>
      withMetrics(newMetrics(), () =>
        consume(services, message, async (jobId) => {
          if (!deadLetters) return runJob(services, jobId, defer);
          const failed = await settled(services, await failAbandonedJob(services.db.primary, jobId, ABANDONED_MESSAGE));
          services.logger.warn("dead-lettered job", { jobId, failed: failed !== undefined });
          return done;
        }),
      ),
    ),
  );
}
