import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { api, unwrap } from "../api/client.ts";
import type { Usage, UsageDay } from "../api/types.ts";
import { ErrorView } from "../ui/ErrorView.tsx";
import { Loading } from "../ui/Loading.tsx";
import { PageHeading } from "../ui/PageHeading.tsx";
import { formatSeconds, formatUsd, isQuiet, usageTotals } from "./usageSummary.ts";

const RANGES = [7, 14, 31] as const;

function useUsage(days: number) {
  return useQuery({
    queryKey: ["admin", "usage", days],
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/admin/usage", { params: { query: { days } }, signal })),
    refetchInterval: 60_000,
  });
}

const shortDate = (date: string) => new Date(`${date}T00:00:00Z`).toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
const percent = (value: number, of: number) => (of > 0 ? `${Math.round((value / of) * 100)}%` : "—");

function Stat({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <div className="rounded-xl bg-white p-4 ring-1 ring-slate-200">
      <dt className="text-sm text-slate-600">{label}</dt>
      <dd className="mt-1 text-2xl font-bold text-slate-900">{value}</dd>
      {detail && <dd className="text-sm text-slate-600">{detail}</dd>}
    </div>
  );
}

/** Calls per day as bars against the budget (dashed), and the estimated cost as a line. Drawn only: the table says the same in text. */
function CallsChart({ days, budget }: { days: UsageDay[]; budget: number }) {
  const ordered = [...days].reverse();
  const top = Math.max(budget, ...ordered.map((d) => d.modelCalls)) * 1.1 || 1;
  const maxCost = Math.max(...ordered.map((d) => d.estimatedCostUsd)) || 1;
  const width = ordered.length * 10;
  const y = (calls: number) => 100 - (calls / top) * 100;
  const costPoints = ordered.map((d, i) => `${i * 10 + 5},${100 - (d.estimatedCostUsd / maxCost) * 90}`).join(" ");
  return (
    <div aria-hidden="true" className="space-y-1">
      <svg viewBox={`0 0 ${width} 100`} preserveAspectRatio="none" className="block h-48 w-full" focusable="false">
        {ordered.map((d, i) => (
          <rect
            key={d.date}
            x={i * 10 + 1.5}
            width="7"
            y={y(d.modelCalls)}
            height={100 - y(d.modelCalls)}
            className={d.modelCalls >= d.budget * 0.8 ? "fill-amber-500" : "fill-brand-600"}
          />
        ))}
        <line x1="0" x2={width} y1={y(budget)} y2={y(budget)} className="stroke-red-700" strokeWidth="1.5" strokeDasharray="4 3" vectorEffect="non-scaling-stroke" />
        <polyline points={costPoints} fill="none" className="stroke-emerald-700" strokeWidth="2" vectorEffect="non-scaling-stroke" />
      </svg>
      <div className="flex justify-between text-xs text-slate-600">
        <span>{ordered[0] && shortDate(ordered[0].date)}</span>
        <span>{ordered.at(-1) && shortDate(ordered.at(-1)?.date ?? "")}</span>
      </div>
      <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700">
        <li className="flex items-center gap-1.5"><span className="inline-block size-3 rounded-sm bg-brand-600" /> model calls</li>
        <li className="flex items-center gap-1.5"><span className="inline-block size-3 rounded-sm bg-amber-500" /> over 80 % of the budget</li>
        <li className="flex items-center gap-1.5"><span className="inline-block h-0 w-4 border-t-2 border-dashed border-red-700" /> budget</li>
        <li className="flex items-center gap-1.5"><span className="inline-block h-0 w-4 border-t-2 border-emerald-700" /> estimated cost (to its own scale)</li>
      </ul>
    </div>
  );
}

/** A table that may scroll sideways on a phone: focusable, so keyboard users can scroll it too. */
function Scrolling({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div role="region" aria-label={label} tabIndex={0} className="overflow-x-auto rounded-xl bg-white ring-1 ring-slate-200">
      {children}
    </div>
  );
}

