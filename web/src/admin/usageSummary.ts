/** The usage report folded for the Usage screen: totals over the chosen days and the top accounts. */
import type { Usage, UsageDay } from "../api/types.ts";

export interface UsageTotals {
  modelCalls: number;
  estimatedCostUsd: number;
  jobs: UsageDay["jobs"];
  /** The top accounts over the whole range (calls summed across days), most calls first. */
  topAccounts: UsageDay["topAccounts"];
  /** The busiest day's share of the budget, 0..n. */
  peakShare: number;
}

export function usageTotals(usage: Usage, topN = 10): UsageTotals {
  const jobs = { succeeded: 0, failed: 0, retried: 0, deadLettered: 0 };
  const accounts = new Map<string, UsageDay["topAccounts"][number]>();
  let modelCalls = 0;
  let estimatedCostUsd = 0;
  let peakShare = 0;
  for (const day of usage.days) {
    modelCalls += day.modelCalls;
    estimatedCostUsd += day.estimatedCostUsd;
    peakShare = Math.max(peakShare, day.budget > 0 ? day.modelCalls / day.budget : 0);
    for (const key of Object.keys(jobs) as (keyof typeof jobs)[]) jobs[key] += day.jobs[key];
    for (const account of day.topAccounts) {
      const seen = accounts.get(account.userId);
      accounts.set(account.userId, { ...account, modelCalls: (seen?.modelCalls ?? 0) + account.modelCalls });
    }
  }
  const topAccounts = [...accounts.values()]
    .sort((a, b) => b.modelCalls - a.modelCalls || a.email.localeCompare(b.email))
    .slice(0, topN);
  return { modelCalls, estimatedCostUsd, jobs, topAccounts, peakShare };
}

/** True when nothing happened in the range (the screen shows its empty state). */
export function isQuiet(usage: Usage): boolean {
  return usage.days.every((d) => d.modelCalls === 0 && d.jobs.succeeded + d.jobs.failed === 0);
}

export function formatUsd(value: number): string {
  if (value === 0) return "$0.00";
  return value < 0.01 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}

export function formatSeconds(value: number | null): string {
  return value === null ? "—" : `${value.toFixed(1)} s`;
}
