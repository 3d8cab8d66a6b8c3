/**
 * Worker bindings and the validated configuration derived from them. Parsing fails fast with a
 * message that names every missing or malformed variable; nothing reads `env` directly elsewhere.
 */
import { z } from "zod";

export interface JobMessage {
  jobId: string;
}

/** What wrangler.toml, `.dev.vars` and `wrangler secret put` provide. */
export interface Env {
  ENVIRONMENT?: string;
  APP_VERSION?: string;
  DATABASE_URL?: string;
  DATABASE_READ_URL?: string;
  DB_DRIVER?: string;
  NEON_FETCH_ENDPOINT?: string;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  KEY_PREFIX?: string;
  JWT_SECRET?: string;
  JWT_PREVIOUS_SECRET?: string;
  JWT_KEY_ID?: string;
  JWT_PREVIOUS_KEY_ID?: string;
  PASSWORD_PEPPER?: string;
  PASSWORD_PBKDF2_ITERATIONS?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  ACCESS_TOKEN_TTL_SECONDS?: string;
  REFRESH_TOKEN_IDLE_SECONDS?: string;
  REFRESH_TOKEN_ABSOLUTE_SECONDS?: string;
  REFRESH_REUSE_GRACE_SECONDS?: string;
  RATE_LIMITS?: string;
  GEMINI_API_KEY?: string;
  GEMINI_BASE_URL?: string;
  GEMINI_MODEL?: string;
  GEMINI_FALLBACK_MODEL?: string;
  AI_DAILY_BUDGET?: string;
  AI_USER_HOURLY_LIMIT?: string;
  AI_USER_DAILY_LIMIT?: string;
  AI_IP_DAILY_LIMIT?: string;
  AI_MODEL_TIMEOUT_MS?: string;
  AI_MAX_ATTEMPTS?: string;
  AI_RETRY_BASE_SECONDS?: string;
  AI_SWEEP_AFTER_SECONDS?: string;
  AI_EVENTS_MAX_SECONDS?: string;
  AI_MODEL_PRICES?: string;
  ALERT_WEBHOOK_URL?: string;
  ALERT_ACCOUNT_SHARE?: string;
  CORS_ORIGINS?: string;
  SLOW_QUERY_MS?: string;
  LOG_LEVEL?: string;
  CACHE_ENABLED?: string;
  CACHE_TIMEOUT_MS?: string;
  TURNSTILE_SECRET_KEY?: string;
  TURNSTILE_VERIFY_URL?: string;
  API_DOCS?: string;
  SERVER_TIMING?: string;
  ADMIN_EMAIL?: string;
  ADMIN_PASSWORD?: string;
  /** With DB_DRIVER=hyperdrive: the database (and optionally a read replica) behind Hyperdrive. */
  HYPERDRIVE?: Hyperdrive;
  HYPERDRIVE_READ?: Hyperdrive;
  AI_JOBS: Queue<JobMessage>;
}

const secret = (name: string) => z.string({ error: `${name} is required` }).min(16, `${name} must be at least 16 characters`);
/** A binding is kept as it is (its `connect()` is a method), only checked for its shape. */
const hyperdriveBinding = z.custom<Hyperdrive>(
  (value) => typeof value === "object" && value !== null && "connectionString" in value && "connect" in value,
  { error: "must be a Hyperdrive binding ([[hyperdrive]] in wrangler.toml)" },
);
const flag = z.enum(["true", "false"]).transform((v) => v === "true");
/** A variable holding JSON, parsed (or named in the error) before its own schema checks it. */
const jsonVar = (name: string, fallback: unknown) =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined) return fallback;
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: `${name} must be JSON` });
        return z.NEVER;
      }
    });

/** Gemini API paid-tier prices (ai.google.dev/gemini-api/docs/pricing), as bench/prices.json records them. */
const DEFAULT_MODEL_PRICES = {
  asOf: "2025-06-30",
  models: {
    "gemini-2.5-flash": { inputPerMillionTokens: 0.3, outputPerMillionTokens: 2.5 },
    "gemini-2.5-flash-lite": { inputPerMillionTokens: 0.1, outputPerMillionTokens: 0.4 },
  },
};

/** A switch whose default depends on the environment (resolved after parsing). */
const onOff = (name: string) => z.enum(["on", "off"], { error: `${name} must be on or off` }).optional();

/** Cloudflare's documented Turnstile test secrets (always pass, always fail, token spent): never in production. */
export const TURNSTILE_TEST_SECRET = /^[123]x0{30,}AA$/;

