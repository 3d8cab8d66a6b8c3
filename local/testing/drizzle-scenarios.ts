/**
 * Drizzle scenarios the driver contract suites run (Neon's HTTP protocol, and the Hyperdrive
 * transport), with the outcome each must produce on either side.
 */
import { eq, sql } from "drizzle-orm";
import type { NeonHttpDatabase } from "drizzle-orm/neon-http";
import { describeError } from "./outcomes.ts";
import { counters, items } from "./schema.ts";

/** One batch holding every kind of statement: insert returning, insert, update returning, select, raw SQL, delete. */
export const batchOfEveryKind = {
  run: (db: NeonHttpDatabase) =>
    db.batch([
      db.insert(counters).values({ name: "a", value: 1 }).returning(),
      db.insert(items).values({ id: "6f1d0c7e-1d7a-4c36-9f0e-2d1f6f0b9a11", name: "batched", tags: ["t"] }),
      db.update(counters).set({ value: sql`${counters.value} + 41` }).where(eq(counters.name, "a")).returning(),
      db.select({ name: items.name, tags: items.tags, active: items.active }).from(items),
      db.execute(sql`SELECT count(*) AS n FROM counters`),
      db.delete(items).where(eq(items.name, "missing")),
    ]),
  expected: {
    ok: true,
    value: [
      [{ name: "a", value: 1 }],
      { command: "INSERT", rowCount: 1 },
      [{ name: "a", value: 42 }],
      [{ name: "batched", tags: ["t"], active: true }],
      { rows: [{ n: "1" }] },
      { command: "DELETE", rowCount: 0 },
    ],
  },
};

/** The same unique value twice: drizzle wraps the driver's NeonDbError (code 23505, its constraint) in `cause`. */
export const uniqueViolation = {
  run: async (db: NeonHttpDatabase) => {
    await db.insert(items).values({ name: "dup" });
    await db.insert(items).values({ name: "dup" });
  },
  expected: {
    ok: false,
    error: { cause: { class: "NeonDbError", fields: { code: "23505", constraint: "items_name_unique", table: "items", schema: "public" } } },
  },
};

/**
 * A batch whose third statement breaks a unique constraint after two good ones: resolves to the
 * error as data (describeError). Nothing of the batch may remain.
 */
export async function failingBatch(db: NeonHttpDatabase): Promise<unknown> {
  await db.insert(items).values({ name: "taken" });
  return db
    .batch([
      db.insert(counters).values({ name: "should-vanish", value: 1 }),
      db.insert(items).values({ name: "fresh" }),
      db.insert(items).values({ name: "taken" }),
    ])
    .then(
      () => undefined,
      (e: unknown) => describeError(e),
    );
}