function DaysTable({ days }: { days: UsageDay[] }) {
  return (
    <Scrolling label="Per day">
      <table className="w-full min-w-[40rem] text-left text-sm">
        <caption className="sr-only">Model calls, cost and job outcomes per UTC day, newest first</caption>
        <thead className="border-b border-slate-200 text-slate-600">
          <tr>
            {["Day (UTC)", "Calls", "Budget used", "Cost", "Succeeded", "Failed", "Retried", "Dead-lettered", "p50 / p95"].map((h) => (
              <th key={h} scope="col" className="px-3 py-2 font-medium whitespace-nowrap">{h}</th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 text-slate-800">
          {days.map((d) => (
            <tr key={d.date}>
              <th scope="row" className="px-3 py-2 font-medium whitespace-nowrap">{shortDate(d.date)}</th>
              <td className="px-3 py-2">{d.modelCalls}</td>
              <td className="px-3 py-2">{percent(d.modelCalls, d.budget)}</td>
              <td className="px-3 py-2">{formatUsd(d.estimatedCostUsd)}</td>
              <td className="px-3 py-2">{d.jobs.succeeded}</td>
              <td className="px-3 py-2">{d.jobs.failed}</td>
              <td className="px-3 py-2">{d.jobs.retried}</td>
              <td className="px-3 py-2">{d.jobs.deadLettered}</td>
              <td className="px-3 py-2 whitespace-nowrap">{formatSeconds(d.finishSeconds.p50)} / {formatSeconds(d.finishSeconds.p95)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Scrolling>
  );
}

function Report({ usage }: { usage: Usage }) {
  const totals = usageTotals(usage);
  const today = usage.days[0];
  const models = [...new Set(usage.days.flatMap((d) => d.byModel.map((m) => m.model)))];
  return (
    <div className="space-y-6">
      <dl className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat label="Calls today" value={String(today?.modelCalls ?? 0)} detail={`${percent(today?.modelCalls ?? 0, usage.budget)} of ${usage.budget}`} />
        <Stat label={`Calls, ${usage.days.length} days`} value={String(totals.modelCalls)} detail={`busiest day ${Math.round(totals.peakShare * 100)}% of budget`} />
        <Stat label="Estimated cost" value={formatUsd(totals.estimatedCostUsd)} detail={`prices as of ${usage.pricesAsOf}`} />
        <Stat label="Jobs succeeded" value={String(totals.jobs.succeeded)} detail={`${totals.jobs.failed} failed · ${totals.jobs.retried} retried · ${totals.jobs.deadLettered} dead-lettered`} />
      </dl>
      <section aria-labelledby="calls-heading" className="space-y-3 rounded-xl bg-white p-4 ring-1 ring-slate-200 sm:p-6">
        <h2 id="calls-heading" className="text-lg font-semibold text-slate-900">Calls against the budget</h2>
        <CallsChart days={usage.days} budget={usage.budget} />
      </section>
      <section aria-labelledby="days-heading" className="space-y-3">
        <h2 id="days-heading" className="text-lg font-semibold text-slate-900">Per day</h2>
        <DaysTable days={usage.days} />
        {models.length > 0 && (
          <p className="text-sm text-slate-700">
            By model over the range:{" "}
            {models
              .map((model) => {
                const rows = usage.days.flatMap((d) => d.byModel.filter((m) => m.model === model));
                const calls = rows.reduce((s, m) => s + m.calls, 0);
                const tokens = rows.reduce((s, m) => s + m.inputTokens + m.outputTokens, 0);
                return `${model}: ${calls} calls, ${tokens.toLocaleString()} tokens`;
              })
              .join(" · ")}
          </p>
        )}
      </section>
      <section aria-labelledby="accounts-heading" className="space-y-3">
        <h2 id="accounts-heading" className="text-lg font-semibold text-slate-900">Top accounts</h2>
        {totals.topAccounts.length === 0 ? (
          <p className="text-slate-700">No account made a model call in this range.</p>
        ) : (
          <Scrolling label="Top accounts">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">Accounts with the most model calls over the range</caption>
              <thead className="border-b border-slate-200 text-slate-600">
                <tr>
                  <th scope="col" className="px-3 py-2 font-medium">Account</th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">Calls</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 text-slate-800">
                {totals.topAccounts.map((a) => (
                  <tr key={a.userId}>
                    <td className="px-3 py-2 break-all">{a.email}</td>
                    <td className="px-3 py-2 text-right">{a.modelCalls}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Scrolling>
        )}
      </section>
    </div>
  );
}

/** Admin: AI usage against the daily budget, cost, job outcomes and the busiest accounts. */
export default function UsagePage() {
  const [days, setDays] = useState<number>(7);
  const usage = useUsage(days);
  return (
    <div className="space-y-6 py-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <PageHeading title="Usage">Usage</PageHeading>
        <fieldset className="flex items-center gap-1 rounded-lg bg-white p-1 ring-1 ring-slate-200">
          <legend className="sr-only">Days to show</legend>
          {RANGES.map((n) => (
            <label key={n} className={`cursor-pointer rounded-md px-3 py-2 text-sm font-medium has-[:focus-visible]:outline-2 ${days === n ? "bg-brand-600 text-white" : "text-slate-700 hover:bg-slate-100"}`}>
              <input type="radio" name="days" value={n} checked={days === n} onChange={() => setDays(n)} className="sr-only" />
              {n} days
            </label>
          ))}
        </fieldset>
      </div>
      {usage.isPending ? (
        <Loading label="Loading usage…" />
      ) : usage.isError ? (
        <ErrorView error={usage.error} retry={() => void usage.refetch()} />
      ) : isQuiet(usage.data) ? (
        <div className="rounded-xl bg-white p-6 ring-1 ring-slate-200">
          <h2 className="text-lg font-semibold text-slate-900">No AI use in the last {days} days</h2>
          <p className="mt-1 text-slate-700">
            Analyses and coach replies will show here as they run. The daily budget is {usage.data.budget} model calls.
          </p>
        </div>
      ) : (
        <Report usage={usage.data} />
      )}
    </div>
  );
}
