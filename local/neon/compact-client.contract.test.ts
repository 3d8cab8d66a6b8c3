/**
 * Contract: the Worker's compact Neon client (worker/platform/neon, aliased to
 * "@neondatabase/serverless" in the Worker bundle) sends the same requests as
 * @neondatabase/serverless 1.2 and gives drizzle-orm/neon-http the same results and errors.
 * Every scenario runs through both clients, each on its own (identical) database.
 */
import * as real from "@neondatabase/serverless";
import { eq, sql as sqlExpr } from "drizzle-orm";
import { drizzle, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as compact from "../../worker/platform/neon/index.ts";
import { clearFaults, setFault } from "../control.ts";
import { startLocalStack, type LocalStack } from "../stack.ts";
import { TEST_MIGRATIONS, backendVariants } from "../testing/backends.ts";
import { comparable, describeError } from "../testing/outcomes.ts";
import { applyDrizzleMappers, batchOfEveryKind, failingBatch, uniqueViolation } from "../testing/drizzle-scenarios.ts";
import { counters, items } from "../testing/schema.ts";

type SideName = "real" | "compact";
type QueryOptions = { arrayMode?: boolean; fullResults?: boolean; authToken?: string | (() => Promise<string>) };
type TransactionOptions = { isolationLevel?: compact.IsolationLevel; readOnly?: boolean; deferrable?: boolean };

/** The surface both clients share, as the scenarios use it. */
interface Side {
  name: SideName;
  database: string;
  db: NeonHttpDatabase;
  query(text: string, params?: unknown[], options?: QueryOptions): Promise<unknown>;
  transaction(queries: [string, unknown[]?][], options?: TransactionOptions): Promise<unknown>;
  connect(connectionString: string, options?: QueryOptions): (text: string) => Promise<unknown>;
}

interface RecordedRequest {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

type Transport = (url: string, init: RequestInit) => Promise<Response>;
let transport: Transport = (url, init) => fetch(url, init);
const recorded: Record<SideName, RecordedRequest[]> = { real: [], compact: [] };

function recorder(side: SideName): Transport {
  return (url, init) => {
    recorded[side].push({ url, headers: { ...(init.headers as Record<string, string>) }, body: JSON.parse(String(init.body)) });
    return transport(url, init);
  };
}

function makeSide(name: SideName, database: string, connectionString: string): Side {
  if (name === "real") {
    const sql = real.neon(connectionString);
    return {
      name,
      database,
      db: drizzle({ client: sql }),
      query: (text, params, options) => sql.query(text, params, options),
      transaction: (queries, options) => sql.transaction(queries.map(([text, params]) => sql.query(text, params)), options),
      connect: (url, options) => (text) => real.neon(url, options).query(text),
    };
  }
  const sql = compact.neon(connectionString);
  return {
    name,
    database,
    // drizzle's types name the real package; at run time it only calls query() and transaction().
    db: drizzle({ client: sql as unknown as real.NeonQueryFunction<false, false> }),
    query: (text, params, options) => Promise.resolve(sql.query(text, params, options)),
    transaction: (queries, options) => sql.transaction(queries.map(([text, params]) => sql.query(text, params)), options),
    connect: (url, options) => (text) => Promise.resolve(compact.neon(url, options).query(text)),
  };
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

for (const variant of backendVariants) {
  describe.skipIf(variant.skip)(`the compact Neon client on ${variant.name}`, () => {
    let stack: LocalStack;
    let sides: Side[];

    /** Runs `scenario` through the real driver, then the compact client; returns outcomes and requests. */
    async function both(scenario: (side: Side) => Promise<unknown>) {
      const outcomes: Partial<Record<SideName, Outcome>> = {};
      const requests: Partial<Record<SideName, RecordedRequest[]>> = {};
      for (const side of sides) {
        recorded[side.name] = [];
        try {
          outcomes[side.name] = { ok: true, value: comparable(await scenario(side)) };
        } catch (error) {
          outcomes[side.name] = { ok: false, error: describeError(error) };
        }
        // The two databases differ by name only.
        requests[side.name] = recorded[side.name].map((request) => ({
          ...request,
          headers: Object.fromEntries(
            Object.entries(request.headers).map(([k, v]) => [k, v.replace(`/${side.database}?`, "/DATABASE?")]),
          ),
        }));
      }
      return { real: outcomes.real, compact: outcomes.compact, requests };
    }

    async function expectSame(scenario: (side: Side) => Promise<unknown>) {
      const result = await both(scenario);
      expect(result.compact).toEqual(result.real);
      expect(result.requests.compact).toEqual(result.requests.real);
      return result;
    }

    beforeAll(async () => {
      stack = await startLocalStack({ pgUrl: variant.pgUrl, migrationsFolder: TEST_MIGRATIONS, resetDatabases: true });
      real.neonConfig.fetchEndpoint = stack.urls.neonSql;
      compact.neonConfig.fetchEndpoint = stack.urls.neonSql;
      real.neonConfig.fetchFunction = recorder("real");
      compact.neonConfig.fetchFunction = recorder("compact");
      sides = [
        makeSide("real", "compact_real", stack.databaseUrl("compact_real")),
        makeSide("compact", "compact_ours", stack.databaseUrl("compact_ours")),
      ];
      applyDrizzleMappers(compact.types);
    });
    afterAll(async () => {
      real.neonConfig.fetchFunction = undefined;
      await stack?.stop();
    });
    beforeEach(async () => {
      transport = (url, init) => fetch(url, init);
      await clearFaults(stack.urls.neonSql);
      for (const { db } of sides) {
        await db.delete(items);
        await db.delete(counters);
      }
    });

    it("round-trips uuid, text, jsonb, timestamptz, integer, boolean, text[] and null through drizzle", async () => {
      const row = {
        id: "0b9e6a52-9d3f-4c1e-8f5e-2d6c1a7b3e40",
        name: 'Ünïcode "quoted" \' back\\slash {brace},comma',
        data: { nested: { list: [1, "two", null, { deep: true }] }, ok: true, text: 'a"b\\c' },
        createdAt: new Date("2026-03-04T05:06:07.089Z"),
        quantity: -42,
        active: false,
        tags: ["a", "b c", 'd"e', "f\\g", "", "NULL", "{x,y}"],
        note: null,
      };
      const { compact: outcome } = await expectSame(async ({ db }) => {
        const [inserted] = await db.insert(items).values(row).returning();
        const selected = await db.select().from(items).where(eq(items.id, row.id));
        const raw = await db.execute(sqlExpr`SELECT * FROM items WHERE name = ${row.name}`);
        return { inserted, selected, raw };
      });
      expect(outcome).toMatchObject({ ok: true, value: { inserted: row, selected: [row] } });
    });

    it("parses the types Postgres answers with, bigint included, as the real driver does", async () => {
      const { compact: outcome } = await expectSame(async ({ query }) => [
        await query(
          `SELECT $1::int8 AS big, '-9223372036854775808'::int8 AS small_big, 7::int2 AS i2, 2147483647::int4 AS i4,
             1.5::float8 AS f8, 2.25::float4 AS f4, 'NaN'::float8 AS nan, 12.340::numeric AS num, true AS yes, false AS no,
             NULL::int AS nothing, '{"a":[1,{"b":null}]}'::json AS j, '{"k": "v"}'::jsonb AS jb,
             '0b9e6a52-9d3f-4c1e-8f5e-2d6c1a7b3e40'::uuid AS id, 'x'::varchar AS vc, 'y'::char(3) AS bp,
             '{1,NULL,-3}'::int4[] AS ints, '{1,-2,9007199254740993}'::int8[] AS bigs, '{1.5,NULL}'::float8[] AS floats,
             '{t,f,NULL}'::bool[] AS bools, '{{"a","b"},{"c",NULL}}'::text[] AS nested, '{}'::text[] AS empty,
             '{"NULL",NULL,"",  "q\\"uote", "back\\\\slash"}'::text[] AS tricky,
             ARRAY['0b9e6a52-9d3f-4c1e-8f5e-2d6c1a7b3e40'::uuid] AS uuids, '[2:3]={7,8}'::int4[] AS dims,
             ARRAY['{"a":1}'::jsonb, NULL] AS jsons, '{1.25,2}'::numeric[] AS nums,
             '2026-03-04 05:06:07.089+00'::timestamptz AS ts, '2026-03-04'::date AS d, '1 day 02:03:04'::interval AS iv,
             '2026-03-04 05:06:07'::timestamp AS ts_local, ARRAY['2026-03-04'::date] AS dates`,
          [9007199254740993n],
        ),
        await query("SELECT 1::int AS a, 'x' AS a, NULL::text AS b", [], { arrayMode: true, fullResults: true }),
        await query("SELECT 1::int AS a, 'x' AS a", [], { arrayMode: false, fullResults: false }),
        await query("SELECT 1 AS n WHERE false", [], { fullResults: true }),
      ]);
      expect(outcome).toMatchObject({
        ok: true,
        value: [[{ big: "9007199254740993", i4: 2147483647, ints: [1, null, -3], bools: [true, false, null], tricky: ["NULL", null, "", 'q"uote', "back\\slash"] }], expect.anything(), expect.anything(), expect.anything()],
      });
    });

    it("decodes bytea results and encodes binary parameters as bytea", async () => {
      const bytes = [0, 1, 127, 128, 255];
      const { real: realOutcome } = await expectSame(async ({ query }) => {
        const rows = (await query("SELECT $1::bytea AS b, $2::bytea AS c, '\\x00ff'::bytea AS d", [
          new Uint8Array(bytes),
          Buffer.from(bytes),
        ])) as Record<string, Uint8Array>[];
        return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Array.from(v)])));
      });
      expect(realOutcome).toEqual({ ok: true, value: [{ b: bytes, c: bytes, d: [0, 255] }] });
    });

    it("encodes parameters as the driver does: dates with their offset, arrays, objects, null", async () => {
      const previousTz = process.env.TZ;
      process.env.TZ = "America/St_Johns"; // a -03:30 / -02:30 offset
      try {
        const toPostgres = { toPostgres: () => ["from", "toPostgres"] };
        const params = [
          new Date("2026-03-04T05:06:07.089Z"),
          new Date("2026-07-04T23:59:59.999Z"),
          new Date(Date.UTC(-5, 0, 1)),
          [1, null, undefined, [2, 3], "x\"y\\z", new Date("2026-01-02T03:04:05.006Z"), { a: 1 }, true],
          { json: ["value", 1, null], nested: { ok: true } },
          12345678901234567890n,
          false,
          -1.5e-7,
          undefined,
          null,
          toPostgres,
          "plain ' text",
        ];
        const { compact: outcome } = await expectSame(({ query }) =>
          query(`SELECT ${params.map((_, i) => `$${i + 1}::text AS p${i + 1}`).join(", ")}`, params),
        );
        expect(outcome).toMatchObject({ ok: true, value: [{ p1: "2026-03-04T01:36:07.089-03:30", p9: null, p10: null }] });
      } finally {
        if (previousTz === undefined) delete process.env.TZ;
        else process.env.TZ = previousTz;
      }
    });

    it("returns drizzle batch results alike", async () => {
      const { compact: outcome } = await expectSame(({ db }) => batchOfEveryKind.run(db));
      expect(outcome).toMatchObject(batchOfEveryKind.expected);
    });

    it("surfaces a unique violation as a NeonDbError with code 23505 in drizzle's err.cause", async () => {
      const { compact: outcome } = await expectSame(({ db }) => uniqueViolation.run(db));
      expect(outcome).toMatchObject(uniqueViolation.expected);
    });

    it("rolls a failing batch back and throws the NeonDbError unwrapped", async () => {
      const { compact: outcome } = await expectSame(async ({ db }) => {
        const error = await failingBatch(db);
        return { error, counters: await db.select().from(counters), names: await db.select({ name: items.name }).from(items) };
      });
      expect(outcome).toMatchObject({
        ok: true,
        value: { error: { class: "NeonDbError", fields: { code: "23505" } }, counters: [], names: [{ name: "taken" }] },
      });
    });

    it("sends isolation level, read-only and deferrable with a batch, and the server honours them", async () => {
      const { compact: outcome, requests } = await expectSame(async ({ transaction }) => ({
        level: await transaction([["SELECT current_setting('transaction_isolation') AS level"]], { isolationLevel: "Serializable" }),
        readOnly: await transaction([["INSERT INTO counters (name) VALUES ('ro')"]], { readOnly: true }).catch(describeError),
        deferrable: await transaction([["SELECT 1 AS one"], ["SELECT $1::text AS two", ["2"]]], {
          isolationLevel: "Serializable",
          readOnly: true,
          deferrable: true,
        }),
      }));
      expect(outcome).toMatchObject({
        ok: true,
        value: { level: [[{ level: "serializable" }]], readOnly: { fields: { code: "25006" } }, deferrable: [[{ one: 1 }], [{ two: "2" }]] },
      });
      expect(requests.compact?.map((r) => r.headers)).toEqual([
        expect.objectContaining({ "Neon-Batch-Isolation-Level": "Serializable" }),
        expect.objectContaining({ "Neon-Batch-Read-Only": "true" }),
        expect.objectContaining({
          "Neon-Batch-Isolation-Level": "Serializable",
          "Neon-Batch-Read-Only": "true",
          "Neon-Batch-Deferrable": "true",
        }),
      ]);
    });

    it("fails alike when the database is unreachable, answers 503, or fetch itself throws", async () => {
      for (const { database } of sides) await setFault(stack.urls.neonSql, { scope: database, down: true });
      const { compact: down } = await expectSame(({ db }) => db.select().from(items));
      expect(down).toMatchObject({
        ok: false,
        error: { cause: { class: "NeonDbError", message: expect.stringMatching(/^Error connecting to database: TypeError: fetch failed/), sourceError: { class: "TypeError" } } },
      });

      for (const { database } of sides) await setFault(stack.urls.neonSql, { scope: database, status: 503 });
      const { compact: unavailable } = await expectSame(({ query }) => query("SELECT 1"));
      expect(unavailable).toMatchObject({ ok: false, error: { class: "NeonDbError", message: expect.stringContaining("Server error (HTTP status 503)") } });

      await clearFaults(stack.urls.neonSql);
      transport = () => Promise.reject(new Error("database unreachable"));
      const { compact: thrown } = await expectSame(({ query }) => query("SELECT 1"));
      expect(thrown).toMatchObject({ ok: false, error: { message: "Error connecting to database: Error: database unreachable", sourceError: { message: "database unreachable" } } });
    });

    it("derives the endpoint and headers from the connection string as the driver does", async () => {
      transport = () =>
        Promise.resolve(Response.json({ fields: [{ name: "n", dataTypeID: 23 }], command: "SELECT", rowCount: 1, rows: [["1"]], rowAsArray: true }));
      const connectionStrings = [
        "postgres://alex:pw@ep-cool-darkness-123456.us-east-2.aws.neon.tech/neondb?sslmode=require",
        "postgresql://alex:p%40ss@ep-cool-darkness-123456-pooler.eu-central-1.aws.neon.tech:5432/neondb?channel_binding=require",
        "postgres://alex@EP-Upper.Example.COM/db%20name?options=endpoint%3Dx&application_name=mine",
      ];
      const endpoints: unknown[] = [undefined, (host: string, port: string, options: unknown) => `https://proxy.test/${host}/${port}/${JSON.stringify(options)}`];
      try {
        for (const endpoint of endpoints) {
          real.neonConfig.fetchEndpoint = endpoint as string;
          compact.neonConfig.fetchEndpoint = endpoint as string;
          await expectSame(async ({ connect }) => {
            const results = [];
            for (const url of connectionStrings) {
              results.push(await connect(url)("SELECT 1"));
              results.push(await connect(url, { authToken: "token-1" })("SELECT 1"));
              results.push(await connect(url, { authToken: () => Promise.resolve("token-2") })("SELECT 1"));
            }
            return results;
          });
        }
        const { compact: outcome } = await expectSame(async ({ connect }) => {
          const errors = [];
          for (const url of ["not a url", "postgres://host/db", "postgres://user@-/db", "postgres://user@host", "postgres://user@host/"])
            errors.push(await connect(url)("SELECT 1").catch(describeError));
          errors.push(await connect(connectionStrings[0] ?? "", { authToken: () => Promise.reject(new Error("no token")) })("SELECT 1").catch(describeError));
          return errors;
        });
        expect(outcome).toMatchObject({ ok: true, value: expect.arrayContaining([expect.objectContaining({ class: "NeonDbError" })]) });
      } finally {
        real.neonConfig.fetchEndpoint = stack.urls.neonSql;
        compact.neonConfig.fetchEndpoint = stack.urls.neonSql;
      }
    });
  });
}

