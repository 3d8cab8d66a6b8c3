/**
 * The local stack: Node-side stand-ins for Neon (HTTP SQL), Upstash Redis (REST), Gemini, an alert
 * webhook and Cloudflare Turnstile (siteverify and the widget script), started together. Everything
 * binds 127.0.0.1. Ports default to 0 (ephemeral, for tests); the dev stack uses DEV_PORTS: Neon
 * 4444, Upstash 4445, Gemini 4446, the alert webhook 4447, Turnstile 4448.
 *
 * @example
 * const stack = await startLocalStack({ migrationsFolder: "drizzle", seed: seedDatabase });
 * neonConfig.fetchEndpoint = stack.urls.neonSql;
 * const db = drizzle({ client: neon(stack.databaseUrl("assay_test")) });
 * const redis = new Redis({ url: stack.urls.upstash, token: stack.upstashToken("test") });
 * await stack.stop();
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startGeminiStandIn } from "./gemini/server.ts";
import { connectionStringFor } from "./neon/credentials.ts";
import { startNeonStandIn } from "./neon/server.ts";
import type { Seed } from "./neon/template.ts";
import { startTurnstileStandIn } from "./turnstile/server.ts";
import { startUpstashStandIn } from "./upstash/server.ts";
import { startWebhookStandIn } from "./webhook/server.ts";

export type { Seed };

export const DEV_PORTS = { neon: 4444, upstash: 4445, gemini: 4446, webhook: 4447, turnstile: 4448 } as const;

const PROJECT_ROOT = resolve(fileURLToPath(new URL(".", import.meta.url)), "..");

export interface LocalStackOptions {
  /** Admin URL of a real PostgreSQL (may create databases); without it, embedded PGlite. */
  pgUrl?: string;
  /** A real Redis; without it, a spawned redis-server (see spawnRedis) or the embedded Redis (ioredis-mock). */
  redisUrl?: string;
  /** Without redisUrl, start a private redis-server when one is on PATH (killed by stop()). */
  spawnRedis?: boolean;
  /** Persist PGlite databases and a spawned Redis here; otherwise everything lives in memory. */
  dataDir?: string;
  /** 0 or omitted = ephemeral. */
  ports?: { neon?: number; upstash?: number; gemini?: number; webhook?: number; turnstile?: number };
  /** drizzle-kit's output folder (default `<project>/drizzle`); may be empty. */
  migrationsFolder?: string;
  /** Seeds the template after migrating; runs with `neonConfig.fetchEndpoint` pointed at the stand-in. */
  seed?: Seed;
  /** The Upstash token secret (default "local-upstash-secret"). */
  upstashSecret?: string;
  /** Drop and re-clone each database on its first use in this run (tests). */
  resetDatabases?: boolean;
  /** Where PGlite snapshots are cached (default node_modules/.cache/assay-local: rebuildable, not data). */
  cacheDir?: string;
  /** One-line notices (template builds, fallbacks). Silent by default. */
  log?: (line: string) => void;
}

export interface LocalStack {
  urls: {
    /** Set `neonConfig.fetchEndpoint` to this. */
    neonSql: string;
    /** UPSTASH_REDIS_REST_URL */
    upstash: string;
    /** `requestOptions.baseUrl` for @google/generative-ai */
    gemini: string;
    /** The alert-webhook stand-in; ALERT_WEBHOOK_URL = `${webhook}/hooks/<scope>` */
    webhook: string;
    /** Origin of the Turnstile stand-in: TURNSTILE_VERIFY_URL is `${turnstile}/turnstile/v0/siteverify`. */
    turnstile: string;
  };
  /**
   * A connection string the Neon stand-in maps to its own database `name` (created on first use),
   * with the user, password and endpoint host it issues: others are refused as Neon refuses them.
   */
  databaseUrl(name: string): string;
  /**
   * The same database over the Postgres wire protocol, for a Hyperdrive binding
   * (DB_DRIVER=hyperdrive): the real server, or PGlite behind a local wire endpoint.
   */
  postgresUrl(name: string): Promise<string>;
  /** The Upstash token for `scope` (counters and faults are per scope); the bare secret without one. */
  upstashToken(scope?: string): string;
  /** Which Upstash backend serves: "redis", "spawned" or "embedded". */
  upstashBackend: "redis" | "spawned" | "embedded";
  /** Processes this stack started (a spawned redis-server), for checks that stop() leaves none. */
  pids: number[];
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const secret = options.upstashSecret ?? "local-upstash-secret";
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const close of stoppers.reverse()) await close().catch((error: unknown) => log(`stop: ${String(error)}`));
    stoppers.length = 0;
  };
  try {
    const gemini = await startGeminiStandIn({ port: options.ports?.gemini });
    stoppers.push(gemini.close);
    const webhook = await startWebhookStandIn({ port: options.ports?.webhook });
    stoppers.push(webhook.close);
    const turnstile = await startTurnstileStandIn({ port: options.ports?.turnstile });
    stoppers.push(turnstile.close);
    const upstash = await startUpstashStandIn({
      port: options.ports?.upstash,
      secret,
      redisUrl: options.redisUrl,
      spawnRedis: options.spawnRedis,
      dataDir: options.dataDir,
      log,
    });
    stoppers.push(upstash.close);
    const neon = await startNeonStandIn({
      port: options.ports?.neon,
      pgUrl: options.pgUrl,
      dataDir: options.dataDir && join(options.dataDir, "neon"),
      cacheDir: options.cacheDir ?? join(PROJECT_ROOT, "node_modules", ".cache", "assay-local"),
      resetDatabases: options.resetDatabases,
      migrationsFolder: options.migrationsFolder ?? join(PROJECT_ROOT, "drizzle"),
      seed: options.seed,
      log,
    });
    stoppers.push(neon.close);
    return {
      urls: { neonSql: neon.sqlUrl, upstash: upstash.url, gemini: gemini.url, webhook: webhook.url, turnstile: turnstile.url },
      databaseUrl: connectionStringFor,
      postgresUrl: (name) => neon.postgresUrl(name),
      upstashToken: (scope) => (scope === undefined ? secret : `${secret}:${scope}`),
      upstashBackend: upstash.backend,
      pids: upstash.redisPid === undefined ? [] : [upstash.redisPid],
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
