import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { clearFaults, setFault } from "../../local/control.ts";
import { createApp } from "../app.ts";
import type { Env } from "../config.ts";
import { call, scopes, testEnv } from "../testing/http.ts";

const ctx = { waitUntil: () => undefined, passThroughOnException: () => undefined, props: {} } as unknown as ExecutionContext;

describe("the query log", () => {
  afterEach(() => clearFaults(testEnv.STANDIN_NEON, scopes.neon));

  it("logs a query slower than the threshold as slow, with its SQL but no parameters", async () => {
    await setFault(testEnv.STANDIN_NEON, { scope: scopes.neon, latencyMs: 150 });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const res = await createApp().fetch(
      new Request("https://assay.test/api/ready"),
      { ...(env as unknown as Env), LOG_LEVEL: "warn", SLOW_QUERY_MS: "100" },
      ctx,
    );
    const lines = warn.mock.calls.map((args) => JSON.parse(String(args[0])) as { msg: string; sql?: string; durationMs?: number });
    warn.mockRestore();
    expect(res.status).toBe(200);
    const slow = lines.find((l) => l.msg === "slow query");
    expect(slow?.sql).toBe("select 1");
    expect(slow?.durationMs).toBeGreaterThanOrEqual(100);
  });

  it("does not log queries under the threshold", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    await createApp().fetch(new Request("https://assay.test/api/ready"), { ...(env as unknown as Env), LOG_LEVEL: "warn", SLOW_QUERY_MS: "1000" }, ctx);
    const slow = warn.mock.calls.filter((args) => String(args[0]).includes("slow query"));
    warn.mockRestore();
    expect(slow).toEqual([]);
  });

  it("reports the request's database round trips in Server-Timing", async () => {
    const res = await call("GET", "/api/ready");
    expect(res.headers.get("server-timing")).toMatch(/db;dur=[\d.]+;desc="1 round trips"/);
  });
});
