/**
 * `npm run dev`: the whole product on this machine, no cloud account, no Docker.
 * Starts the stand-ins (Neon, Upstash, Gemini, Turnstile), migrates and seeds the database, writes
 * .data/dev.vars (local/dev-vars.ts),
 * creates the development admin, then runs `wrangler dev` (API + queue consumer + cron) on 8787 and
 * the SPA's dev server on 5173 with /api proxied to the Worker. Ctrl-C stops everything.
 *
 * `DB_DRIVER=hyperdrive npm run dev` runs the Worker on the Hyperdrive driver instead: a local
 * Hyperdrive binding to the same database over the Postgres wire protocol.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { neon, neonConfig } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-http";
import { migrate } from "drizzle-orm/neon-http/migrator";
import { seedDatabase } from "../drizzle/seed.ts";
import { DEV_VARS_FILE, writeDevVars } from "./dev-vars.ts";
import { withLocalHyperdrive } from "./hyperdrive-config.ts";
import { DEV_PORTS, startLocalStack } from "./stack.ts";
import { TURNSTILE_TEST_KEYS } from "./turnstile/server.ts";

const started = performance.now();
const DATA_DIR = ".data";
const WORKER_PORT = Number(process.env.WORKER_PORT ?? 8787);
const WEB_PORT = Number(process.env.WEB_PORT ?? 5173);
const DATABASE = "assay";
const HYPERDRIVE = process.env.DB_DRIVER === "hyperdrive";
/** wrangler.toml plus the local Hyperdrive binding, when DB_DRIVER=hyperdrive (paths resolve from the root). */
const HYPERDRIVE_CONFIG = ".dev.wrangler.toml";
mkdirSync(DATA_DIR, { recursive: true });

/** Secrets made once and kept, so sessions survive a restart of `npm run dev`. */
function localSecrets(): Record<string, string> {
  const file = `${DATA_DIR}/secrets.json`;
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  const secrets = {
    JWT_SECRET: randomBytes(32).toString("base64url"),
    PASSWORD_PEPPER: randomBytes(32).toString("base64url"),
    UPSTASH_SECRET: randomBytes(16).toString("hex"),
    ADMIN_PASSWORD: `admin-${randomBytes(6).toString("hex")}`,
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

const secrets = localSecrets();
const stack = await startLocalStack({
  pgUrl: process.env.LOCAL_PG_URL,
  redisUrl: process.env.LOCAL_REDIS_URL,
  spawnRedis: true,
  dataDir: DATA_DIR,
  ports: DEV_PORTS,
  upstashSecret: secrets.UPSTASH_SECRET,
  seed: seedDatabase,
}).catch((err: unknown) => {
  const code = err && typeof err === "object" && "code" in err ? err.code : undefined;
  if (code === "EADDRINUSE") {
    console.error(`[dev] a port is taken (${String((err as { port?: number }).port)}): is another \`npm run dev\` running?`);
    process.exit(1);
  }
  throw err;
});

const databaseUrl = stack.databaseUrl(DATABASE);
neonConfig.fetchEndpoint = stack.urls.neonSql;
// The database may predate newer migrations: apply what is pending (a no-op when up to date).
await migrate(drizzle({ client: neon(databaseUrl) }), { migrationsFolder: "drizzle" });
await seedDatabase(databaseUrl);

const adminEmail = process.env.ADMIN_EMAIL ?? "admin@assay.local";
const adminPassword = process.env.ADMIN_PASSWORD ?? secrets.ADMIN_PASSWORD ?? "";
const vars: Record<string, string> = {
  ENVIRONMENT: "development",
  DATABASE_URL: databaseUrl,
  NEON_FETCH_ENDPOINT: stack.urls.neonSql,
  UPSTASH_REDIS_REST_URL: stack.urls.upstash,
  UPSTASH_REDIS_REST_TOKEN: stack.upstashToken(),
  GEMINI_API_KEY: "local-gemini-key",
  GEMINI_BASE_URL: stack.urls.gemini,
  ALERT_WEBHOOK_URL: `${stack.urls.webhook}/hooks/dev`,
  JWT_SECRET: secrets.JWT_SECRET ?? "",
  PASSWORD_PEPPER: secrets.PASSWORD_PEPPER ?? "",
  // Cloudflare's always-pass test secret; the SPA's dev and e2e builds use the matching test sitekey.
  TURNSTILE_SECRET_KEY: TURNSTILE_TEST_KEYS.passSecret,
  TURNSTILE_VERIFY_URL: `${stack.urls.turnstile}/turnstile/v0/siteverify`,
  ADMIN_EMAIL: adminEmail,
  ADMIN_PASSWORD: adminPassword,
  ...(process.env.AI_DAILY_BUDGET ? { AI_DAILY_BUDGET: process.env.AI_DAILY_BUDGET } : {}),
  ...(HYPERDRIVE ? { DB_DRIVER: "hyperdrive" } : {}),
};
const postgresUrl = HYPERDRIVE ? await stack.postgresUrl(DATABASE) : undefined;
if (postgresUrl) writeFileSync(HYPERDRIVE_CONFIG, withLocalHyperdrive(readFileSync("wrangler.toml", "utf8"), postgresUrl));
writeDevVars(vars);

const children: ChildProcess[] = [];
function run(name: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "1" },
    detached: true,
  });
  const prefix = (line: string) => `[${name}] ${line}`;
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      for (const line of chunk.split("\n")) if (line.trim()) console.log(prefix(line));
    });
  }
  child.on("exit", (code) => {
    if (!stopping) {
      console.error(prefix(`exited with ${code}; stopping`));
      void stop(1);
    }
  });
  children.push(child);
  return child;
}

