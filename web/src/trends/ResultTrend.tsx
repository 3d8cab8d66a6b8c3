/** The results page's "Over time" section: each scale's line, with this result marked. */
import type { Assessment, TrendPoint } from "../api/types.ts";
import { ErrorView } from "../ui/ErrorView.tsx";
import { Loading } from "../ui/Loading.tsx";
import { withCurrent } from "./change.ts";
import { useTrend } from "./queries.ts";
import { TrendChart } from "./TrendChart.tsx";

/** This assessment as a point of `scaleId`, even before its analysis puts it in the trend. */
function currentPoint(assessment: Assessment, scaleId: string): TrendPoint | null {
  const score = assessment.scores?.[scaleId];
  const at = assessment.completedAt ?? assessment.submittedAt;
  if (score === undefined || !at) return null;
  return { assessmentId: assessment.id, templateVersion: assessment.templateVersion, completedAt: at, score };
}

export function ResultTrend({ assessment, title }: { assessment: Assessment; title: string }) {
  const trend = useTrend(assessment.templateSlug);
  if (trend.isPending) return <Loading label="Loading your results over time…" />;
  if (trend.isError) return <ErrorView error={trend.error} retry={() => void trend.refetch()} />;
  const scales = trend.data.scales.map((s) => withCurrent(s, currentPoint(assessment, s.id))).filter((s) => s.points.length > 0);
  if (scales.every((s) => s.points.length <= 1)) {
    return (
      <div className="rounded-xl border border-dashed border-slate-300 bg-white p-5 sm:p-6" data-testid="trend-first">
        <p className="font-semibold text-slate-900">This is your first {title} result</p>
        <p className="mt-1 text-slate-700">Take it again in a few weeks and you'll see here how your scores change over time.</p>
      </div>
    );
  }
  return (
    <div className={scales.length > 1 ? "grid gap-4 lg:grid-cols-2" : ""}>
      {scales.map((scale) => (
        <TrendChart key={scale.id} scale={scale} highlight={assessment.id} />
      ))}
    </div>
  );
}
