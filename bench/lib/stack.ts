/**
 * The bench's world: one set of stand-ins (Neon, Upstash, Gemini) and any number of independent
 * `wrangler dev` processes pointed at them, each with its own port, persistence dir and env file.
 * Backends: real PostgreSQL when LOCAL_PG_URL is set (or one answers on 127.0.0.1:5432), else
 * PGlite; a private redis-server when one is on PATH, else the embedded Redis (ioredis-mock).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { neon, neonConfig } from "@neondatabase/serverless";
import pg from "pg";
import { seedDatabase } from "../../drizzle/seed.ts";
import { withLocalHyperdrive } from "../../local/hyperdrive-config.ts";
import { startLocalStack, type LocalStack } from "../../local/stack.ts";
import { TURNSTILE_TEST_KEYS } from "../../local/turnstile/server.ts";

export const ROOT = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");
export const WORK_DIR = join(ROOT, ".data", "bench");
const UPSTASH_SECRET = "bench-upstash-secret";
const DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres";

export interface BenchStack {
  urls: LocalStack["urls"];
  /** Base URL of the Neon stand-in (its `/__control/` lives there). */
  neonBase: string;
  backends: { neon: "postgres" | "pglite"; upstash: LocalStack["upstashBackend"] };
  databaseUrl(name: string): string;
  upstashToken(scope: string): string;
  /** Creates (clones) a database now, so no measured request pays for it. */
  warmDatabase(name: string): Promise<void>;
  /** The same database over the Postgres wire protocol, for a Hyperdrive binding. */
  postgresUrl(name: string): Promise<string>;
  stop(): Promise<void>;
}

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface WorkerBuild {
  /** The wrangler config the instances run (the bundle, not the sources). */
  config: string;
  /** `git describe`-style id of the code measured (with "-dirty" when the tree has changes). */
  version: string;
}

/**
 * Bundles the Worker once (`wrangler deploy --dry-run`, offline) and writes a config that runs the
 * bundle with `--no-bundle`. Every instance then runs the same snapshot, and edits to worker/
 * during a run (other people work in this checkout) do not reload the instances mid-measurement.
 */