run("api", [
  "node_modules/wrangler/bin/wrangler.js",
  "dev",
  "--port",
  String(WORKER_PORT),
  "--ip",
  "127.0.0.1",
  "--test-scheduled",
  "--persist-to",
  `${DATA_DIR}/wrangler`,
  "--env-file",
  DEV_VARS_FILE,
  ...(HYPERDRIVE ? ["--config", HYPERDRIVE_CONFIG] : []),
]);
run("web", ["node_modules/vite/bin/vite.js", "--config", "web/vite.config.ts", "--port", String(WEB_PORT), "--strictPort"]);

async function waitFor(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

let stopping = false;
async function stop(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of children) {
    if (child.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGINT");
      } catch {
        // already gone
      }
    }
  }
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || !child.pid) return resolve();
          const timer = setTimeout(() => {
            try {
              process.kill(-(child.pid ?? 0), "SIGKILL");
            } catch {
              // already gone
            }
            resolve();
          }, 5_000);
          child.on("exit", () => {
            clearTimeout(timer);
            resolve();
          });
        }),
    ),
  );
  await stack.stop();
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

const apiReady = await waitFor(`http://127.0.0.1:${WORKER_PORT}/api/ready`, 60_000);
const webReady = await waitFor(`http://127.0.0.1:${WEB_PORT}/`, 30_000);
if (!apiReady || !webReady) {
  console.error(`[dev] did not become ready (api: ${apiReady}, web: ${webReady})`);
  await stop(1);
}

const { ensureDevAdmin } = await import("./scripts/promote.ts");
await ensureDevAdmin(`http://127.0.0.1:${WORKER_PORT}`, adminEmail, adminPassword, databaseUrl).catch(async (err: unknown) => {
  console.error(`[dev] could not create the development admin: ${String(err)}`);
  await stop(1);
});

const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`
  Assay is running (ready in ${seconds} s)
    app        http://localhost:${WEB_PORT}
    api        http://localhost:${WORKER_PORT}/api/health   (reference: /api/docs)
    neon       ${stack.urls.neonSql}${postgresUrl ? `\n    hyperdrive ${postgresUrl}   (DB_DRIVER=hyperdrive: the Worker uses this)` : ""}
    upstash    ${stack.urls.upstash}
    gemini     ${stack.urls.gemini}
    alerts     ${stack.urls.webhook}/hooks/dev   (posts: ${stack.urls.webhook}/__control/posts?scope=dev)
    turnstile  ${stack.urls.turnstile}/turnstile/v0/siteverify   (widget: /turnstile/v0/api.js)
    admin      ${adminEmail} / ${adminPassword}
  Ctrl-C stops everything.
`);
