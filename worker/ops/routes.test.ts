import { afterEach, describe, expect, it } from "vitest";
import { clearFaults, setFault } from "../../local/control.ts";
import { call, scopes, testEnv } from "../testing/http.ts";

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
    const res = await call<{ status: string; checks: Record<string, { status: string }> }>("GET", "/api/ready");
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("ok");
    expect(res.body.checks.database?.status).toBe("ok");
    expect(res.body.checks.cache?.status).toBe("ok");
  });

  it("answers 503 with Retry-After when the database is unreachable", async () => {
    await setFault(testEnv.STANDIN_NEON, { scope: scopes.neon, down: true });
    const res = await call<{ status: string; checks: Record<string, { status: string }> }>("GET", "/api/ready");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(res.body.status).toBe("degraded");
    expect(res.body.checks.database?.status).toBe("down");
    expect(res.body.checks.cache?.status).toBe("ok");
  });

  it("answers 503 when the cache is unreachable", async () => {
    await setFault(testEnv.STANDIN_UPSTASH, { scope: scopes.upstash, down: true });
    const res = await call<{ status: string; checks: Record<string, { status: string }> }>("GET", "/api/ready");
    expect(res.status).toBe(503);
    expect(res.body.checks.cache?.status).toBe("down");
    expect(res.body.checks.database?.status).toBe("ok");
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
