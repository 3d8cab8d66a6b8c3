import { describe, expect, it } from "vitest";
import type { Usage, UsageDay } from "../api/types.ts";
import { formatSeconds, formatUsd, isQuiet, usageTotals } from "./usageSummary.ts";

const day = (date: string, over: Partial<UsageDay> = {}): UsageDay => ({
  date,
  modelCalls: 0,
  budget: 100,
  estimatedCostUsd: 0,
  byModel: [],
  jobs: { succeeded: 0, failed: 0, retried: 0, deadLettered: 0 },
  finishSeconds: { p50: null, p95: null },
  topAccounts: [],
  ...over,
});

const usage = (days: UsageDay[]): Usage => ({ budget: 100, pricesAsOf: "2025-06-30", days });

describe("usageTotals", () => {
  it("sums calls, cost and outcomes over the days, and the busiest day's share of the budget", () => {
    const totals = usageTotals(
      usage([
        day("2026-12-02", { modelCalls: 80, estimatedCostUsd: 0.5, jobs: { succeeded: 70, failed: 2, retried: 5, deadLettered: 1 } }),
        day("2026-12-01", { modelCalls: 20, estimatedCostUsd: 0.25, jobs: { succeeded: 19, failed: 1, retried: 0, deadLettered: 0 } }),
      ]),
    );
    expect(totals).toMatchObject({ modelCalls: 100, estimatedCostUsd: 0.75, peakShare: 0.8 });
    expect(totals.jobs).toEqual({ succeeded: 89, failed: 3, retried: 5, deadLettered: 1 });
  });

  it("ranks accounts by their calls summed across days", () => {
    const a = { userId: "a", email: "a@x.test" };
    const b = { userId: "b", email: "b@x.test" };
    const totals = usageTotals(
      usage([
        day("2026-12-02", { topAccounts: [{ ...b, modelCalls: 5 }, { ...a, modelCalls: 4 }] }),
        day("2026-12-01", { topAccounts: [{ ...a, modelCalls: 3 }] }),
      ]),
    );
    expect(totals.topAccounts).toEqual([{ ...a, modelCalls: 7 }, { ...b, modelCalls: 5 }]);
  });
});

describe("formatting", () => {
  it("shows small costs with enough digits and missing times as a dash", () => {
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatUsd(0.0012)).toBe("$0.0012");
    expect(formatUsd(12.345)).toBe("$12.35");
    expect(formatSeconds(null)).toBe("—");
    expect(formatSeconds(2.34)).toBe("2.3 s");
  });

  it("calls a range without calls or finished jobs quiet", () => {
    expect(isQuiet(usage([day("2026-12-02")]))).toBe(true);
    expect(isQuiet(usage([day("2026-12-02", { modelCalls: 1 })]))).toBe(false);
  });
});
