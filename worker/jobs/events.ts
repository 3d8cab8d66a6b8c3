/**
 * Job status by push (docs/ARCHITECTURE.md, "Job status by push"). The consumer publishes a job's
 * status on the job's channel when it claims it and when it ends; `/jobs/:id/events` subscribes
 * FIRST, then reads the job once (the current state, and an immediate close when it has already
 * ended), then forwards what is published. A publish can be lost (Upstash unreachable, a
 * subscription that never confirmed): when nothing final arrived by AI_EVENTS_MAX_SECONDS, the
 * stream reads the job once more, sends it if it changed, and closes; the client reconnects.
 */
import type { SSEStreamingApi } from "hono/streaming";
import type { Config } from "../config.ts";
import type { Services } from "../context.ts";
import { publish, subscribe, type Subscription } from "../platform/pubsub.ts";
import { keyOf } from "../platform/redis.ts";
import { findOwnedJob, JobSchema, TERMINAL_STATUSES, toJob, type Job } from "./service.ts";

const HEARTBEAT_MS = 15_000;
/** How long a stream waits for Upstash to confirm its subscription before reading the job anyway. */
const SUBSCRIBE_WAIT_MS = 2_000;

export function jobChannel(config: Config, jobId: string): string {
  return keyOf(config, "job", jobId);
}

/** Tells the job's watchers its new status; never throws (a lost publish is the stream's to recover). */
export function publishJobStatus(services: Pick<Services, "redis" | "config" | "logger">, job: Job): Promise<void> {
  return publish(services.redis, services.logger, jobChannel(services.config, job.id), job);
}

/** The caller's job as the API shows it, or undefined (another user's job is as absent as a missing one). */
async function readJob(services: Services, userId: string, jobId: string): Promise<Job | undefined> {
  const row = await findOwnedJob(services.db.primary, userId, jobId);
  return row && toJob(row);
}

export interface JobWatch {
  /** The job when the watch started (undefined: not the caller's, or gone). */
  first: Job | undefined;
  subscription: Subscription;
}

/** Subscribes, then reads the job: anything published after the read is sure to arrive. */
export async function startJobWatch(services: Services, userId: string, jobId: string): Promise<JobWatch> {
  const subscription = subscribe(services.redis, jobChannel(services.config, jobId));
  try {
    await subscription.ready(SUBSCRIBE_WAIT_MS);
    return { first: await readJob(services, userId, jobId), subscription };
  } catch (err) {
    await subscription.close();
    throw err;
  }
}

const newer = (a: Job, b: Job) => a.status !== b.status || a.attempts !== b.attempts;

function published(message: unknown, jobId: string): Job | undefined {
  const parsed = JobSchema.safeParse(message);
  return parsed.success && parsed.data.id === jobId ? parsed.data : undefined;
}

/**
 * Writes one `status` event per change, from `first` to a terminal status, and closes. Database
 * reads: none while messages arrive; one when AI_EVENTS_MAX_SECONDS pass without a final one.
 */
export async function streamJobStatus(stream: SSEStreamingApi, services: Services, userId: string, watch: JobWatch & { first: Job }): Promise<void> {
  const { subscription } = watch;
  const send = (job: Job) => stream.writeSSE({ event: "status", id: `${job.status}.${job.attempts}`, data: JSON.stringify(job) });
  const deadline = Date.now() + services.config.AI_EVENTS_MAX_SECONDS * 1000;
  let last = watch.first;
  try {
    await send(last);
    while (!TERMINAL_STATUSES.has(last.status) && !stream.aborted) {
      const left = deadline - Date.now();
      if (left <= 0) {
        const current = await readJob(services, userId, last.id);
        if (current && newer(current, last)) await send(current);
        return;
      }
      const job = published(await subscription.next(Math.min(left, HEARTBEAT_MS)), last.id);
      if (job && newer(job, last)) {
        await send(job);
        last = job;
      } else if (!job && Date.now() < deadline) {
        await stream.write(": keep-alive\n\n");
      }
    }
  } finally {
    await subscription.close();
  }
}
