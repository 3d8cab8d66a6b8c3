/** The range a scale's score can take, so a chart can draw it to scale (see drizzle/seed for the methods). */
import type { Question, Scale } from "../api/types.ts";
import { choicesOf } from "./sections.ts";

export interface Range {
  min: number;
  max: number;
}

function itemRange(question: Question): Range | null {
  const numeric = choicesOf(question)
    .map((c) => c.value)
    .filter((v): v is number => typeof v === "number");
  const min = question.min ?? (numeric.length ? Math.min(...numeric) : undefined);
  const max = question.max ?? (numeric.length ? Math.max(...numeric) : undefined);
  return min === undefined || max === undefined ? null : { min, max };
}

/** Sum scales add item ranges, mean scales average them; then the multiplier (WHO-5: sum x 4 = 0..100). */
export function scaleRange(scale: Scale, questions: readonly Question[]): Range | null {
  const byId = new Map(questions.map((q) => [q.id, q]));
  const ranges: Range[] = [];
  for (const item of scale.items) {
    const question = byId.get(item.questionId);
    const range = question ? itemRange(question) : null;
    if (!range) return null;
    ranges.push(range);
  }
  if (ranges.length === 0) return null;
  const sum = (pick: (r: Range) => number) => ranges.reduce((total, r) => total + pick(r), 0);
  const method = scale.method ?? "mean";
  const factor = (scale.multiplier ?? 1) * (method === "mean" ? 1 / ranges.length : 1);
  const a = sum((r) => r.min) * factor;
  const b = sum((r) => r.max) * factor;
  return { min: Math.min(a, b), max: Math.max(a, b) };
}

/** Where `score` sits in `range`, 0..1 (clamped). */
export function fractionOf(score: number, range: Range): number {
  if (range.max === range.min) return 1;
  return Math.min(1, Math.max(0, (score - range.min) / (range.max - range.min)));
}

export function formatScore(score: number): string {
  return Number.isInteger(score) ? String(score) : score.toFixed(1);
}
