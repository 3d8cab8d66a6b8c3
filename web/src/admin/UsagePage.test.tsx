// @vitest-environment happy-dom
import { QueryClientProvider } from "@tanstack/react-query";
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Usage, UsageDay } from "../api/types.ts";
import { createQueryClient } from "../app/queryClient.ts";
import UsagePage from "./UsagePage.tsx";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

const day = (date: string, over: Partial<UsageDay> = {}): UsageDay => ({
  date,
  modelCalls: 0,
  budget: 1333,
  estimatedCostUsd: 0,
  byModel: [],
  jobs: { succeeded: 0, failed: 0, retried: 0, deadLettered: 0 },
  finishSeconds: { p50: null, p95: null },
  topAccounts: [],
  ...over,
});
const usage = (days: UsageDay[]): Usage => ({ budget: 1333, pricesAsOf: "2025-06-30", days });

let root: Root;
let container: HTMLElement;

async function render(): Promise<void> {
  container = document.createElement("div");
  document.body.append(container);
  root = createRoot(container);
  await act(async () => root.render(<QueryClientProvider client={createQueryClient()}><UsagePage /></QueryClientProvider>));
  await act(() => new Promise((r) => setTimeout(r, 30)));
}

const text = () => container.textContent ?? "";

describe("UsagePage", () => {
  beforeEach(() => vi.stubGlobal("fetch", vi.fn()));
  afterEach(() => {
    act(() => root.unmount());
    container.remove();
    vi.unstubAllGlobals();
  });

  it("shows the figures as text: stats, the per-day table and the top accounts", async () => {
    vi.mocked(fetch).mockResolvedValue(
      json(200, usage([
        day("2026-12-02", {
          modelCalls: 1100,
          estimatedCostUsd: 1.25,
          byModel: [{ model: "gemini-2.5-flash", calls: 1100, inputTokens: 500_000, outputTokens: 400_000, estimatedCostUsd: 1.25 }],
          jobs: { succeeded: 1000, failed: 7, retried: 40, deadLettered: 2 },
          finishSeconds: { p50: 2.4, p95: 9.8 },
          topAccounts: [{ userId: "u1", email: "heavy@example.test", modelCalls: 300 }],
        }),
        day("2026-12-01"),
      ])),
    );
    await render();
    expect(text()).toContain("Calls today1100");
    expect(text()).toContain("83% of 1333");
    expect(text()).toContain("prices as of 2025-06-30");
    const rows = [...container.querySelectorAll("table")[0]?.querySelectorAll("tbody tr") ?? []].map((r) => r.textContent);
    expect(rows[0]).toContain("110083%$1.25100074022.4 s / 9.8 s");
    expect(container.querySelectorAll("table")[1]?.textContent).toContain("heavy@example.test300");
    expect(container.querySelector("svg")?.closest("[aria-hidden='true']")).not.toBeNull();
  });

  it("says so when nothing ran in the range", async () => {
    vi.mocked(fetch).mockResolvedValue(json(200, usage([day("2026-12-02"), day("2026-12-01")])));
    await render();
    expect(text()).toContain("No AI use in the last 7 days");
    expect(container.querySelector("table")).toBeNull();
  });

  it("shows a designed error with a way to try again when the report cannot load", async () => {
    vi.mocked(fetch).mockResolvedValue(json(403, { error: { code: "forbidden", message: "This needs an admin account", requestId: "r" } }));
    await render();
    expect(container.querySelector("[role='alert']")).not.toBeNull();
    expect([...container.querySelectorAll("button")].map((b) => b.textContent)).toContain("Try again");
    expect(container.querySelector("table")).toBeNull();
  });
});
