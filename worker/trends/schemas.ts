/** The `Trend` shape of API.md: one user's completed scores over time, per scale of an instrument. */
import { z } from "@hono/zod-openapi";
import { SLUG_PATTERN } from "../templates/schemas.ts";

export const TrendQuery = z.object({
  template: z
    .string()
    .min(1)
    .max(200)
    .regex(SLUG_PATTERN, "Not a template slug")
    .openapi({ param: { name: "template", in: "query" }, example: "who-5" }),
});

export const TrendPointSchema = z
  .object({
    assessmentId: z.uuid(),
    templateVersion: z.number().int().openapi({ description: "The template version the assessment was taken on" }),
    completedAt: z.iso.datetime(),
    score: z.number(),
  })
  .openapi("TrendPoint");

export const TrendScaleSchema = z
  .object({
    id: z.string().openapi({ example: "wellbeing" }),
    name: z.string(),
    min: z.number().openapi({ description: "Lowest score the scale can take" }),
    max: z.number().openapi({ description: "Highest score the scale can take" }),
    itemsChangedAt: z.array(z.number().int()).openapi({
      description:
        "Template versions whose definition of this scale differs from the version before (other items or " +
        "questions, reverse keying, method or multiplier). Two points are directly comparable only when no " +
        "version in this list lies in (earlier point's templateVersion, later point's templateVersion]; a chart " +
        "should break its line there rather than join the two.",
      example: [],
    }),
    points: z.array(TrendPointSchema).openapi({ description: "Oldest first; completed assessments only" }),
  })
  .openapi("TrendScale");

export const TrendSchema = z
  .object({
    template: z.object({ slug: z.string(), title: z.string().openapi({ description: "The current version's title" }) }),
    scales: z.array(TrendScaleSchema).openapi({
      description:
        "Every scale of the template's current version (with no points if never scored), then any scale only " +
        "older versions had, when the user has scores on it",
    }),
  })
  .openapi("Trend");

export type Trend = z.infer<typeof TrendSchema>;
export type TrendScale = z.infer<typeof TrendScaleSchema>;
export type TrendPoint = z.infer<typeof TrendPointSchema>;
