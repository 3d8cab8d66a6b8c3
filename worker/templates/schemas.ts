/**
 * Template shapes of API.md (`TemplateSummary`, `Template`, `Question`, `Scale`) and the admin
 * input, whose content rules make a template scoreable: unique ids, sensible ranges and options,
 * and scales built only from real Likert questions.
 */
import { z } from "@hono/zod-openapi";
import { text } from "../http/openapi.ts";

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const ID_PATTERN = /^[A-Za-z0-9_.-]+$/;
/** A text answer's length limit when the question sets none. */
export const DEFAULT_TEXT_MAX_LENGTH = 2000;

export const QuestionOptionSchema = z
  .object({
    value: z.union([z.number(), text().min(1).max(200)]).openapi({ description: "What an answer sends" }),
    label: text().min(1).max(200),
  })
  .openapi("QuestionOption");

const questionFields = {
  id: text().min(1).max(64).regex(ID_PATTERN, "Use letters, digits, '_', '-' or '.'").openapi({ example: "q1" }),
  text: text().min(1).max(1000),
  type: z.enum(["likert", "single_choice", "text"]),
  options: z
    .array(QuestionOptionSchema)
    .min(2)
    .max(50)
    .optional()
    .openapi({ description: "single_choice: the allowed answers. likert: labels for points of the scale." }),
  min: z.number().int().optional().openapi({ description: "likert: lowest allowed answer (integer)" }),
  max: z.number().int().optional().openapi({ description: "likert: highest allowed answer (integer)" }),
  maxLength: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .optional()
    .openapi({ description: `text: longest allowed answer in characters (default ${DEFAULT_TEXT_MAX_LENGTH})` }),
  section: text().min(1).max(200).optional().openapi({ description: "Heading the question is shown under" }),
};

export const QuestionSchema = z
  .object({ ...questionFields, required: z.boolean() })
  .openapi("Question", { description: "One item. Answers: likert an integer in [min, max]; single_choice one option value; text a string." });

const QuestionInputSchema = z.object({ ...questionFields, required: z.boolean().default(true) }).openapi("QuestionInput");

export const ScaleItemSchema = z
  .object({
    questionId: text().min(1).max(64),
    reverse: z.boolean().openapi({ description: "Reverse-keyed: scored as min + max - answer" }),
  })
  .openapi("ScaleItem");

const scaleFields = {
  id: text().min(1).max(64).regex(ID_PATTERN, "Use letters, digits, '_', '-' or '.'").openapi({ example: "extraversion" }),
  name: text().min(1).max(200),
  items: z.array(ScaleItemSchema).min(1).max(200),
  description: text().max(2000).optional(),
  supportAtOrBelow: z
    .number()
    .finite()
    .optional()
    .openapi({
      description: "A completed score at or below this marks the assessment `needsSupport` (WHO-5's well-being scale: 28)",
      example: 28,
    }),
};

export const ScaleSchema = z
  .object({
    ...scaleFields,
    method: z.enum(["mean", "sum"]).optional().openapi({ description: "How item values combine (default mean)" }),
    multiplier: z.number().positive().optional().openapi({ description: "Applied after combining (default 1), e.g. WHO-5's raw x 4" }),
  })
  .openapi("Scale", { description: "How a score is computed from answers" });

const ScaleInputSchema = z
  .object({
    ...scaleFields,
    method: z.enum(["mean", "sum"]).default("mean"),
    multiplier: z.number().positive().max(1000).default(1),
  })
  .openapi("ScaleInput");

export const TemplateSummarySchema = z
  .object({
    id: z.uuid(),
    slug: z.string().openapi({ example: "mini-ipip" }),
    title: z.string(),
    description: z.string(),
    version: z.number().int().openapi({ description: "The published version new assessments start with" }),
    questionCount: z.number().int(),
    estimatedMinutes: z.number().int(),
  })
  .openapi("TemplateSummary");

export const TemplateSchema = TemplateSummarySchema.extend({
  questions: z.array(QuestionSchema),
  scales: z.array(ScaleSchema),
}).openapi("Template");

export const TemplateListSchema = z.object({ items: z.array(TemplateSummarySchema) }).openapi("TemplateList");

export type TemplateSummary = z.infer<typeof TemplateSummarySchema>;
export type Template = z.infer<typeof TemplateSchema>;
export type Question = z.infer<typeof QuestionSchema>;
export type Scale = z.infer<typeof ScaleSchema>;

type Issue = { path: (string | number)[]; message: string };

