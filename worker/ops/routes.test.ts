import { afterEach, describe, expect, it } from "vitest";
import { clearFaults, counts, setFault, type NeonCount } from "../../local/control.ts";
import { callWith, envWith } from "../jobs/testing.ts";
import { call, scopes, testEnv } from "../testing/http.ts";

type ReadyBody = { status: string; checks: Record<string, { status: string }> };

/** Readiness through a fresh isolate state (its own env), so no earlier report is reused. */
const ready = () => callWith<ReadyBody>(envWith(), "GET", "/api/ready");

describe("GET /api/health", () => {
  it("answers ok with the version, touching no dependency", async () => {
    await setFault(testEnv.STANDIN_NEON, { scope: scopes.neon, down: true });
    try {
      const res = await call<{ status: string; version: string }>("GET", "/api/health");
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: "ok", version: expect.any(String) });
      expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.headers.get("server-timing")).toContain('desc="0 round trips"');
    } finally {
      await clearFaults(testEnv.STANDIN_NEON, scopes.neon);
    }
  });
});

describe("GET /api/ready", () => {
  afterEach(async () => {
    await clearFaults(testEnv.STANDIN_NEON, scopes.neon);
    await clearFaults(testEnv.STANDIN_UPSTASH, scopes.upstash);
  });

  it("answers 200 when the database and the cache answer", async () => {
    const res = await ready();
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("ok");
    expect(res.body.checks.database?.status).toBe("ok");
    expect(res.body.checks.cache?.status).toBe("ok");
  });

  it("answers 503 with Retry-After when the database is unreachable", async () => {
    await setFault(testEnv.STANDIN_NEON, { scope: scopes.neon, down: true });
    const res = await ready();
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(res.body.status).toBe("degraded");
    expect(res.body.checks.database?.status).toBe("down");
    expect(res.body.checks.cache?.status).toBe("ok");
  });

  it("answers 503 when the cache is unreachable", async () => {
    await setFault(testEnv.STANDIN_UPSTASH, { scope: scopes.upstash, down: true });
    const res = await ready();
    expect(res.status).toBe(503);
    expect(res.body.checks.cache?.status).toBe("down");
    expect(res.body.checks.database?.status).toBe("ok");
  });

  it("answers from the isolate's last check for a few seconds: a flood of probes costs one query", async () => {
    const target = envWith();
    const neon = async () => {
      const seen = await counts<NeonCount>(testEnv.STANDIN_NEON, scopes.neon);
      return (seen.query ?? 0) + (seen.batch ?? 0);
    };
    const before = await neon();
    for (let i = 0; i < 10; i++) expect((await callWith<ReadyBody>(target, "GET", "/api/ready")).status).toBe(200);
    expect((await neon()) - before).toBe(1);
  });
});

describe("GET /api/openapi.json and /api/docs", () => {
  it("serves an OpenAPI 3.1 document listing the operations routes", async () => {
    const res = await call<{ openapi: string; paths: Record<string, unknown> }>("GET", "/api/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(["/api/health", "/api/ready"]));
  });

  it("serves an interactive reference page", async () => {
    const res = await call("GET", "/api/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.text).toContain("/api/openapi.json");
  });
});
