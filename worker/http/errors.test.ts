import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../app.ts";
import type { Env } from "../config.ts";
import { clearFaults, setFault } from "../../local/control.ts";
import { call, scopes, testEnv } from "../testing/http.ts";
import { TURNSTILE_TOKEN } from "../testing/users.ts";
import { ApiError, type ErrorBody } from "../errors.ts";
import { sql } from "drizzle-orm";
import { users } from "../db/schema.ts";
import { newId } from "../platform/ids.ts";

const ctx = { waitUntil: () => undefined, passThroughOnException: () => undefined, props: {} } as unknown as ExecutionContext;

describe("the error contract", () => {
  it("answers an unknown route with the JSON 404", async () => {
    const res = await call<ErrorBody>("GET", "/api/v1/no-such-thing");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
    expect(res.body.error.requestId).toBe(res.headers.get("x-request-id"));
  });

  it("answers malformed JSON with 400 invalid_json", async () => {
    const res = await call<ErrorBody>("POST", "/api/v1/auth/login", {
      rawBody: '{"email": ',
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_json");
  });

  it("answers a body over 64 KiB with 413 payload_too_large", async () => {
    const res = await call<ErrorBody>("POST", "/api/health", { rawBody: JSON.stringify({ pad: "x".repeat(65 * 1024) }), headers: { "content-type": "application/json" } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("payload_too_large");
  });

  it("answers a non-JSON body with 415 unsupported_media_type", async () => {
    const res = await call<ErrorBody>("POST", "/api/health", { rawBody: "email=a", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe("unsupported_media_type");
  });

  it("answers a thrown error with 500 internal, logs it, and never leaks its message", async () => {
    const app = createApp();
    app.get("/api/v1/boom", () => {
      throw new Error("secret internals: password=hunter2");
    });
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const res = await app.fetch(new Request("https://assay.test/api/v1/boom"), env as unknown as Env, ctx);
    const text = await res.text();
    expect(res.status).toBe(500);
    const body = JSON.parse(text) as ErrorBody;
    expect(body.error.code).toBe("internal");
    expect(text).not.toContain("hunter2");
    expect(logged.mock.calls.flat().join(" ")).toContain("hunter2");
    expect(logged.mock.calls.flat().join(" ")).toContain(body.error.requestId);
    logged.mockRestore();
  });

  it("logs a database error's code and constraint, never the query's parameters", async () => {
    const app = createApp();
    const secret = `private-${crypto.randomUUID()}@example.com`;
    app.post("/api/v1/duplicate", async (c) => {
      const db = c.get("services").db.primary;
      const row = { id: newId(), email: secret, displayName: "Twice", passwordHash: "x" };
      await db.insert(users).values(row);
      await db.insert(users).values({ ...row, id: newId() });
      return c.body(null, 204);
    });
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const res = await app.fetch(new Request("https://assay.test/api/v1/duplicate", { method: "POST" }), env as unknown as Env, ctx);
      expect(res.status).toBe(500);
      const lines = logged.mock.calls.flat().join("\n");
      expect(lines).toContain('"code":"23505"');
      expect(lines).toContain('"constraint":"users_email_key"');
      expect(lines).not.toContain(secret);
      expect(lines).not.toContain("params");
    } finally {
      logged.mockRestore();
    }
  });

  it("answers 400, not 500, for a value Postgres refuses that slipped past validation (class 22)", async () => {
    const app = createApp();
    app.get("/api/v1/nul", async (c) => {
      await c.get("services").db.primary.execute(sql`select ${"a\u0000b"}::text as t`);
      return c.body(null, 204);
    });
    const res = await app.fetch(new Request("https://assay.test/api/v1/nul"), env as unknown as Env, ctx);

    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.code).toBe("validation_failed");
  });

  it("keeps a sane incoming X-Request-Id and replaces an insane one", async () => {
    const kept = await call("GET", "/api/health", { headers: { "X-Request-Id": "trace-abc_123" } });
    expect(kept.headers.get("x-request-id")).toBe("trace-abc_123");
    const replaced = await call("GET", "/api/health", { headers: { "X-Request-Id": "bad id <script>" } });
    expect(replaced.headers.get("x-request-id")).not.toContain("<");
  });

  it("answers 503 unavailable with Retry-After, writing nothing, when the database is down", async () => {
    const email = `down-${crypto.randomUUID()}@example.com`;
    const body = { email, password: "a perfectly fine passphrase", displayName: "Down", turnstileToken: TURNSTILE_TOKEN };
    await setFault(testEnv.STANDIN_NEON, { scope: scopes.neon, down: true });
    try {
      const res = await call<ErrorBody>("POST", "/api/v1/auth/register", { body });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe("unavailable");
      expect(res.headers.get("retry-after")).toBe("5");
      expect(res.text).not.toMatch(/neon|fetch|sql/i);
    } finally {
      await clearFaults(testEnv.STANDIN_NEON, scopes.neon);
    }
    // Nothing was half-written: the same registration now succeeds.
    expect((await call("POST", "/api/v1/auth/register", { body })).status).toBe(201);
  });

  it("answers 503 unavailable when the database answers with a server error", async () => {
    await setFault(testEnv.STANDIN_NEON, { scope: scopes.neon, status: 500 });
    try {
      const res = await call<ErrorBody>("POST", "/api/v1/auth/login", { body: { email: "x@example.com", password: "whatever-password" } });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe("unavailable");
    } finally {
      await clearFaults(testEnv.STANDIN_NEON, scopes.neon);
    }
  });

  it("marks a response with no caching policy of its own no-store, and keeps one that has a policy", async () => {
    const app = createApp();
    app.post("/api/v1/unstated", (c) => c.json({ ok: true }, 201));
    app.get("/api/v1/stated", (c) => {
      c.header("Cache-Control", "private, no-cache");
      return c.json({ ok: true });
    });
    const unstated = await app.fetch(new Request("https://assay.test/api/v1/unstated", { method: "POST" }), env as unknown as Env, ctx);
    expect(unstated.headers.get("cache-control")).toBe("no-store");
    const stated = await app.fetch(new Request("https://assay.test/api/v1/stated"), env as unknown as Env, ctx);
    expect(stated.headers.get("cache-control")).toBe("private, no-cache");
  });

  it("maps ApiError details and Retry-After onto the response", async () => {
    const app = createApp();
    app.get("/api/v1/limited", () => {
      throw new ApiError("rate_limited", "Slow down", { retryAfter: 7.2 });
    });
    const res = await app.fetch(new Request("https://assay.test/api/v1/limited"), env as unknown as Env, ctx);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("8");
  });
});
