/**
 * A scale's results over time: an SVG line (broken where the questions changed) for the eye, and
 * the same values as a visually hidden table for screen readers, with the change since the
 * previous result in words.
 */
import type { TrendPoint, TrendScale } from "../api/types.ts";
import { formatScore, fractionOf } from "../assessments/scoring.ts";
import { formatDate } from "../ui/dates.ts";
import { changeAt, describeChange, runsOf } from "./change.ts";

interface Frame {
  width: number;
  height: number;
  pad: number;
}

const full: Frame = { width: 600, height: 180, pad: 12 };
const small: Frame = { width: 120, height: 36, pad: 4 };

/** The line itself; `highlight` marks one result (the one the page is about). */
function TrendLine({ scale, frame, highlight }: { scale: TrendScale; frame: Frame; highlight?: string }) {
  const { width, height, pad } = frame;
  const n = scale.points.length;
  const index = new Map(scale.points.map((p, i) => [p.assessmentId, i]));
  const x = (p: TrendPoint) => (n === 1 ? width / 2 : pad + ((index.get(p.assessmentId) ?? 0) * (width - 2 * pad)) / (n - 1));
  const y = (p: TrendPoint) => pad + (1 - fractionOf(p.score, scale)) * (height - 2 * pad);
  const runs = runsOf(scale);
  const isFull = frame === full;
  return (
    <svg viewBox={`0 0 ${width} ${height}`} className="block h-auto w-full overflow-visible" aria-hidden="true" focusable="false">
      {isFull &&
        [0, 0.5, 1].map((f) => (
          <line key={f} x1={0} x2={width} y1={pad + f * (height - 2 * pad)} y2={pad + f * (height - 2 * pad)} className="stroke-slate-200" strokeWidth="1" vectorEffect="non-scaling-stroke" />
        ))}
      {runs.slice(1).map((run, i) => {
        const before = runs[i]?.at(-1);
        const after = run[0];
        if (!before || !after) return null;
        const at = (x(before) + x(after)) / 2;
        return <line key={after.assessmentId} x1={at} x2={at} y1={0} y2={height} className="stroke-amber-500" strokeWidth={isFull ? 2 : 1} strokeDasharray="4 4" vectorEffect="non-scaling-stroke" />;
      })}
      {runs.map((run) => (
        <polyline
          key={run[0]?.assessmentId}
          points={run.map((p) => `${x(p)},${y(p)}`).join(" ")}
          fill="none"
          className="stroke-brand-600"
          strokeWidth={isFull ? 3 : 2}
          vectorEffect="non-scaling-stroke"
          strokeLinejoin="round"
          strokeLinecap="round"
        />
      ))}
      {scale.points.map((p) => {
        const mark = p.assessmentId === highlight || (!isFull && p === scale.points.at(-1));
        return (
          <circle
            key={p.assessmentId}
            cx={x(p)}
            cy={y(p)}
            r={isFull ? (mark ? 7 : 5) : mark ? 3.5 : 0}
            className={mark ? "fill-brand-700 stroke-white" : "fill-white stroke-brand-600"}
            strokeWidth={isFull ? 2.5 : 1.5}
          />
        );
      })}
    </svg>
  );
}

/** The values as a table, read by screen readers instead of the chart. */
function TrendTable({ scale }: { scale: TrendScale }) {
  // The wrapper is what is hidden: a table is never narrower than its content, so an sr-only table
  // would still widen the page on a phone.
  return (
    <div className="sr-only">
      <table>
        <caption>
          {scale.name}: your results over time, on a scale from {formatScore(scale.min)} to {formatScore(scale.max)}
        </caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Score</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          {scale.points.map((p) => (
            <tr key={p.assessmentId}>
              <th scope="row">{formatDate(p.completedAt)}</th>
              <td>{formatScore(p.score)}</td>
              <td>{describeChange(changeAt(scale, p.assessmentId))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One scale's trend, full width, with the change at `highlight` (the latest result by default). */
export function TrendChart({ scale, highlight }: { scale: TrendScale; highlight?: string }) {
  const change = describeChange(changeAt(scale, highlight));
  const first = scale.points[0];
  const last = scale.points.at(-1);
  return (
    <figure className="rounded-xl bg-white p-4 ring-1 ring-slate-200 sm:p-6" data-testid="trend-chart">
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
        <figcaption className="font-semibold text-slate-900">{scale.name}</figcaption>
        {change && (
          <p className="text-sm font-medium text-brand-800" data-testid="trend-change">
            {change}
          </p>
        )}
      </div>
      <div className="mt-3 flex gap-2">
        <div aria-hidden="true" className="flex flex-col justify-between text-xs text-slate-600">
          <span>{formatScore(scale.max)}</span>
          <span>{formatScore(scale.min)}</span>
        </div>
        <div className="min-w-0 flex-1">
          <TrendLine scale={scale} frame={full} highlight={highlight} />
        </div>
      </div>
      {first && last && (
        <div aria-hidden="true" className="mt-1 flex justify-between pl-6 text-xs text-slate-600">
          <span>{formatDate(first.completedAt)}</span>
          {last !== first && <span>{formatDate(last.completedAt)}</span>}
        </div>
      )}
      {scale.itemsChangedAt.length > 0 && scale.points.length > 1 && runsOf(scale).length > 1 && (
        <p className="mt-2 text-xs text-slate-600">
          <span aria-hidden="true" className="mr-1 inline-block w-4 border-t-2 border-dashed border-amber-500 align-middle" />
          The questions changed here, so the results on either side are not compared.
        </p>
      )}
      <TrendTable scale={scale} />
    </figure>
  );
}

/** A scale's trend in a line of text: latest score, a small line, and the change since the result before. */
export function TrendSummary({ scale }: { scale: TrendScale }) {
  const last = scale.points.at(-1);
  if (!last) return null;
  const change = describeChange(changeAt(scale));
  return (
    <div className="flex items-center gap-3 py-2" data-testid="trend-summary">
      <div className="min-w-0 flex-1">
        <p className="truncate text-sm text-slate-700">{scale.name}</p>
        <p className="text-slate-900">
          <strong className="text-lg">{formatScore(last.score)}</strong>
          <span className="sr-only"> on a scale from {formatScore(scale.min)} to {formatScore(scale.max)}, on {formatDate(last.completedAt)}.</span>
          {change && <span className="ml-2 text-sm text-slate-600">{change}</span>}
        </p>
      </div>
      <div className="w-24 shrink-0 sm:w-32">
        <TrendLine scale={scale} frame={small} />
      </div>
    </div>
  );
}
