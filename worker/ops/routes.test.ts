import { afterEach, describe, expect, it } from "vitest";
import { clearFaults, counts, setFault, type NeonCount } from "../../local/control.ts";
import type { ErrorBody } from "../errors.ts";
import { callWith as callWorker, envWith } from "../jobs/testing.ts";
import { call, callWith, scopes, testEnv } from "../testing/http.ts";
import { apiReferenceScript } from "./api-reference.pin.ts";

/** The project's bindings as production would set them (a real-looking Turnstile secret: test secrets are refused there). */
const PRODUCTION = { ENVIRONMENT: "production", TURNSTILE_SECRET_KEY: "0x4AAAAAAA-production-secret" };

type ReadyBody = { status: string; checks: Record<string, { status: string }> };

/** Readiness through a fresh isolate state (its own env), so no earlier report is reused. */
const ready = () => callWorker<ReadyBody>(envWith(), "GET", "/api/ready");

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
    for (let i = 0; i < 10; i++) expect((await callWorker<ReadyBody>(target, "GET", "/api/ready")).status).toBe(200);
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

  it("serves an interactive reference page whose script is pinned to an exact version with Subresource Integrity", async () => {
    const res = await call("GET", "/api/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.text).toContain("/api/openapi.json");
    const scripts = [...res.text.matchAll(/<script src="([^"]+)" integrity="([^"]+)" crossorigin="anonymous"><\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0]?.[1]).toBe(apiReferenceScript.url);
    expect(scripts[0]?.[1]).toMatch(/@scalar\/api-reference@\d+\.\d+\.\d+\//);
    expect(scripts[0]?.[2]).toBe(apiReferenceScript.integrity);
    expect(res.text.match(/<script/g)).toHaveLength(2);
  });

  it("sends a Content-Security-Policy that allows only the pinned script and the inline starter", async () => {
    const res = await call("GET", "/api/docs");
    const csp = res.headers.get("content-security-policy") ?? "";

    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(new RegExp(`script-src ${apiReferenceScript.url.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} 'sha256-[A-Za-z0-9+/]+=*'(;|$)`));
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    const starter = /<script>([^<]+)<\/script>/.exec(res.text)?.[1] ?? "";
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(starter)));
    expect(csp).toContain(`'sha256-${btoa(String.fromCharCode(...digest))}'`);
  });

  it("answers 404 in production by default, and serves the page when API_DOCS=on", async () => {
    const off = await callWith<ErrorBody>(PRODUCTION, "GET", "/api/docs");
    expect(off.status).toBe(404);
    expect(off.body.error.code).toBe("not_found");

    expect((await callWith({ ...PRODUCTION, API_DOCS: "on" }, "GET", "/api/docs")).status).toBe(200);
    expect((await callWith({ API_DOCS: "off" }, "GET", "/api/docs")).status).toBe(404);
  });
});

describe("Server-Timing", () => {
  it("is sent outside production", async () => {
    expect((await call("GET", "/api/health")).headers.get("server-timing")).toContain("total;dur=");
  });

  it("is not sent in production unless SERVER_TIMING=on", async () => {
    expect((await callWith(PRODUCTION, "GET", "/api/health")).headers.has("server-timing")).toBe(false);
    expect((await callWith({ ...PRODUCTION, SERVER_TIMING: "on" }, "GET", "/api/health")).headers.get("server-timing")).toContain("total;dur=");
  });
});