const schema = z
  .object({
    ENVIRONMENT: z.enum(["development", "test", "staging", "production"]).default("development"),
    APP_VERSION: z.string().default("0.0.0-dev"),
    /** neon-http: DATABASE_URL over Neon's HTTP API. hyperdrive: any Postgres behind the HYPERDRIVE binding. */
    DB_DRIVER: z.enum(["neon-http", "hyperdrive"], { error: "DB_DRIVER must be neon-http or hyperdrive" }).default("neon-http"),
    HYPERDRIVE: hyperdriveBinding.optional(),
    HYPERDRIVE_READ: hyperdriveBinding.optional(),
    DATABASE_URL: z.url({ error: "DATABASE_URL must be a postgres:// connection string" }).optional(),
    DATABASE_READ_URL: z.url({ error: "DATABASE_READ_URL must be a postgres:// connection string" }).optional(),
    NEON_FETCH_ENDPOINT: z.url().optional(),
    UPSTASH_REDIS_REST_URL: z.url({ error: "UPSTASH_REDIS_REST_URL is required (an https:// URL)" }),
    UPSTASH_REDIS_REST_TOKEN: z.string({ error: "UPSTASH_REDIS_REST_TOKEN is required" }).min(1, "UPSTASH_REDIS_REST_TOKEN is required"),
    KEY_PREFIX: z.string().default("assay:"),
    JWT_SECRET: secret("JWT_SECRET"),
    JWT_PREVIOUS_SECRET: secret("JWT_PREVIOUS_SECRET").optional(),
    JWT_KEY_ID: z.string().min(1).default("k1"),
    JWT_PREVIOUS_KEY_ID: z.string().min(1).default("k0"),
    PASSWORD_PEPPER: secret("PASSWORD_PEPPER"),
    // Production Workers reject PBKDF2 above 100,000 iterations (docs/ARCHITECTURE.md, "Platform facts").
    PASSWORD_PBKDF2_ITERATIONS: z.coerce.number().int().min(10_000).max(100_000).default(100_000),
    JWT_ISSUER: z.string().min(1).default("assay"),
    JWT_AUDIENCE: z.string().min(1).default("assay-api"),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
    REFRESH_TOKEN_IDLE_SECONDS: z.coerce.number().int().positive().default(14 * 86_400),
    REFRESH_TOKEN_ABSOLUTE_SECONDS: z.coerce.number().int().positive().default(60 * 86_400),
    REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(120).default(10),
    /** JSON overrides of worker/platform/limits.ts, e.g. `{"auth.login.ip":{"limit":20}}`. */
    RATE_LIMITS: z
      .string()
      .default("{}")
      .transform((s, ctx) => {
        try {
          return JSON.parse(s) as unknown;
        } catch {
          ctx.addIssue({ code: "custom", message: "RATE_LIMITS must be JSON" });
          return z.NEVER;
        }
      })
      .pipe(
        z.record(
          z.string(),
          z.object({ limit: z.number().int().positive().optional(), windowSeconds: z.number().int().positive().optional() }).strict(),
        ),
      ),
    GEMINI_API_KEY: z.string({ error: "GEMINI_API_KEY is required" }).min(1, "GEMINI_API_KEY is required"),
    GEMINI_BASE_URL: z.url().optional(),
    GEMINI_MODEL: z.string().min(1).default("gemini-2.5-flash"),
    GEMINI_FALLBACK_MODEL: z.string().min(1).default("gemini-2.5-flash-lite"),
    AI_DAILY_BUDGET: z.coerce.number().int().positive().default(1333),
    AI_USER_HOURLY_LIMIT: z.coerce.number().int().positive().default(20),
    /** The most of the global budget one account may take in a day (default 4.5 % of 1333). */
    AI_USER_DAILY_LIMIT: z.coerce.number().int().positive().default(60),
    /** The most of the global budget one address (IPv4, or IPv6 /64) may take in a day, all its accounts together (15 %). */
    AI_IP_DAILY_LIMIT: z.coerce.number().int().positive().default(200),
    /** Per model call; a running job's lease is this plus a minute. */
    AI_MODEL_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(300_000).default(25_000),
    /** Model attempts per job before it fails (the queue's max_retries + 1 is the backstop). */
    AI_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(6).default(5),
    /** First retry delay; doubles per attempt, with jitter. */
    AI_RETRY_BASE_SECONDS: z.coerce.number().int().min(0).max(600).default(2),
    /** The sweeper re-enqueues jobs untouched for this long (queued, or running past their lease). */
    AI_SWEEP_AFTER_SECONDS: z.coerce.number().int().min(0).default(300),
    /** `/jobs/:id/events` waits this long for a pushed final status, then reads the job once more and closes. */
    AI_EVENTS_MAX_SECONDS: z.coerce.number().int().min(1).max(600).default(60),
    /**
     * USD per million tokens, per model, as published on the date `asOf` (the usage report's
     * estimated cost). Defaults: Gemini API paid tier, as bench/prices.json records them.
     */
    AI_MODEL_PRICES: jsonVar("AI_MODEL_PRICES", DEFAULT_MODEL_PRICES).pipe(
      z.object({
        asOf: z.iso.date(),
        models: z.record(
          z.string(),
          z.object({ inputPerMillionTokens: z.number().nonnegative(), outputPerMillionTokens: z.number().nonnegative() }).strict(),
        ),
      }),
    ),
    /** Usage alerts (worker/platform/alerts.ts) are also posted here, once each, when set. */
    ALERT_WEBHOOK_URL: z.url({ error: "ALERT_WEBHOOK_URL must be an http(s) URL" }).optional(),
    /** One account making more than this share of the daily budget raises an alert. */
    ALERT_ACCOUNT_SHARE: z.coerce.number().gt(0).max(1).default(0.1),
    CORS_ORIGINS: z
      .string()
      .default("")
      .transform((s) => s.split(",").map((o) => o.trim()).filter(Boolean)),
    SLOW_QUERY_MS: z.coerce.number().nonnegative().default(100),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
    CACHE_ENABLED: flag.default(true),
    /** A cache slower than this is skipped (reads go to the database). */
    CACHE_TIMEOUT_MS: z.coerce.number().int().positive().default(300),
    /** Turnstile's secret, for the sign-up bot check; production and staging refuse to start without a real one. */
    TURNSTILE_SECRET_KEY: z.string().min(1).optional(),
    TURNSTILE_VERIFY_URL: z.url().default("https://challenges.cloudflare.com/turnstile/v0/siteverify"),
    /** `/api/docs`: off in production unless switched on. */
    API_DOCS: onOff("API_DOCS"),
    /** `Server-Timing` on responses: off in production unless switched on. */
    SERVER_TIMING: onOff("SERVER_TIMING"),
  })
  .superRefine((v, ctx) => {
    const deployed = v.ENVIRONMENT === "production" || v.ENVIRONMENT === "staging";
    if (deployed && !v.TURNSTILE_SECRET_KEY) {
      ctx.addIssue({ code: "custom", path: ["TURNSTILE_SECRET_KEY"], message: "TURNSTILE_SECRET_KEY is required (the sign-up bot check's secret)" });
    }
    if (v.ENVIRONMENT === "production" && v.TURNSTILE_SECRET_KEY && TURNSTILE_TEST_SECRET.test(v.TURNSTILE_SECRET_KEY)) {
      ctx.addIssue({ code: "custom", path: ["TURNSTILE_SECRET_KEY"], message: "TURNSTILE_SECRET_KEY is one of Cloudflare's test secrets, never valid in production" });
    }
    if (v.DB_DRIVER === "neon-http" && !v.DATABASE_URL) {
      ctx.addIssue({ code: "custom", path: ["DATABASE_URL"], message: "DATABASE_URL is required (a Neon postgres:// connection string)" });
    }
    if (v.DB_DRIVER === "hyperdrive" && !v.HYPERDRIVE) {
      ctx.addIssue({
        code: "custom",
        path: ["HYPERDRIVE"],
        message: "HYPERDRIVE is required with DB_DRIVER=hyperdrive (a [[hyperdrive]] binding in wrangler.toml)",
      });
    }
  })
  .transform(({ API_DOCS, SERVER_TIMING, ...v }) => {
    const production = v.ENVIRONMENT === "production";
    return {
      ...v,
      API_DOCS: API_DOCS === undefined ? !production : API_DOCS === "on",
      SERVER_TIMING: SERVER_TIMING === undefined ? !production : SERVER_TIMING === "on",
    };
  });

export type Config = z.output<typeof schema>;

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration: ${problems.join("; ")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

const parsed = new WeakMap<Env, Config>();

/** Validates the bindings once per `env` object (one per isolate in production). */
export function loadConfig(env: Env): Config {
  const cached = parsed.get(env);
  if (cached) return cached;
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.join(".");
        return issue.message.includes(name) ? issue.message : `${name}: ${issue.message}`;
      }),
    );
  }
  parsed.set(env, result.data);
  return result.data;
}
