/** The Worker's entry: HTTP requests, queue batches and the cron sweeper. */
import { createApp } from "./app.ts";
import type { Env, JobMessage } from "./config.ts";
import { handleJobBatch } from "./jobs/consumer.ts";
import { handleSchedule } from "./jobs/sweeper.ts";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: handleJobBatch,
  scheduled: handleSchedule,
} satisfies ExportedHandler<Env, JobMessage>;
