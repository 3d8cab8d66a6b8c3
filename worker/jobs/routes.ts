/** Jobs (API.md "Jobs"): a job's state, read or streamed as server-sent events (jobs/events.ts). Own jobs only. */
import { createRoute, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { bearerSecurity, principalOf, requireAuth } from "../auth/middleware.ts";
import type { Services } from "../context.ts";
import { ApiError } from "../errors.ts";
import { cacheControl, sendJsonWithEtag } from "../http/etag.ts";
import { createRouter, errorsFor, IdParam, jsonResponse } from "../http/openapi.ts";
import { startJobWatch, streamJobStatus } from "./events.ts";
import { findOwnedJob, JobSchema, toJob, type Job } from "./service.ts";

async function ownedJob(services: Services, userId: string, jobId: string): Promise<Job> {
  const row = await findOwnedJob(services.db.primary, userId, jobId);
  if (!row) throw new ApiError("not_found", "Job not found");
  return toJob(row);
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
  description:
    "Pushed, not polled: the stream reads the job once when it opens and then forwards what the queue consumer " +
    "publishes. If no final status arrived within AI_EVENTS_MAX_SECONDS it reads the job once more and closes; " +
    "reconnect to keep watching.",
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
    const watch = await startJobWatch(services, userId, c.req.valid("param").id);
    const { first } = watch;
    if (!first) {
      await watch.subscription.close();
      throw new ApiError("not_found", "Job not found");
    }
    c.header("X-Accel-Buffering", "no");
    return streamSSE(c, (stream) => streamJobStatus(stream, services, userId, { ...watch, first }));
  });