export function buildWorker(): WorkerBuild {
  const dir = join(WORK_DIR, "build");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const run = spawnSync(process.execPath, [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", dir], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
  });
  if (run.status !== 0 || !existsSync(join(dir, "index.js"))) throw new Error(`bundling the Worker failed:\n${run.stdout}\n${run.stderr}`);
  const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8")
    .replace(/^main\s*=.*$/m, 'main = "index.js"')
    .replace(/^\[alias\][^[]*/m, "")
    .replace(/^#:schema.*$/m, "");
  const config = join(dir, "wrangler.toml");
  writeFileSync(config, toml);
  const git = (args: string[]) => spawnSync("git", args, { cwd: ROOT, encoding: "utf8" }).stdout.trim();
  const version = `${git(["rev-parse", "--short", "HEAD"]) || "unknown"}${git(["status", "--porcelain", "--", "worker", "wrangler.toml"]) ? "-dirty" : ""}`;
  return { config, version };
}

export async function startBenchStack(log: (line: string) => void = () => undefined): Promise<BenchStack> {
  const pgUrl = process.env.LOCAL_PG_URL ?? ((await postgresAnswers(DEFAULT_PG)) ? DEFAULT_PG : undefined);
  const stack = await startLocalStack({
    pgUrl,
    redisUrl: process.env.LOCAL_REDIS_URL,
    spawnRedis: true,
    upstashSecret: UPSTASH_SECRET,
    resetDatabases: true,
    seed: seedDatabase,
    log,
  });
  neonConfig.fetchEndpoint = stack.urls.neonSql;
  return {
    urls: stack.urls,
    neonBase: stack.urls.neonSql.replace(/\/sql$/, ""),
    backends: { neon: pgUrl ? "postgres" : "pglite", upstash: stack.upstashBackend },
    databaseUrl: (name) => stack.databaseUrl(name),
    upstashToken: (scope) => stack.upstashToken(scope),
    warmDatabase: async (name) => {
      await neon(stack.databaseUrl(name)).query("select 1");
    },
    postgresUrl: (name) => stack.postgresUrl(name),
    stop: () => stack.stop(),
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface WorkerOptions {
  /** From buildWorker(); without it, wrangler bundles (and watches) the sources itself. */
  build?: WorkerBuild;
  /** Names the instance's persistence dir, env file and log. */
  name: string;
  /** Neon database name (also the Neon counter scope). */
  database: string;
  /** Upstash token scope (counters and faults). */
  upstashScope: string;
  /** Gemini API key (the Gemini counter scope). */
  geminiKey: string;
  /** Shared by instances that must share limits and caches. */
  keyPrefix: string;
  /** Extra variables (overrides of wrangler.toml [vars] and config defaults). */
  vars?: Record<string, string>;
  /** A postgres:// URL: the instance runs with DB_DRIVER=hyperdrive on a local Hyperdrive binding to it (needs `build`). */
  hyperdrive?: string;
}

export interface WorkerInstance {
  name: string;
  url: string;
  /** The wrangler process; it leads a process group holding its workerd processes. */
  pid: number;
  /** The instance's wrangler output (JSON log lines of the Worker included). */
  logFile: string;
  /** Triggers the Worker's scheduled() (the outbox sweeper) once. */
  runCron(): Promise<void>;
  stop(): Promise<void>;
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no answer from ${url} after ${timeoutMs} ms`);
}

const running = new Set<number>();

/** Last resort on exit: no wrangler process of ours outlives the bench. */
process.on("exit", () => {
  for (const pid of running) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

/** One `wrangler dev` process (API + queue consumer + cron) against the bench stack. */
export async function startWorker(stack: BenchStack, options: WorkerOptions): Promise<WorkerInstance> {
  // Another process may take a port between our probe and wrangler's bind: try fresh ones.
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnWorker(stack, options);
    } catch (err) {
      if (attempt >= 3 || !(err instanceof PortTaken)) throw err;
    }
  }
}

/** Starts several instances at once; if one fails, the others are stopped. */
export async function startWorkers(stack: BenchStack, list: WorkerOptions[]): Promise<WorkerInstance[]> {
  const settled = await Promise.allSettled(list.map((options) => startWorker(stack, options)));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    await Promise.all(settled.map((s) => (s.status === "fulfilled" ? s.value.stop() : undefined)));
    throw failed.reason;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<WorkerInstance>).value);
}

class PortTaken extends Error {}

async function spawnWorker(stack: BenchStack, options: WorkerOptions): Promise<WorkerInstance> {
  const dir = join(WORK_DIR, options.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const vars: Record<string, string> = {
    ENVIRONMENT: "development",
    DATABASE_URL: stack.databaseUrl(options.database),
    NEON_FETCH_ENDPOINT: stack.urls.neonSql,
    UPSTASH_REDIS_REST_URL: stack.urls.upstash,
    UPSTASH_REDIS_REST_TOKEN: stack.upstashToken(options.upstashScope),
    KEY_PREFIX: options.keyPrefix,
    GEMINI_API_KEY: options.geminiKey,
    GEMINI_BASE_URL: stack.urls.gemini,
    JWT_SECRET: "bench-jwt-secret-0123456789abcdef",
    PASSWORD_PEPPER: "bench-pepper-0123456789abcdef",
    TURNSTILE_SECRET_KEY: TURNSTILE_TEST_KEYS.passSecret,
    TURNSTILE_VERIFY_URL: `${stack.urls.turnstile}/turnstile/v0/siteverify`,
    LOG_LEVEL: "warn",
    ...(options.hyperdrive ? { DB_DRIVER: "hyperdrive" } : {}),
    ...options.vars,
  };
  let config = options.build?.config;
  if (options.hyperdrive) {
    if (!config) throw new Error(`${options.name}: a Hyperdrive instance runs a build`);
    // Beside the build's config, whose paths are relative to its directory.
    const own = join(dirname(config), `wrangler.${options.name}.toml`);
    writeFileSync(own, withLocalHyperdrive(readFileSync(config, "utf8"), options.hyperdrive));
    config = own;
  }
  const envFile = join(dir, "bench.env");
  // Single-quoted dotenv values are taken literally (RATE_LIMITS holds JSON).
  writeFileSync(envFile, `${Object.entries(vars).map(([k, v]) => `${k}='${v}'`).join("\n")}\n`);
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const args = [
    join(ROOT, "node_modules/wrangler/bin/wrangler.js"),
    "dev",
    ...(config ? ["--config", config, "--no-bundle"] : []),
    "--port", String(port),
    "--ip", "127.0.0.1",
    "--inspector-port", String(inspectorPort),
    "--persist-to", join(dir, "state"),
    "--env-file", envFile,
    "--test-scheduled",
    "--log-level", "warn",
    "--show-interactive-dev-session=false",
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "0", CI: "true" },
    detached: true,
  });
  const logFile = join(dir, "wrangler.log");
  const log = createWriteStream(logFile);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  if (child.pid) running.add(child.pid);
  const stop = async () => {
    if (child.pid) running.delete(child.pid);
    if (child.exitCode !== null || !child.pid) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    try {
      process.kill(-child.pid, "SIGINT");
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // gone
      }
    }, 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForHealth(url, child, 60_000);
  } catch (err) {
    await stop();
    await new Promise((r) => log.end(r));
    const message = `${options.name}: ${err instanceof Error ? err.message : String(err)} (log: ${logFile})`;
    throw readFileSync(logFile, "utf8").includes("Address already in use") ? new PortTaken(message) : new Error(message);
  }
  return {
    name: options.name,
    url,
    pid: child.pid ?? 0,
    logFile,
    runCron: async () => {
      // Miniflare's scheduled trigger (wrangler's /__scheduled exists only when it bundles).
      const res = await fetch(`${url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("*/2 * * * *")}`);
      await res.text();
      if (!res.ok) throw new Error(`scheduled() answered ${res.status}`);
    },
    stop,
  };
}
