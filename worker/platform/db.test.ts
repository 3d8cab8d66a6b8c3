import { afterEach, describe, expect, it, vi } from "vitest";
import { clearFaults, setFault } from "../../local/control.ts";
import { call, scopes, testEnv } from "../testing/http.ts";

describe("the query log", () => {
  afterEach(() => clearFaults(testEnv.STANDIN_NEON, scopes.neon));

  it("logs a query slower than the threshold as slow, with its SQL but no parameters", async () => {
    await setFault(testEnv.STANDIN_NEON, { scope: scopes.neon, latencyMs: 150 });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const res = await call("GET", "/api/ready");
    const lines = warn.mock.calls.map((args) => String(args[0]));
    warn.mockRestore();
    expect(res.status).toBe(200);
    const slow = lines.map((l) => JSON.parse(l) as { msg: string; sql?: string; durationMs?: number }).find((l) => l.msg === "slow query");
    expect(slow?.sql).toBe("select 1");
    expect(slow?.durationMs).toBeGreaterThanOrEqual(100);
  });

  it("reports the request's database round trips in Server-Timing", async () => {
    const res = await call("GET", "/api/ready");
    expect(res.headers.get("server-timing")).toMatch(/db;dur=[\d.]+;desc="1 round trips"/);
  });
});
