/** The usage report's contract (API.md "Admin: usage"). */
import { z } from "@hono/zod-openapi";

export const MAX_USAGE_DAYS = 31;

export const UsageQuery = z.object({
  days: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_USAGE_DAYS)
    .default(7)
    .openapi({ param: { name: "days", in: "query" }, description: "UTC days to report, today included (1..31)", example: 7 }),
});

const ModelUsage = z.object({
  model: z.string(),
  calls: z.number().int().openapi({ description: "Model calls, answered or failed" }),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  estimatedCostUsd: z.number().nullable().openapi({ description: "From AI_MODEL_PRICES; null when the model has no price" }),
});

export const UsageDaySchema = z
  .object({
    date: z.iso.date().openapi({ example: "2026-12-02" }),
    modelCalls: z.number().int().openapi({
      description: "Calls counted against the budget. Today: live from the shared counter (reservations of queued work included)",
    }),
    budget: z.number().int(),
    estimatedCostUsd: z.number().openapi({ description: "Sum of byModel's estimates (models without a price count 0)" }),
    byModel: z.array(ModelUsage),
    jobs: z.object({
      succeeded: z.number().int(),
      failed: z.number().int(),
      retried: z.number().int().openapi({ description: "Finished jobs that needed more than one attempt" }),
      deadLettered: z.number().int().openapi({ description: "Failed jobs the queue gave up on" }),
    }),
    finishSeconds: z.object({
      p50: z.number().nullable(),
      p95: z.number().nullable(),
    }).openapi({ description: "Seconds from accepted (202) to finished, of the jobs finished that day; null without any" }),
    topAccounts: z.array(z.object({ userId: z.uuid(), email: z.string(), modelCalls: z.number().int() })).max(10),
  })
  .openapi("UsageDay");

export const UsageSchema = z
  .object({
    budget: z.number().int().openapi({ description: "AI_DAILY_BUDGET: model calls per UTC day" }),
    pricesAsOf: z.iso.date().openapi({ description: "When the prices behind estimatedCostUsd were published" }),
    days: z.array(UsageDaySchema).openapi({ description: "Newest day first" }),
  })
  .openapi("Usage");

export type UsageDay = z.infer<typeof UsageDaySchema>;
export type Usage = z.infer<typeof UsageSchema>;
