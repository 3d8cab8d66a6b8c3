/**
 * Test helpers for the AI path: requests through the Worker entry with a modified env (a smaller
 * budget, a queue that loses every send), queue deliveries made by hand, and waiting for a job.
 */
import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import type { Env, JobMessage } from "../config.ts";
import { jobs } from "../db/schema.ts";
import worker from "../index.ts";
import { servicesFor } from "../platform/services.ts";
import { call, readResult, testRequest, type CallOptions, type CallResult } from "../testing/http.ts";
import type { Job } from "./service.ts";

export const baseEnv = env as unknown as Env;

/** A queue whose sends vanish: the job rows are written, nothing is delivered. */
export const lostQueue = {
  send: async () => undefined,
  sendBatch: async () => undefined,
} as unknown as Queue<JobMessage>;

/**
 * An env with overrides, under its own key prefix so its budget and limits start at zero.
 *
 * @example
 * const small = envWith({ AI_DAILY_BUDGET: "3" });
 */
export function envWith(overrides: Partial<Env> = {}): Env {
  const prefix = `${String((baseEnv as unknown as { KEY_PREFIX: string }).KEY_PREFIX)}${crypto.randomUUID().slice(0, 8)}:`;
  return { ...baseEnv, KEY_PREFIX: prefix, ...overrides };
}

/** Like `call`, through the Worker's fetch with `target` as its env; waits for its `waitUntil` work. */
export async function callWith<T = unknown>(target: Env, method: string, path: string, options: CallOptions = {}): Promise<CallResult<T>> {
  const ctx = createExecutionContext();
  const result = await readResult<T>(await worker.fetch(testRequest(method, path, options), target, ctx));
  await waitOnExecutionContext(ctx);
  return result;
}

/**
 * Delivers one batch to the Worker's `queue()` by hand and returns what it acked and retried, with
 * each retry's delay (which `getQueueResult` does not report).
 */
export async function deliver(jobIds: string[], options: { queue?: string; attempts?: number; target?: Env } = {}) {
  const batch = createMessageBatch<JobMessage>(
    options.queue ?? "ai-jobs",
    jobIds.map((jobId) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts: options.attempts ?? 1, body: { jobId } })),
  );
  const delays: (number | undefined)[] = [];
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    Object.defineProperty(message, "retry", {
      value: (retryOptions?: QueueRetryOptions) => {
        delays.push(retryOptions?.delaySeconds);
        retry(retryOptions);
      },
    });
  }
  const ctx = createExecutionContext();
  await worker.queue(batch, options.target ?? baseEnv, ctx);
  return { ...(await getQueueResult(batch, ctx)), delays };
}

/** Runs the cron handler once. */
export async function runSweeper(target: Env): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "*/2 * * * *" }), target, ctx);
  await waitOnExecutionContext(ctx);
}

/** The job row as stored (attempts, lease, tokens). */
export async function jobRow(jobId: string) {
  const [row] = await servicesFor(baseEnv).db.primary.select().from(jobs).where(eq(jobs.id, jobId));
  if (!row) throw new Error(`no job ${jobId}`);
  return row;
}

/** Polls GET /jobs/:id until the job is finished (or `until` holds). */
export async function waitForJob(token: string, jobId: string, until: (job: Job) => boolean = (j) => j.status === "succeeded" || j.status === "failed", timeoutMs = 20_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call<Job>("GET", `/api/v1/jobs/${jobId}`, { token });
    if (res.status !== 200) throw new Error(`GET job answered ${res.status}: ${res.text}`);
    if (until(res.body)) return res.body;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${res.body.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
