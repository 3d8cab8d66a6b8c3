import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, type Env } from "./config.ts";

const base = env as unknown as Env;

describe("loadConfig", () => {
  it("accepts the test bindings", () => {
    expect(loadConfig(base).ENVIRONMENT).toBe("test");
  });

  it("names a missing secret", () => {
    const { JWT_SECRET: _omitted, ...rest } = base;
    expect(() => loadConfig({ ...rest } as Env)).toThrow(ConfigError);
    expect(() => loadConfig({ ...rest } as Env)).toThrow(/JWT_SECRET/);
  });

  it("names every bad variable at once", () => {
    const bad = { ...base, UPSTASH_REDIS_REST_URL: "not a url", AI_DAILY_BUDGET: "-1" } as Env;
    try {
      loadConfig(bad);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as ConfigError).message;
      expect(message).toContain("UPSTASH_REDIS_REST_URL");
      expect(message).toContain("AI_DAILY_BUDGET");
    }
  });

  it("has dated model prices by default and names malformed usage settings", () => {
    const config = loadConfig(base);
    expect(config.AI_MODEL_PRICES.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(config.AI_MODEL_PRICES.models[config.GEMINI_MODEL]).toBeDefined();
    expect(config.AI_MODEL_PRICES.models[config.GEMINI_FALLBACK_MODEL]).toBeDefined();
    expect(() => loadConfig({ ...base, AI_MODEL_PRICES: "{not json" } as Env)).toThrow(/AI_MODEL_PRICES must be JSON/);
    expect(() => loadConfig({ ...base, AI_MODEL_PRICES: '{"models":{}}' } as Env)).toThrow(/AI_MODEL_PRICES/);
    expect(() => loadConfig({ ...base, ALERT_WEBHOOK_URL: "hooks.example" } as Env)).toThrow(/ALERT_WEBHOOK_URL/);
    expect(() => loadConfig({ ...base, ALERT_ACCOUNT_SHARE: "0" } as Env)).toThrow(/ALERT_ACCOUNT_SHARE/);
  });

  it("refuses an unknown database driver, naming it", () => {
    expect(() => loadConfig({ ...base, DB_DRIVER: "mysql" } as Env)).toThrow(/DB_DRIVER must be neon-http or hyperdrive/);
  });

  it("requires the HYPERDRIVE binding with DB_DRIVER=hyperdrive, and then no DATABASE_URL", () => {
    const { DATABASE_URL: _omitted, ...withoutUrl } = base;
    expect(() => loadConfig({ ...withoutUrl, DB_DRIVER: "hyperdrive" } as Env)).toThrow(/HYPERDRIVE is required with DB_DRIVER=hyperdrive/);
    expect(() => loadConfig({ ...withoutUrl, DB_DRIVER: "hyperdrive", HYPERDRIVE: "postgres://x" } as unknown as Env)).toThrow(
      /HYPERDRIVE: must be a Hyperdrive binding/,
    );
    const binding = { connectionString: "postgres://u:p@h.hyperdrive.local:5432/db", connect: () => undefined } as unknown as Hyperdrive;
    expect(loadConfig({ ...withoutUrl, DB_DRIVER: "hyperdrive", HYPERDRIVE: binding } as Env).HYPERDRIVE).toBe(binding);
    expect(() => loadConfig({ ...withoutUrl } as Env)).toThrow(/DATABASE_URL is required/);
  });

  it("refuses RATE_LIMITS that is not JSON or names unknown fields", () => {
    expect(() => loadConfig({ ...base, RATE_LIMITS: "{not json" } as Env)).toThrow(/RATE_LIMITS/);
    expect(() => loadConfig({ ...base, RATE_LIMITS: '{"auth.login.ip":{"max":3}}' } as Env)).toThrow(/RATE_LIMITS/);
  });

  it("requires TURNSTILE_SECRET_KEY in production and staging, and refuses Cloudflare's test secrets in production", () => {
    const { TURNSTILE_SECRET_KEY: _omitted, ...rest } = base;
    for (const ENVIRONMENT of ["production", "staging"]) {
      expect(() => loadConfig({ ...rest, ENVIRONMENT } as Env)).toThrow(/TURNSTILE_SECRET_KEY is required/);
    }
    expect(() => loadConfig({ ...base, ENVIRONMENT: "production", TURNSTILE_SECRET_KEY: "1x0000000000000000000000000000000AA" } as Env)).toThrow(
      /TURNSTILE_SECRET_KEY is one of Cloudflare's test secrets/,
    );
    const { TURNSTILE_VERIFY_URL: _standIn, ...withoutUrl } = base;
    expect(loadConfig({ ...withoutUrl, ENVIRONMENT: "production", TURNSTILE_SECRET_KEY: "0x4AAAAAAA-real" } as Env).TURNSTILE_VERIFY_URL).toBe(
      "https://challenges.cloudflare.com/turnstile/v0/siteverify",
    );
  });

  it("turns /api/docs and Server-Timing off in production unless switched on", () => {
    const production = { ...base, ENVIRONMENT: "production", TURNSTILE_SECRET_KEY: "0x4AAAAAAA-real" } as Env;
    expect(loadConfig(production)).toMatchObject({ API_DOCS: false, SERVER_TIMING: false });
    expect(loadConfig({ ...production, API_DOCS: "on", SERVER_TIMING: "on" } as Env)).toMatchObject({ API_DOCS: true, SERVER_TIMING: true });
    expect(loadConfig({ ...base } as Env)).toMatchObject({ API_DOCS: true, SERVER_TIMING: true });
    expect(() => loadConfig({ ...base, API_DOCS: "yes" } as Env)).toThrow(/API_DOCS must be on or off/);
  });

  it("refuses more PBKDF2 iterations than production Workers allow", () => {
    expect(() => loadConfig({ ...base, PASSWORD_PBKDF2_ITERATIONS: "600000" } as Env)).toThrow(/PASSWORD_PBKDF2_ITERATIONS/);
  });
});
