/**
 * Runs the local stand-ins on their own: `node local/stack-cli.ts`. Backends from LOCAL_PG_URL and
 * LOCAL_REDIS_URL (embedded PGlite and a spawned or embedded Redis otherwise); LOCAL_DATA_DIR
 * persists data; LOCAL_PORTS=ephemeral picks free ports instead of 4444-4446;
 * LOCAL_MIGRATIONS_FOLDER replaces drizzle/. Prints the URLs as one JSON line and stops cleanly on
 * SIGINT/SIGTERM.
 */
import { DEV_PORTS, startLocalStack } from "./stack.ts";

const env = process.env;
const stack = await startLocalStack({
  pgUrl: env.LOCAL_PG_URL || undefined,
  redisUrl: env.LOCAL_REDIS_URL || undefined,
  spawnRedis: true,
  dataDir: env.LOCAL_DATA_DIR || undefined,
  ports: env.LOCAL_PORTS === "ephemeral" ? {} : DEV_PORTS,
  upstashSecret: env.LOCAL_UPSTASH_SECRET || undefined,
  migrationsFolder: env.LOCAL_MIGRATIONS_FOLDER || undefined,
  log: (line) => console.error(`[stack] ${line}`),
});

console.log(
  JSON.stringify({
    ...stack.urls,
    upstashToken: stack.upstashToken(),
    upstashBackend: stack.upstashBackend,
    pids: stack.pids,
    exampleDatabaseUrl: stack.databaseUrl("assay"),
  }),
);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void stack.stop().then(() => process.exit(0));
  });
}
