/**
 * What a valid answer is, stated twice on purpose and kept side by side: as SQL, so saving answers
 * is ONE conditional UPDATE that only succeeds when every answer fits its question (neon-http has
 * no interactive transactions), and in code, to tell the client exactly which answers did not fit.
 *
 * - likert: an integer in [min, max]
 * - single_choice: one of the option values (same JSON type: 1 is not "1")
 * - text: a string of at most maxLength characters (default 2000)
 * - an id that names no question of the pinned version is refused.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Answers, StoredQuestion } from "../db/schema.ts";
import type { ErrorDetail } from "../errors.ts";
import { DEFAULT_TEXT_MAX_LENGTH } from "../templates/schemas.ts";

function problemWith(question: StoredQuestion | undefined, answer: Answers[string]): string | undefined {
  if (!question) return "No such question in this assessment's template";
  switch (question.type) {
    case "likert": {
      const { min = 0, max = 0 } = question;
      if (typeof answer !== "number" || !Number.isInteger(answer) || answer < min || answer > max) {
        return `Expected an integer from ${min} to ${max}`;
      }
      return undefined;
    }
    case "single_choice": {
      const values = (question.options ?? []).map((o) => o.value);
      return values.includes(answer) ? undefined : `Expected one of ${values.map((v) => JSON.stringify(v)).join(", ")}`;
    }
    case "text": {
      const maxLength = question.maxLength ?? DEFAULT_TEXT_MAX_LENGTH;
      if (typeof answer !== "string") return "Expected text";
      return [...answer].length > maxLength ? `Expected at most ${maxLength} characters` : undefined;
    }
  }
}

/** One detail per answer that does not fit its question, at path `answers.<questionId>`. */
export function answerProblems(questions: StoredQuestion[], answers: Answers): ErrorDetail[] {
  const byId = new Map(questions.map((q) => [q.id, q]));
  const details: ErrorDetail[] = [];
  for (const [questionId, answer] of Object.entries(answers)) {
    const message = problemWith(byId.get(questionId), answer);
    if (message) details.push({ path: `answers.${questionId}`, message });
  }
  return details;
}

/** Required questions without an answer (an empty text counts as none), in template order. */
export function missingRequiredAnswers(questions: StoredQuestion[], answers: Answers): string[] {
  return questions
    .filter((q) => q.required)
    .filter((q) => {
      const answer = answers[q.id];
      return answer === undefined || (typeof answer === "string" && answer.trim() === "");
    })
    .map((q) => q.id);
}

/**
 * SQL that is true when every answer in `patch` (a JSON object) fits a question of the template
 * version the assessment being updated pinned. Same rules as `answerProblems`.
 */
export function answersFitPinnedQuestions(patch: string): SQL {
  return sql`not exists (
    select 1 from jsonb_each(${patch}::jsonb) as answer(question_id, value)
    where not exists (
      select 1
      from template_versions tv cross join lateral jsonb_array_elements(tv.questions) as q(def)
      where tv.id = "assessments"."template_version_id"
        and q.def->>'id' = answer.question_id
        and case q.def->>'type'
          when 'likert' then case when jsonb_typeof(answer.value) = 'number' then
              (answer.value)::numeric = trunc((answer.value)::numeric)
              and (answer.value)::numeric between (q.def->>'min')::numeric and (q.def->>'max')::numeric
            else false end
          when 'single_choice' then exists (
              select 1 from jsonb_array_elements(coalesce(q.def->'options', '[]'::jsonb)) as o(opt)
              where o.opt->'value' = answer.value)
          when 'text' then case when jsonb_typeof(answer.value) = 'string' then
              char_length(answer.value #>> '{}') <= coalesce((q.def->>'maxLength')::int, ${DEFAULT_TEXT_MAX_LENGTH}::int)
            else false end
          else false
        end
    )
  )`;
}
