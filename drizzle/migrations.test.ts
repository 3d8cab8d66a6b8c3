/**
 * The committed migrations and seed, applied the way `npm run db:migrate` / `db:seed` apply them
 * (drizzle's neon-http migrator over Neon's HTTP protocol): clean on an empty database, and a
 * no-op the second time. Runs on both backend sets, like the stand-ins' contract tests.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { neon, neonConfig } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-http";
import { migrate } from "drizzle-orm/neon-http/migrator";
import { afterAll, describe, expect, it } from "vitest";
import { startLocalStack } from "../local/stack.ts";
import { backendVariants, RUN_ID } from "../local/testing/backends.ts";
import { seedDatabase } from "./seed.ts";

const journal = JSON.parse(readFileSync(new URL("./meta/_journal.json", import.meta.url), "utf8")) as { entries: unknown[] };
const emptyMigrations = mkdtempSync(join(tmpdir(), "assay-no-migrations-"));
afterAll(() => rmSync(emptyMigrations, { recursive: true, force: true }));

describe.each(backendVariants)("drizzle/ migrations on $name", (variant) => {
  it.skipIf(variant.skip)("apply cleanly to an empty database, twice in a row, and the seed is idempotent", async () => {
    // A stack whose template has no migrations: each database starts empty.
    const stack = await startLocalStack({ pgUrl: variant.pgUrl, migrationsFolder: emptyMigrations, resetDatabases: true });
    try {
      neonConfig.fetchEndpoint = stack.urls.neonSql;
      const url = stack.databaseUrl(`migrations_${RUN_ID.replace(/\W/g, "_")}`);
      const db = drizzle({ client: neon(url) });
      await migrate(db, { migrationsFolder: "drizzle" });
      await migrate(db, { migrationsFolder: "drizzle" });

      const sql = neon(url);
      const applied = await sql.query("select count(*)::int as n from drizzle.__drizzle_migrations");
      expect(applied[0]?.n).toBe(journal.entries.length);
      const tables = await sql.query("select table_name from information_schema.tables where table_schema = 'public' order by 1");
      expect(tables.map((t) => t.table_name)).toEqual([
        "assessments",
        "conversations",
        "idempotency_keys",
        "jobs",
        "messages",
        "model_calls",
        "refresh_tokens",
        "template_versions",
        "templates",
        "users",
      ]);

      await seedDatabase(url);
      await seedDatabase(url);
      const seeded = await sql.query("select slug, current_version from templates order by slug");
      expect(seeded).toEqual([
        { slug: "mini-ipip", current_version: 1 },
        { slug: "who-5", current_version: 1 },
      ]);
      const versions = await sql.query("select count(*)::int as n from template_versions");
      expect(versions[0]?.n).toBe(2);
    } finally {
      await stack.stop();
    }
  });
});
