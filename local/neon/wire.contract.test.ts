/**
 * Contract: `stack.postgresUrl(name)` serves the same database as `databaseUrl(name)` over the
 * Postgres wire protocol, to `pg` as to a Hyperdrive binding. On the embedded backends that is
 * PGlite behind `@electric-sql/pglite-socket` (one session shared by every connection); on the
 * real servers, PostgreSQL itself. Connections work at once, a transaction keeps the session to
 * itself until it ends, and a connection dropped inside a transaction leaves nothing behind.
 */
import { neon, neonConfig } from "@neondatabase/serverless";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalStack, type LocalStack } from "../stack.ts";
import { TEST_MIGRATIONS, backendVariants } from "../testing/backends.ts";

const DATABASE = "wire_contract";

for (const variant of backendVariants) {
  describe.skipIf(variant.skip)(`the Postgres wire endpoint on ${variant.name}`, () => {
    let stack: LocalStack;
    let url: string;
    const clients: pg.Client[] = [];
    const connect = async () => {
      const client = new pg.Client(url);
      client.on("error", () => undefined);
      await client.connect();
      clients.push(client);
      return client;
    };

    beforeAll(async () => {
      stack = await startLocalStack({ pgUrl: variant.pgUrl, redisUrl: variant.redisUrl, migrationsFolder: TEST_MIGRATIONS, resetDatabases: true });
      neonConfig.fetchEndpoint = stack.urls.neonSql;
      url = await stack.postgresUrl(DATABASE);
    });
    afterAll(async () => {
      await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
      await stack?.stop();
    });

    it("reaches the same database as the Neon endpoint", async () => {
      const client = await connect();
      await client.query("insert into counters (name, value) values ($1, $2)", ["shared", 7]);
      const overHttp = neon(stack.databaseUrl(DATABASE));
      expect(await overHttp.query("select value from counters where name = $1", ["shared"])).toEqual([{ value: 7 }]);
    });

    it("answers several connections at once, each its own statements and parameters", async () => {
      const connections = await Promise.all(Array.from({ length: 4 }, connect));
      const answers = await Promise.all(
        connections.map(async (client, n) => {
          const values: string[] = [];
          for (let i = 0; i < 25; i++) {
            const { rows } =
              n % 2 === 0
                ? await client.query<{ v: number }>("select $1::int + $2::int as v", [i, n])
                : await client.query<{ v: string }>("select $1::text || '-' || $2::text as v, now() as at", [String(i), String(n)]);
            values.push(String(rows[0]?.v));
          }
          return values;
        }),
      );
      answers.forEach((values, n) => expect(values).toEqual(Array.from({ length: 25 }, (_, i) => (n % 2 === 0 ? String(i + n) : `${i}-${n}`))));
    });

    it("keeps a transaction to its connection: others see its writes only after COMMIT", async () => {
      const [writer, reader] = [await connect(), await connect()];
      await writer.query("begin");
      await writer.query("insert into counters (name, value) values ('in-tx', 1)");
      const seen = reader.query<{ count: string }>("select count(*) from counters where name = 'in-tx'");
      await writer.query("update counters set value = 2 where name = 'in-tx'");
      await writer.query("commit");
      // PGlite runs the reader after the transaction (one session); PostgreSQL before it, isolated: never a half-done state.
      expect(["0", "1"]).toContain((await seen).rows[0]?.count);
      expect((await reader.query("select value from counters where name = 'in-tx'")).rows).toEqual([{ value: 2 }]);
    });

    it("rolls back a failed transaction, and the connection goes on", async () => {
      const client = await connect();
      await client.query("begin");
      await client.query("insert into counters (name, value) values ('failed-tx', 1)");
      await expect(client.query("insert into counters (name, value) values ('failed-tx', 2)")).rejects.toMatchObject({ code: "23505" });
      await client.query("rollback");
      expect((await client.query("select count(*)::int as n from counters where name = 'failed-tx'")).rows).toEqual([{ n: 0 }]);
    });

    it("undoes the open transaction of a connection that drops, and serves the others", async () => {
      const dropped = await connect();
      await dropped.query("begin");
      await dropped.query("insert into counters (name, value) values ('dropped-tx', 1)");
      await dropped.end();
      const other = await connect();
      expect((await other.query("select count(*)::int as n from counters where name = 'dropped-tx'")).rows).toEqual([{ n: 0 }]);
    });
  });
}
