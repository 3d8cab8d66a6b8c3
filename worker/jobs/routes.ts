/** Jobs (API.md "Jobs"): a job's state, polled or streamed as server-sent events. Own jobs only. */
import { createRoute, z } from "@hono/zod-openapi";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import { bearerSecurity, principalOf, requireAuth } from "../auth/middleware.ts";
import type { Services } from "../context.ts";
import { ApiError } from "../errors.ts";
import { cacheControl, sendJsonWithEtag } from "../http/etag.ts";
import { createRouter, errorsFor, IdParam, jsonResponse } from "../http/openapi.ts";
import { findOwnedJob, JobSchema, TERMINAL_STATUSES, toJob, type Job } from "./service.ts";

const HEARTBEAT_MS = 15_000;

async function ownedJob(services: Services, userId: string, jobId: string): Promise<Job> {
  const row = await findOwnedJob(services.db.primary, userId, jobId);
  if (!row) throw new ApiError("not_found", "Job not found");
  return toJob(row);
}

/**
 * Polls the job row and writes one `status` event per status change; ends after a terminal status
 * or AI_EVENTS_MAX_SECONDS (the client reconnects and gets the current status first).
 */
async function streamStatus(stream: SSEStreamingApi, services: Services, userId: string, first: Job): Promise<void> {
  const { AI_EVENTS_POLL_MS: pollMs, AI_EVENTS_MAX_SECONDS: maxSeconds } = services.config;
  const send = (job: Job) => stream.writeSSE({ event: "status", id: `${job.status}.${job.attempts}`, data: JSON.stringify(job), retry: pollMs * 2 });
  const deadline = Date.now() + maxSeconds * 1000;
  let last = first;
  let quietSince = Date.now();
  await send(last);
  while (!TERMINAL_STATUSES.has(last.status) && Date.now() < deadline && !stream.aborted) {
    await stream.sleep(pollMs);
    const row = await findOwnedJob(services.db.primary, userId, last.id);
    if (!row) break; // deleted with its owner or subject
    const job = toJob(row);
    if (job.status !== last.status) {
      await send(job);
      last = job;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= HEARTBEAT_MS) {
      await stream.write(": keep-alive\n\n");
      quietSince = Date.now();
    }
  }
}

const getJob = createRoute({
  method: "get",
  path: "/jobs/{id}",
  tags: ["Jobs"],
  summary: "A job's status (poll until succeeded or failed)",
  security: bearerSecurity,
  middleware: [requireAuth],
  request: { params: IdParam },
  responses: {
    200: jsonResponse(JobSchema, "The job; `ETag` set, `If-None-Match` answered with 304"),
    304: { description: "Not modified" },
    ...errorsFor(400, 401, 404, 503),
  },
});

const jobEvents = createRoute({
  method: "get",
  path: "/jobs/{id}/events",
  tags: ["Jobs"],
  summary: "Server-sent events: one `status` event (data: Job) per status change; closes after a terminal status",
  security: bearerSecurity,
  middleware: [requireAuth],
  request: { params: IdParam },
  responses: {
    200: {
      description: "`text/event-stream`; the first event is the current status",
      content: { "text/event-stream": { schema: z.string().openapi({ example: 'event: status\ndata: {"status":"queued",...}\n\n' }) } },
    },
    ...errorsFor(400, 401, 404, 503),
  },
});

export const jobRoutes = createRouter()
  .openapi(getJob, async (c) => {
    const job = await ownedJob(c.get("services"), principalOf(c).userId, c.req.valid("param").id);
    return sendJsonWithEtag(c, job, cacheControl.private);
  })
  .openapi(jobEvents, async (c) => {
    const services = c.get("services");
    const { userId } = principalOf(c);
    const first = await ownedJob(services, userId, c.req.valid("param").id);
    c.header("X-Accel-Buffering", "no");
    return streamSSE(c, (stream) => streamStatus(stream, services, userId, first));
  });
