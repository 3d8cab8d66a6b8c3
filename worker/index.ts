/** The Worker's entry: HTTP requests, queue batches and the cron sweeper. */
import { createApp } from "./app.ts";
import type { Env } from "./config.ts";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
