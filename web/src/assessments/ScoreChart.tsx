import type { Question, Scale } from "../api/types.ts";
import { formatScore, fractionOf, scaleRange } from "./scoring.ts";

/** One scale's bar, drawn against the range the scale can take, with quarter ticks. */
function Bar({ fraction }: { fraction: number }) {
  const width = `${Math.max(0.03, fraction) * 100}%`;
  return (
    <svg width="100%" height="16" className="block" aria-hidden="true" focusable="false">
      <rect x="0" y="0" width="100%" height="16" rx="8" className="fill-slate-200" />
      <rect x="0" y="0" width={width} height="16" rx="8" className="fill-brand-600" />
      {["25%", "50%", "75%"].map((x) => (
        <line key={x} x1={x} x2={x} y1="0" y2="16" className="stroke-white" strokeWidth="2" />
      ))}
    </svg>
  );
}

/**
 * Scores as a bar chart: HTML text (readable at any width, read by screen readers) and one SVG
 * bar per scale.
 */
export function ScoreChart({ scales, questions, scores }: { scales: Scale[]; questions: Question[]; scores: Record<string, number> }) {
  const rows = scales
    .filter((s) => scores[s.id] !== undefined)
    .map((scale) => {
      const score = scores[scale.id] ?? 0;
      const range = scaleRange(scale, questions) ?? { min: 0, max: Math.max(score, 1) };
      return { scale, score, range, fraction: fractionOf(score, range) };
    });
  if (rows.length === 0) return <p className="text-slate-700">No scores were computed for this assessment.</p>;
  return (
    <figure className="rounded-xl bg-white p-4 ring-1 ring-slate-200 sm:p-6" data-testid="score-chart">
      <figcaption className="sr-only">Your scores, each against the range of its scale</figcaption>
      <ul className="space-y-5">
        {rows.map(({ scale, score, range, fraction }) => (
          <li key={scale.id}>
            <div className="flex items-baseline justify-between gap-3">
              <span className="font-semibold text-slate-900">{scale.name}</span>
              <span className="shrink-0 text-slate-700">
                <strong className="text-lg text-slate-900">{formatScore(score)}</strong>
                <span className="sr-only"> on a scale from {formatScore(range.min)} to {formatScore(range.max)}</span>
                <span aria-hidden="true" className="text-sm">
                  {" "}
                  / {formatScore(range.max)}
                </span>
              </span>
            </div>
            <div className="mt-1.5">
              <Bar fraction={fraction} />
            </div>
            <div aria-hidden="true" className="mt-0.5 flex justify-between text-xs text-slate-600">
              <span>{formatScore(range.min)}</span>
              <span>{formatScore(range.max)}</span>
            </div>
            {scale.description && <p className="mt-1 text-sm text-slate-600">{scale.description}</p>}
          </li>
        ))}
      </ul>
    </figure>
  );
}
