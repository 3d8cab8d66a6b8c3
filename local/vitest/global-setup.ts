/**
 * vitest globalSetup for the Worker projects: starts ONE local stack per vitest process (shared by
 * every project) and provides its URLs. Backends: `LOCAL_BACKENDS=real` uses the PostgreSQL and
 * Redis servers of LOCAL_PG_URL / LOCAL_REDIS_URL; anything else uses the embedded ones (PGlite and
 * the in-memory Redis), as a fresh laptop would.
 */
import { neon, neonConfig } from "@neondatabase/serverless";
import type { TestProject } from "vitest/node";
import { startLocalStack } from "../stack.ts";
import { seedDatabase } from "../../drizzle/seed.ts";

export interface ProvidedStack {
  neonSql: string;
  upstash: string;
  gemini: string;
  upstashSecret: string;
  runId: string;
}

declare module "vitest" {
  interface ProvidedContext {
    stack: ProvidedStack;
  }
}

const UPSTASH_SECRET = "local-test-token";

type Stack = Awaited<ReturnType<typeof startLocalStack>>;
let starting: Promise<Stack> | undefined;
let users = 0;

function backends(): Parameters<typeof startLocalStack>[0] {
  if (process.env.LOCAL_BACKENDS === "real") {
    return {
      pgUrl: process.env.LOCAL_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
      redisUrl: process.env.LOCAL_REDIS_URL ?? "redis://127.0.0.1:6379",
    };
  }
  return { spawnRedis: false };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  starting ??= startLocalStack({
    ...backends(),
    upstashSecret: UPSTASH_SECRET,
    resetDatabases: true,
    seed: seedDatabase,
  });
  const stack = await starting;
  users += 1;
  // Create the project's database now (a clone of the migrated, seeded template), so the first
  // request of the first test doesn't pay for it.
  const feature = /^worker-(.+)$/.exec(project.name)?.[1];
  if (feature) {
    neonConfig.fetchEndpoint = stack.urls.neonSql;
    await neon(stack.databaseUrl(`assay_test_${feature}`)).query("select 1");
  }
  project.provide("stack", {
    neonSql: stack.urls.neonSql,
    upstash: stack.urls.upstash,
    gemini: stack.urls.gemini,
    upstashSecret: UPSTASH_SECRET,
    runId: String(Date.now()),
  });
  return async () => {
    users -= 1;
    if (users === 0) await stack.stop();
  };
}
