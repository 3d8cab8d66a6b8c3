/**
 * The scoring engine: pure functions from a template version's scales and a set of answers to
 * scores. Each scale combines its items' values (reverse-keyed items scored as min + max - x) by
 * mean or sum, then applies the instrument's multiplier (WHO-5: raw sum x 4 = percentage).
 */
import type { Answers, Scores, StoredQuestion, StoredScale } from "../db/schema.ts";

/** Scores are reported to two decimals (a Mini-IPIP mean is a multiple of 0.25 anyway). */
function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The value an item contributes, or undefined when it is unanswered or not a scoreable number. */
export function itemValue(question: StoredQuestion | undefined, answer: Answers[string] | undefined, reverse: boolean): number | undefined {
  if (!question || question.type !== "likert" || typeof answer !== "number") return undefined;
  if (question.min === undefined || question.max === undefined) return undefined;
  return reverse ? question.min + question.max - answer : answer;
}

/**
 * One score per scale that has at least one answered item. A `sum` scale with unanswered items is
 * prorated (mean x item count), so a skipped optional item does not read as a low score.
 *
 * @example
 * scoreAnswers(who5.questions, who5.scales, { q1: 3, q2: 4, q3: 2, q4: 3, q5: 4 }) // { wellbeing: 64 }
 */
export function scoreAnswers(questions: StoredQuestion[], scales: StoredScale[], answers: Answers): Scores {
  const byId = new Map(questions.map((q) => [q.id, q]));
  const scores: Scores = {};
  for (const scale of scales) {
    const values = scale.items
      .map((item) => itemValue(byId.get(item.questionId), answers[item.questionId], item.reverse))
      .filter((v): v is number => v !== undefined);
    if (values.length === 0) continue;
    const total = values.reduce((a, b) => a + b, 0);
    const combined = scale.method === "sum" ? (total * scale.items.length) / values.length : total / values.length;
    scores[scale.id] = round2(combined * (scale.multiplier ?? 1));
  }
  return scores;
}

/**
 * True when a score is at or below its scale's `supportAtOrBelow` (the threshold lives with the
 * template: WHO-5's well-being scale has 28).
 *
 * @example
 * scoresNeedSupport(who5.scales, { wellbeing: 28 }) // true
 */
export function scoresNeedSupport(scales: StoredScale[], scores: Scores): boolean {
  return scales.some((scale) => {
    const score = scores[scale.id];
    return scale.supportAtOrBelow !== undefined && score !== undefined && score <= scale.supportAtOrBelow;
  });
}

function itemRange(question: StoredQuestion | undefined): [number, number] | undefined {
  if (!question) return undefined;
  if (question.min !== undefined && question.max !== undefined) return [question.min, question.max];
  const values = (question.options ?? []).map((o) => o.value).filter((v): v is number => typeof v === "number");
  return values.length > 0 ? [Math.min(...values), Math.max(...values)] : undefined;
}

/**
 * The range a scale's score can take: its items' ranges combined as the scale combines values.
 *
 * @example
 * scaleRange(who5.questions, who5.scales[0]) // { min: 0, max: 100 }
 */
export function scaleRange(questions: StoredQuestion[], scale: StoredScale): { min: number; max: number } {
  const byId = new Map(questions.map((q) => [q.id, q]));
  const ranges = scale.items.map((item) => itemRange(byId.get(item.questionId))).filter((r) => r !== undefined);
  const low = ranges.reduce((sum, [min]) => sum + min, 0);
  const high = ranges.reduce((sum, [, max]) => sum + max, 0);
  const count = Math.max(1, ranges.length);
  const factor = scale.multiplier ?? 1;
  const [min, max] = scale.method === "sum" ? [low * factor, high * factor] : [(low / count) * factor, (high / count) * factor];
  return { min, max };
}