describe("the compact client's type parsers", () => {
  it("match pg-types for the types drizzle does not override", () => {
    const samples: [number, string[]][] = [
      [16, ["t", "f", "true", "yes", "0"]],
      [20, ["9007199254740993", "-5"]],
      [21, ["-7"]],
      [23, ["2147483647"]],
      [26, ["12345"]],
      [700, ["2.25", "NaN", "Infinity"]],
      [701, ["-1.5e-7"]],
      [114, ['{"a":[1,null]}']],
      [3802, ['"s"', "1"]],
      [1700, ["12.340"]],
      [25, ["text"]],
      [2950, ["0b9e6a52-9d3f-4c1e-8f5e-2d6c1a7b3e40"]],
      [1000, ["{t,f,NULL}"]],
      [1007, ["{1,NULL,-3}", "[2:3]={7,8}", "{{1,2},{3,4}}"]],
      [1016, ["{1,-2,9007199254740993}"]],
      [1022, ["{1.5,NULL,NaN}"]],
      [1009, ['{"NULL",NULL,"","q\\"uote","back\\\\slash",plain}', "{}", '{{"a","b"},{"c",NULL}}', "{{{x}}}"]],
      [2951, ["{0b9e6a52-9d3f-4c1e-8f5e-2d6c1a7b3e40}"]],
      [3807, ['{"{\\"a\\": 1}",NULL}']],
      [9999, ["unknown type"]],
    ];
    for (const [oid, texts] of samples) {
      for (const text of texts) {
        expect([oid, text, compact.types.getTypeParser(oid)(text)]).toEqual([oid, text, real.types.getTypeParser(oid)(text)]);
      }
    }
    expect(compact.types.builtins).toEqual(real.types.builtins);
    expect(() => compact.types.getTypeParser(1009)("{a")).toThrow("array dimension not balanced");
  });
});
