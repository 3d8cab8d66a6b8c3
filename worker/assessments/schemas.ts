/** Assessment shapes of API.md and the bodies of its routes. */
import { z } from "@hono/zod-openapi";
import { pageOf, text } from "../http/openapi.ts";

const AnswerValue = z.union([z.number(), text().max(10_000)]).openapi("AnswerValue", {
  description: "likert: an integer in the question's range; single_choice: an option value; text: a string",
});

export const AssessmentSchema = z
  .object({
    id: z.uuid(),
    templateSlug: z.string().openapi({ example: "who-5" }),
    templateVersion: z.number().int().openapi({ description: "The template version pinned when the assessment started" }),
    status: z.enum(["draft", "analyzing", "complete", "failed"]),
    answers: z.record(z.string(), AnswerValue),
    scores: z.record(z.string(), z.number()).nullable().openapi({ description: "Per scale id; set on submit" }),
    analysis: z.string().nullable().openapi({ description: "The AI's analysis, once complete" }),
    needsSupport: z.boolean().openapi({
      description: "A score is at or below its scale's `supportAtOrBelow`: show the support resources (set on submit)",
    }),
    createdAt: z.iso.datetime(),
    submittedAt: z.iso.datetime().nullable(),
    completedAt: z.iso.datetime().nullable(),
  })
  .openapi("Assessment");

export const AssessmentPageSchema = pageOf(AssessmentSchema).openapi("AssessmentPage", {
  description: "Newest first; pass `nextCursor` back as `cursor` for the next page",
});

export const NewAssessmentSchema = z
  .object({ templateSlug: text().min(1).max(200).openapi({ example: "mini-ipip" }) })
  .openapi("NewAssessment");

const MAX_ANSWERS_PER_REQUEST = 500;

export const AnswersBodySchema = z
  .object({
    answers: z
      .record(text().min(1).max(64), AnswerValue)
      .refine((a) => Object.keys(a).length <= MAX_ANSWERS_PER_REQUEST, `At most ${MAX_ANSWERS_PER_REQUEST} answers at once`)
      .openapi({ description: "Merged into the saved answers; keys are question ids" }),
  })
  .openapi("AnswersUpdate");

export type Assessment = z.infer<typeof AssessmentSchema>;
export type AssessmentPage = z.infer<typeof AssessmentPageSchema>;
