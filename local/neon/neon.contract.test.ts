/**
 * Contract: @neondatabase/serverless 1.2 and drizzle-orm/neon-http work against the Neon
 * stand-in exactly as against Neon, on both backends.
 */
import { NeonDbError, neon, neonConfig } from "@neondatabase/serverless";
import { eq, sql as sqlExpr } from "drizzle-orm";
import { drizzle, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import { migrate } from "drizzle-orm/neon-http/migrator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clearFaults, counts, resetCounts, setFault, type NeonCount } from "../control.ts";
import { startLocalStack, type LocalStack } from "../stack.ts";
import { TEST_MIGRATIONS, backendVariants } from "../testing/backends.ts";
import { counters, items } from "../testing/schema.ts";

const A = "contract_a";
const B = "contract_b";

for (const variant of backendVariants) {
  describe.skipIf(variant.skip)(`Neon stand-in on ${variant.name}`, () => {
    let stack: LocalStack;
    let db: NeonHttpDatabase;

    beforeAll(async () => {
      stack = await startLocalStack({ pgUrl: variant.pgUrl, migrationsFolder: TEST_MIGRATIONS, resetDatabases: true });
      neonConfig.fetchEndpoint = stack.urls.neonSql;
      db = drizzle({ client: neon(stack.databaseUrl(A)) });
    });
    afterAll(() => stack?.stop());
    beforeEach(async () => {
      await clearFaults(stack.urls.neonSql);
      await db.delete(items);
      await db.delete(counters);
    });

    it("round-trips uuid, text, jsonb, timestamptz, integer, boolean, text[] and null", async () => {
      const createdAt = new Date("2026-03-04T05:06:07.089Z");
      const row = {
        id: "0b9e6a52-9d3f-4c1e-8f5e-2d6c1a7b3e40",
        name: "Ünïcode \"quoted\" ' name",
        data: { nested: { list: [1, "two", null] }, ok: true },
        createdAt,
        quantity: -42,
        active: false,
        tags: ["a", "b c", 'd"e', "", "NULL"],
        note: null,
      };
      const [inserted] = await db.insert(items).values(row).returning();
      expect(inserted).toEqual(row);
      const [selected] = await db.select().from(items).where(eq(items.id, row.id));
      expect(selected).toEqual(row);
      expect(selected?.createdAt).toBeInstanceOf(Date);
    });

    it("answers in Postgres text format with the driver's field metadata", async () => {
      const sql = neon(stack.databaseUrl(A), { fullResults: true });
      const result = await sql.query("SELECT 1::int AS n, now() AS t, '{1,2}'::int[] AS a, NULL::text AS z");
      expect(result.fields.map((field) => [field.name, field.dataTypeID])).toEqual([
        ["n", 23],
        ["t", 1184],
        ["a", 1007],
        ["z", 25],
      ]);
      expect(result.command).toBe("SELECT");
      expect(result.rowCount).toBe(1);
      expect(result.rows[0]).toMatchObject({ n: 1, a: [1, 2], z: null });
      expect(String((result.rows[0] as { t: unknown }).t)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00$/);
    });

    it("speaks the wire format: object rows without array mode, batch results, 400 error fields", async () => {
      const post = async (body: unknown, headers: Record<string, string> = {}) => {
        const res = await fetch(stack.urls.neonSql, {
          method: "POST",
          headers: { "Neon-Connection-String": stack.databaseUrl(A), "Neon-Raw-Text-Output": "true", ...headers },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      expect(await post({ query: "SELECT $1::int + 1 AS n", params: ["41"] })).toMatchObject({
        status: 200,
        body: { command: "SELECT", rowCount: 1, rows: [{ n: "42" }], rowAsArray: false },
      });
      const batch = await post({ queries: [{ query: "SELECT 1 AS a", params: [] }, { query: "SELECT 'x' AS b", params: [] }] }, { "Neon-Array-Mode": "true" });
      expect(batch.body.results).toMatchObject([{ rows: [["1"]], rowAsArray: true }, { rows: [["x"]] }]);
      const failed = await post({ query: "SELECT * FROM missing_table", params: [] });
      expect(failed).toMatchObject({ status: 400, body: { code: "42P01", message: 'relation "missing_table" does not exist', severity: "ERROR" } });
      expect((await post({ nonsense: true })).status).toBe(400);
    });

    it("rejects a string holding several statements, like Neon", async () => {
      await expect(neon(stack.databaseUrl(A)).query("SELECT 1; SELECT 2")).rejects.toThrow(/multiple commands/);
    });

    it("surfaces a unique violation as code 23505, wrapped by drizzle in err.cause", async () => {
      await db.insert(items).values({ name: "dup" });
      const error = await db
        .insert(items)
        .values({ name: "dup" })
        .then(() => undefined)
        .catch((e: unknown) => e);
      const cause = (error as { cause?: unknown }).cause;
      expect(cause).toBeInstanceOf(NeonDbError);
      expect(cause).toMatchObject({ code: "23505", constraint: "items_name_unique", table: "items", schema: "public" });
      expect((cause as NeonDbError).detail).toContain("(name)=(dup)");
    });

    it("rolls a failing batch back entirely (drizzle does not wrap batch errors: err.code)", async () => {
      await db.insert(items).values({ name: "taken" });
      await expect(
        db.batch([
          db.insert(counters).values({ name: "should-vanish", value: 1 }),
          db.insert(items).values({ name: "fresh" }),
          db.insert(items).values({ name: "taken" }),
        ]),
      ).rejects.toSatisfy((error) => error instanceof NeonDbError && error.code === "23505");
      expect(await db.select().from(counters)).toEqual([]);
      expect((await db.select({ name: items.name }).from(items)).map((r) => r.name)).toEqual(["taken"]);
    });

    it("keeps 32 concurrent batches isolated from each other", async () => {
      const results = await Promise.all(
        Array.from({ length: 32 }, (_, i) =>
          db.batch([
            db.insert(counters).values({ name: `batch-${i}`, value: i }),
            db
              .update(counters)
              .set({ value: sqlExpr`${counters.value} + 1` })
              .where(eq(counters.name, `batch-${i}`)),
            db.select().from(counters).where(eq(counters.name, `batch-${i}`)),
            db.insert(items).values({ name: i % 8 === 7 ? "collide" : `item-${i}` }),
          ]),
        ).map((batch) => batch.then((r) => ({ ok: true as const, rows: r[2] })).catch(() => ({ ok: false as const }))),
      );
      // The 4 batches inserting "collide" race for one unique name: exactly one wins, the rest roll back.
      expect(results.filter((r) => !r.ok)).toHaveLength(3);
      results.forEach((r, i) => {
        if (r.ok) expect(r.rows).toEqual([{ name: `batch-${i}`, value: i + 1 }]);
      });
      expect(await db.$count(counters)).toBe(29);
      expect(await db.$count(items)).toBe(29);
    });

    it("honours Neon-Batch-Read-Only and Neon-Batch-Isolation-Level", async () => {
      const sql = neon(stack.databaseUrl(A));
      const [[setting]] = (await sql.transaction([sql`SELECT current_setting('transaction_isolation') AS level`], {
        isolationLevel: "Serializable",
      })) as [[{ level: string }]];
      expect(setting.level).toBe("serializable");
      await expect(sql.transaction([sql`INSERT INTO counters (name) VALUES ('ro')`], { readOnly: true })).rejects.toMatchObject({
        code: "25006",
      });
    });

    it("gives each database name its own database", async () => {
      const other = drizzle({ client: neon(stack.databaseUrl(B)) });
      await db.insert(items).values({ name: "only-in-a" });
      expect(await other.select().from(items).where(eq(items.name, "only-in-a"))).toEqual([]);
      await other.insert(items).values({ name: "only-in-a" }); // no unique clash across databases
    });

    it("records migrations as drizzle does, so drizzle's migrate() is a no-op", async () => {
      await migrate(db, { migrationsFolder: TEST_MIGRATIONS });
      const recorded = await db.execute<{ hash: string }>(sqlExpr`SELECT hash FROM drizzle.__drizzle_migrations`);
      expect(recorded.rows).toHaveLength(2);
    });

    it("counts queries, batches and statements per database", async () => {
      await resetCounts(stack.urls.neonSql, A);
      await db.select().from(items);
      await db.batch([db.select().from(items), db.select().from(counters), db.select().from(items)]);
      expect(await counts<NeonCount>(stack.urls.neonSql, A)).toEqual({ query: 1, batch: 1, statements: 4 });
      expect((await counts<NeonCount>(stack.urls.neonSql, "never-used")).query).toBe(0);
    });

    it("fails every request while the database is down, and recovers when the fault is cleared", async () => {
      await setFault(stack.urls.neonSql, { scope: A, down: true });
      await expect(db.select().from(items)).rejects.toMatchObject({ cause: { message: expect.stringMatching(/Error connecting to database/) } });
      // Other databases are untouched, and the control endpoint still answers.
      await drizzle({ client: neon(stack.databaseUrl(B)) }).select().from(items);
      expect((await counts<NeonCount>(stack.urls.neonSql, A)).query).toBeGreaterThan(0);
      await clearFaults(stack.urls.neonSql, A);
      expect(await db.select().from(items)).toEqual([]);
    });

    it("answers an injected status and adds injected latency", async () => {
      await setFault(stack.urls.neonSql, { scope: A, status: 503, errorRate: 0.5 });
      const outcomes = await Promise.allSettled([1, 2, 3, 4].map(() => neon(stack.databaseUrl(A)).query("SELECT 1")));
      expect(outcomes.filter((o) => o.status === "rejected")).toHaveLength(2);
      expect(String((outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult).reason)).toContain("HTTP status 503");

      await setFault(stack.urls.neonSql, { scope: A, latencyMs: 150 });
      const started = performance.now();
      await neon(stack.databaseUrl(A)).query("SELECT 1");
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    });
  });
}
