/**
 * DB_DRIVER=hyperdrive inside workerd: the Worker's database is reached through a Hyperdrive
 * binding (miniflare's local Hyperdrive, pointed at the real PostgreSQL or at PGlite behind the
 * local wire endpoint). The feature suites run in this project too (local/vitest/projects.ts);
 * these are the driver's own guarantees.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { counts, type NeonCount } from "../../../local/control.ts";
import { createApp } from "../../app.ts";
import type { Env } from "../../config.ts";
import { call, scopes, testEnv } from "../../testing/http.ts";
import { registerUser } from "../../testing/users.ts";

const ctx = { waitUntil: () => undefined, passThroughOnException: () => undefined, props: {} } as unknown as ExecutionContext;
const bindings = env as unknown as Env & { HYPERDRIVE: Hyperdrive; HYPERDRIVE_DOWN: Hyperdrive };

function roundTrips(res: { headers: Headers }): number {
  const match = /db;dur=[\d.]+;desc="(\d+) round trips"/.exec(res.headers.get("server-timing") ?? "");
  return Number(match?.[1]);
}

describe("the Hyperdrive driver", () => {
  it("serves reads and writes through the binding, never through Neon's HTTP API", async () => {
    const before = await counts<NeonCount>(testEnv.STANDIN_NEON, scopes.neon);
    const { accessToken } = await registerUser();
    const me = await call<{ email: string }>("GET", "/api/v1/me", { token: accessToken });
    expect(me.status).toBe(200);
    expect(await counts<NeonCount>(testEnv.STANDIN_NEON, scopes.neon)).toEqual(before);
  });

  it("counts each pipeline as one database round trip in Server-Timing, a write batch included", async () => {
    expect(roundTrips(await call("GET", "/api/ready"))).toBe(1);
    const { accessToken } = await registerUser();
    const created = await call("POST", "/api/v1/assessments", { token: accessToken, body: { templateSlug: "who-5" } });
    expect(created.status).toBe(201);
    expect(roundTrips(created)).toBe(1);
  });

  it("answers /api/ready 503 with Retry-After when the database behind Hyperdrive is down", async () => {
    const res = await createApp().fetch(new Request("https://assay.test/api/ready"), { ...bindings, HYPERDRIVE: bindings.HYPERDRIVE_DOWN }, ctx);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(await res.json()).toMatchObject({ status: "degraded", checks: { database: { status: "down" }, cache: { status: "ok" } } });
  });

  it("answers a route 503 `unavailable` without internals when the database is down, and logs why", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const res = await createApp().fetch(
      new Request("https://assay.test/api/v1/templates", { headers: { "CF-Connecting-IP": "10.9.9.9" } }),
      { ...bindings, HYPERDRIVE: bindings.HYPERDRIVE_DOWN, CACHE_ENABLED: "false" },
      ctx,
    );
    const body = await res.text();
    expect(res.status).toBe(503);
    expect(JSON.parse(body)).toMatchObject({ error: { code: "unavailable" } });
    expect(body).not.toMatch(/127\.0\.0\.1|refused|hyperdrive|session/i);
    const logged = error.mock.calls.map((args) => String(args[0])).join("\n");
    error.mockRestore();
    expect(logged).toContain("database session failed");
  });

  it("logs a query over the threshold as slow, with its SQL and no parameters", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const res = await createApp().fetch(new Request("https://assay.test/api/ready"), { ...bindings, LOG_LEVEL: "warn", SLOW_QUERY_MS: "0" }, ctx);
    const lines = warn.mock.calls.map((args) => JSON.parse(String(args[0])) as { msg: string; sql?: string });
    warn.mockRestore();
    expect(res.status).toBe(200);
    expect(lines.find((line) => line.msg === "slow query")?.sql).toBe("select 1");
  });
});
