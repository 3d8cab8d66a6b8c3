/** The stack as `npm run dev` and the CLI use it: seed hook, persistence in dataDir, clean stops. */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { neon, neonConfig } from "@neondatabase/serverless";
import { Redis } from "@upstash/redis";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/neon-http";
import { afterAll, describe, expect, it } from "vitest";
import { startLocalStack } from "./stack.ts";
import { TEST_MIGRATIONS } from "./testing/backends.ts";
import { counters } from "./testing/schema.ts";
import { findRedisServer } from "./upstash/spawn-redis.ts";

const dataDir = mkdtempSync(join(tmpdir(), "assay-stack-test-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Seeds through the Neon driver, as drizzle/seed.ts does: the stack points the driver at itself. */
async function seed(connectionString: string): Promise<void> {
  await neon(connectionString).query("INSERT INTO counters (name, value) VALUES ('seeded', 7)");
}

describe("startLocalStack", () => {
  it("clones seeded databases, keeps PGlite and spawned-Redis data in dataDir across restarts, and leaves no process", async () => {
    const options = { dataDir, spawnRedis: true, migrationsFolder: TEST_MIGRATIONS, seed };
    const first = await startLocalStack(options);
    expect(first.upstashBackend).toBe(findRedisServer() ? "spawned" : "embedded");
    neonConfig.fetchEndpoint = first.urls.neonSql;
    const db = drizzle({ client: neon(first.databaseUrl("persisted")) });
    expect(await db.select().from(counters)).toEqual([{ name: "seeded", value: 7 }]);
    await db.insert(counters).values({ name: "kept", value: 1 });
    await new Redis({ url: first.urls.upstash, token: first.upstashToken(), retry: false }).set("persisted", "yes");
    await first.stop();
    for (const pid of first.pids) expect(isRunning(pid)).toBe(false);

    const second = await startLocalStack(options);
    try {
      neonConfig.fetchEndpoint = second.urls.neonSql;
      const again = drizzle({ client: neon(second.databaseUrl("persisted")) });
      expect(await again.select().from(counters).where(eq(counters.name, "kept"))).toEqual([{ name: "kept", value: 1 }]);
      if (second.upstashBackend === "spawned") {
        expect(await new Redis({ url: second.urls.upstash, token: second.upstashToken(), retry: false }).get("persisted")).toBe("yes");
      }
    } finally {
      await second.stop();
    }
  });

  it("runs as a CLI that prints its URLs as JSON and stops cleanly on SIGTERM", async () => {
    const cli = spawn(process.execPath, ["local/stack-cli.ts"], {
      env: { ...process.env, LOCAL_PORTS: "ephemeral", LOCAL_PG_URL: "", LOCAL_REDIS_URL: "", LOCAL_MIGRATIONS_FOLDER: TEST_MIGRATIONS },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<number | null>((resolve) => cli.once("exit", (code) => resolve(code)));
    const line = await new Promise<string>((resolve, reject) => {
      let output = "";
      cli.stdout.setEncoding("utf8");
      cli.stdout.on("data", (chunk: string) => {
        output += chunk;
        if (output.includes("\n")) resolve(output.split("\n")[0] ?? "");
      });
      void exited.then((code) => reject(new Error(`stack-cli exited with ${code} before printing`)));
    });
    const printed = JSON.parse(line) as { neonSql: string; upstash: string; gemini: string; upstashToken: string; pids: number[] };
    expect(printed.neonSql).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sql$/);
    const ping = await fetch(printed.upstash, { method: "POST", headers: { authorization: `Bearer ${printed.upstashToken}` }, body: '["PING"]' });
    expect(await ping.json()).toEqual({ result: "PONG" });

    cli.kill("SIGTERM");
    expect(await exited).toBe(0);
    for (const pid of printed.pids) expect(isRunning(pid)).toBe(false);
  });
});