function questionProblems(q: z.infer<typeof QuestionInputSchema>): Issue[] {
  const problems: Issue[] = [];
  const values = (q.options ?? []).map((o) => o.value);
  if (new Set(values).size !== values.length) problems.push({ path: ["options"], message: "Option values must be unique" });
  if (q.type !== "likert" && (q.min !== undefined || q.max !== undefined)) {
    problems.push({ path: ["min"], message: "min and max apply to likert questions only" });
  }
  if (q.type !== "text" && q.maxLength !== undefined) {
    problems.push({ path: ["maxLength"], message: "maxLength applies to text questions only" });
  }
  if (q.type === "likert") {
    if (q.min === undefined || q.max === undefined) {
      problems.push({ path: ["max"], message: "A likert question needs integer min and max" });
    } else if (q.min >= q.max || q.max - q.min > 100) {
      problems.push({ path: ["max"], message: "max must be above min, by at most 100 points" });
    } else {
      const { min, max } = q;
      if (values.some((v) => typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)) {
        problems.push({ path: ["options"], message: `Likert option values must be integers in [${min}, ${max}]` });
      }
    }
  }
  if (q.type === "single_choice" && values.length < 2) {
    problems.push({ path: ["options"], message: "A single_choice question needs at least two options" });
  }
  if (q.type === "text" && q.options !== undefined) {
    problems.push({ path: ["options"], message: "A text question has no options" });
  }
  return problems;
}

/** Content rules across fields, reported with paths like `questions.3.options`. */
function contentProblems(content: { questions: z.infer<typeof QuestionInputSchema>[]; scales: z.infer<typeof ScaleInputSchema>[] }): Issue[] {
  const problems: Issue[] = [];
  const byId = new Map<string, z.infer<typeof QuestionInputSchema>>();
  content.questions.forEach((q, i) => {
    if (byId.has(q.id)) problems.push({ path: ["questions", i, "id"], message: `Duplicate question id '${q.id}'` });
    byId.set(q.id, q);
    for (const p of questionProblems(q)) problems.push({ path: ["questions", i, ...p.path], message: p.message });
  });
  const scaleIds = new Set<string>();
  content.scales.forEach((scale, i) => {
    if (scaleIds.has(scale.id)) problems.push({ path: ["scales", i, "id"], message: `Duplicate scale id '${scale.id}'` });
    scaleIds.add(scale.id);
    const seen = new Set<string>();
    scale.items.forEach((item, j) => {
      const path = ["scales", i, "items", j, "questionId"];
      const question = byId.get(item.questionId);
      if (!question) problems.push({ path, message: `No question '${item.questionId}'` });
      else if (question.type !== "likert") problems.push({ path, message: `Question '${item.questionId}' is not likert, so it has no score` });
      if (seen.has(item.questionId)) problems.push({ path, message: `Question '${item.questionId}' is listed twice` });
      seen.add(item.questionId);
    });
  });
  return problems;
}

const templateContent = {
  title: text().trim().min(1).max(200),
  description: text().trim().max(2000),
  estimatedMinutes: z.number().int().min(1).max(240),
  questions: z.array(QuestionInputSchema).min(1).max(200),
  scales: z.array(ScaleInputSchema).max(50),
};

function checkContent(value: Parameters<typeof contentProblems>[0], ctx: z.RefinementCtx): void {
  for (const p of contentProblems(value)) ctx.addIssue({ code: "custom", path: p.path, message: p.message });
}

/** Body of PUT /templates/:slug: the whole content of the next version. */
export const TemplateContentSchema = z.object(templateContent).superRefine(checkContent).openapi("TemplateContent");

/** Body of POST /templates. */
export const NewTemplateSchema = z
  .object({
    slug: text().min(1).max(64).regex(SLUG_PATTERN, "Use lower-case words separated by '-'").openapi({ example: "gad-7" }),
    ...templateContent,
  })
  .superRefine(checkContent)
  .openapi("NewTemplate");

export type TemplateContent = z.infer<typeof TemplateContentSchema>;
export type NewTemplate = z.infer<typeof NewTemplateSchema>;

export const SlugParam = z.object({
  slug: text().min(1).max(200).openapi({ param: { name: "slug", in: "path" }, example: "who-5" }),
});

/** `?version=N`: a specific (immutable) version instead of the current one. */
export const VersionQuery = z.object({
  version: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .optional()
    .openapi({ param: { name: "version", in: "query" }, example: 1 }),
});
