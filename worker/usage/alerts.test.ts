import { afterEach, describe, expect, it, vi } from "vitest";
import { counts, webhookPosts, type WebhookCount } from "../../local/control.ts";
import type { Env } from "../config.ts";
import { envWith, lostQueue } from "../jobs/testing.ts";
import { passedThresholds } from "../platform/alerts.ts";
import { testEnv } from "../testing/http.ts";
import { registerUser } from "../testing/users.ts";
import { chat } from "./testing.ts";

/** An env with a budget of `budget`, posting alerts to a webhook scope of its own; jobs stay queued. */
function alerting(budget: number, overrides: Partial<Env> = {}): { target: Env; scope: string } {
  const scope = `alerts-${crypto.randomUUID()}`;
  const target = envWith({
    AI_DAILY_BUDGET: String(budget),
    AI_USER_HOURLY_LIMIT: "1000",
    ALERT_WEBHOOK_URL: `${testEnv.STANDIN_WEBHOOK}/hooks/${scope}`,
    ALERT_ACCOUNT_SHARE: "1",
    LOG_LEVEL: "error",
    AI_JOBS: lostQueue,
    ...overrides,
  });
  return { target, scope };
}

const posted = async (scope: string) => (await counts<WebhookCount>(testEnv.STANDIN_WEBHOOK, scope)).post;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("usage alerts", () => {
  it("knows which thresholds a count has passed", () => {
    const counted = { day: "2026-12-02", userId: "u", calls: 0, accountCalls: 0 };
    expect(passedThresholds(1333, 0.1, { ...counted, calls: 1066 })).toEqual([]);
    expect(passedThresholds(1333, 0.1, { ...counted, calls: 1067 }).map((a) => a.threshold)).toEqual([0.8]);
    expect(passedThresholds(1333, 0.1, { ...counted, calls: 1267 }).map((a) => a.threshold)).toEqual([0.8, 0.95]);
    expect(passedThresholds(1333, 0.1, { ...counted, calls: 1, accountCalls: 134 })).toMatchObject([
      { kind: "account", userId: "u", modelCalls: 134 },
    ]);
  });

  it("warns once at 80 % of the budget however many requests cross it, and posts to the webhook once", async () => {
    const { target, scope } = alerting(20, { LOG_LEVEL: "warn" });
    const warnings: string[] = [];
    vi.spyOn(console, "warn").mockImplementation((line: unknown) => {
      if (typeof line === "string" && line.includes("usage threshold passed")) warnings.push(line);
    });
    const [alice, bob] = await Promise.all([registerUser(), registerUser()]);

    for (let i = 0; i < 15; i++) await chat(i % 2 ? bob : alice, target); // calls 1..15: below 80 %
    expect(await posted(scope)).toBe(0);
    // Calls 16, 17 and 18 all pass 80 % (16 of 20), at the same time.
    await Promise.all([chat(alice, target), chat(bob, target), chat(alice, target)]);

    expect(await posted(scope)).toBe(1);
    expect(warnings).toHaveLength(1);
    const [post] = await webhookPosts(testEnv.STANDIN_WEBHOOK, scope);
    expect(post).toMatchObject({ alert: { kind: "budget", threshold: 0.8, budget: 20 }, text: expect.stringContaining("80%") });
    expect(JSON.parse(warnings[0] ?? "{}")).toMatchObject({ level: "warn", alert: "budget", threshold: 0.8 });

    // The 19th call passes 95 %: its own alert, once.
    await chat(bob, target);
    expect(await posted(scope)).toBe(2);
    expect((await webhookPosts(testEnv.STANDIN_WEBHOOK, scope))[1]).toMatchObject({ alert: { threshold: 0.95 } });
  });

  it("warns once when one account passes its configured share of the budget", async () => {
    const { target, scope } = alerting(100, { ALERT_ACCOUNT_SHARE: "0.05" });
    const [alice, bob] = await Promise.all([registerUser(), registerUser()]);
    for (let i = 0; i < 5; i++) await chat(alice, target);
    await chat(bob, target);
    expect(await posted(scope)).toBe(0);
    await chat(alice, target); // alice's 6th call: over 5 % of 100
    await chat(alice, target);
    expect(await posted(scope)).toBe(1);
    expect((await webhookPosts(testEnv.STANDIN_WEBHOOK, scope))[0]).toMatchObject({
      alert: { kind: "account", userId: alice.user.id, modelCalls: 6, threshold: 0.05 },
    });
  });

  it("never delays or fails the request when the webhook is down", async () => {
    const { target, scope } = alerting(1, { ALERT_WEBHOOK_URL: "http://127.0.0.1:9/hooks/nowhere" });
    const alice = await registerUser();
    await expect(chat(alice, target)).resolves.toMatchObject({ job: { status: "queued" } });
    expect(await posted(scope)).toBe(0);
  });
});
