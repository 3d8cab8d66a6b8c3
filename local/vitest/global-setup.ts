/**
 * vitest's root globalSetup: starts ONE local stack for the whole run and provides its URLs to
 * every project. Backends: `LOCAL_BACKENDS=real` uses the PostgreSQL and
 * Redis servers of LOCAL_PG_URL / LOCAL_REDIS_URL; anything else uses the embedded ones (PGlite and
 * ioredis-mock), as a fresh laptop would.
 */
import { neon, neonConfig } from "@neondatabase/serverless";
import type { TestProject } from "vitest/node";
import { startLocalStack } from "../stack.ts";
import { seedDatabase } from "../../drizzle/seed.ts";
import { databaseOf, hyperdriveProjects, workerProjects } from "./projects.ts";

export interface ProvidedStack {
  neonSql: string;
  upstash: string;
  gemini: string;
  webhook: string;
  turnstile: string;
  upstashSecret: string;
  runId: string;
  /** postgres:// URLs of the hyperdrive projects' databases, for their Hyperdrive bindings. */
  postgresUrls: Record<string, string>;
}

declare module "vitest" {
  interface ProvidedContext {
    stack: ProvidedStack;
  }
}

const UPSTASH_SECRET = "local-test-token";


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
  const stack = await startLocalStack({
    ...backends(),
    upstashSecret: UPSTASH_SECRET,
    resetDatabases: true,
    seed: seedDatabase,
  });
  // Create every project's database now (clones of the migrated, seeded template), so the first
  // request of the first test doesn't pay for it.
  neonConfig.fetchEndpoint = stack.urls.neonSql;
  const postgresUrls: Record<string, string> = {};
  for (const name of Object.keys(workerProjects)) {
    if (hyperdriveProjects.has(name)) postgresUrls[name] = await stack.postgresUrl(databaseOf(name));
    else await neon(stack.databaseUrl(databaseOf(name))).query("select 1");
  }
  project.provide("stack", {
    neonSql: stack.urls.neonSql,
    upstash: stack.urls.upstash,
    gemini: stack.urls.gemini,
    webhook: stack.urls.webhook,
    turnstile: stack.urls.turnstile,
    upstashSecret: UPSTASH_SECRET,
    runId: String(Date.now()),
    postgresUrls,
  });
  return () => stack.stop();
}
