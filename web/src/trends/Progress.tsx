/** The dashboard's "Your progress": per instrument taken, the latest score of each scale with a small trend. */
import type { Assessment } from "../api/types.ts";
import { ButtonLink } from "../ui/Button.tsx";
import { useTrend } from "./queries.ts";
import { TrendSummary } from "./TrendChart.tsx";

function InstrumentProgress({ slug, title, latest }: { slug: string; title: string; latest: Assessment }) {
  const trend = useTrend(slug);
  const scales = (trend.data?.scales ?? []).filter((s) => s.points.length > 0);
  if (scales.length === 0) return null;
  const count = Math.max(...scales.map((s) => s.points.length));
  return (
    <li className="flex flex-col rounded-xl bg-white p-5 ring-1 ring-slate-200" data-testid="progress-card">
      <h3 className="text-lg font-semibold text-slate-900">{title}</h3>
      <p className="text-sm text-slate-600">{count === 1 ? "One result so far: take it again in a few weeks to see a trend." : `${count} results`}</p>
      <div className="mt-2 flex-1 divide-y divide-slate-100">
        {scales.map((scale) => (
          <TrendSummary key={scale.id} scale={scale} />
        ))}
      </div>
      <ButtonLink to={`/assessments/${latest.id}/results`} variant="secondary" className="mt-3 self-start" aria-label={`Latest results: ${title}`}>
        Latest results
      </ButtonLink>
    </li>
  );
}

/** One card per instrument with a completed result among `assessments` (newest first). */
export function Progress({ assessments, titles }: { assessments: Assessment[]; titles: Map<string, string> }) {
  const latest = new Map<string, Assessment>();
  for (const a of assessments) if (a.status === "complete" && !latest.has(a.templateSlug)) latest.set(a.templateSlug, a);
  if (latest.size === 0) return null;
  return (
    <section aria-labelledby="progress">
      <h2 id="progress" className="mb-3 text-xl font-semibold text-slate-900">
        Your progress
      </h2>
      <ul className="grid gap-4 sm:grid-cols-2">
        {[...latest].map(([slug, assessment]) => (
          <InstrumentProgress key={slug} slug={slug} title={titles.get(slug) ?? slug} latest={assessment} />
        ))}
      </ul>
    </section>
  );
}
