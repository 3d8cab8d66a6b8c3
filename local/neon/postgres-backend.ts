/**
 * Real-server backend: a PostgreSQL reached with an admin URL. Neon database `name` is the
 * PostgreSQL database `neon_<name>` (the prefix keeps resets away from anything else on the
 * server), created with `CREATE DATABASE ... TEMPLATE neon__template_<key>`.
 */
import pg, { type CustomTypesConfig, type PoolClient, type QueryArrayConfig, type QueryArrayResult } from "pg";
import { closeDatabases, openDatabase, TEMPLATE_BUILD_NAME, type SqlBackend, type SqlDatabase, type TemplateRecipe } from "./backend.ts";
import {
  beginStatement,
  type SqlResult,
  type SqlStatement,
  type TransactionOptions,
} from "./protocol.ts";
import { connectionStringFor } from "./credentials.ts";

export interface PostgresBackendOptions {
  /** A role that may create and drop databases, e.g. postgres://postgres@127.0.0.1:5432/postgres */
  adminUrl: string;
  /** Drop and re-clone databases on first use in this run. */
  resetDatabases?: boolean;
  log: (line: string) => void;
}

/** Neon answers in UTC with ISO dates; make every session say the same whatever the server's defaults. */
const SESSION_OPTIONS = "-c TimeZone=UTC -c DateStyle=ISO,MDY -c IntervalStyle=postgres";
/** Values stay in Postgres text format, as Neon's raw text output requires. */
const RAW_TEXT_TYPES = { getTypeParser: () => (value: string) => value } as unknown as CustomTypesConfig;
/** Serializes template builds of concurrent stacks (e.g. parallel test processes) on one server. */
const TEMPLATE_LOCK = "SELECT pg_advisory_lock(hashtext('assay-local-neon-template'))";
const TEMPLATE_UNLOCK = "SELECT pg_advisory_unlock(hashtext('assay-local-neon-template'))";

export class PostgresBackend implements SqlBackend {
  readonly #options: PostgresBackendOptions;
  readonly #admin: pg.Pool;
  readonly #databases = new Map<string, Promise<PostgresDatabase>>();
  #template: string | undefined;
  #building: PostgresDatabase | undefined;

  constructor(options: PostgresBackendOptions) {
    this.#options = options;
    this.#admin = this.#pool(new URL(options.adminUrl).pathname.slice(1) || "postgres", 2);
  }

  async prepare(recipe: TemplateRecipe): Promise<void> {
    const template = `neon__template_${recipe.key}`;
    const admin = await this.#admin.connect();
    try {
      await admin.query(TEMPLATE_LOCK);
      if (!(await databaseExists(admin, template))) {
        this.#options.log(`neon: building the PostgreSQL template ${template} (migrations or seed changed)`);
        // Built under another name and renamed when complete, so a crash never leaves a half template.
        const build = `${template}_build`;
        await admin.query(`DROP DATABASE IF EXISTS ${quote(build)} WITH (FORCE)`);
        await admin.query(`CREATE DATABASE ${quote(build)} TEMPLATE template0`);
        this.#building = new PostgresDatabase(this.#pool(build, 4));
        try {
          await recipe.apply(connectionStringFor(TEMPLATE_BUILD_NAME));
        } catch (error) {
          await this.#building.pool.end();
          await admin.query(`DROP DATABASE IF EXISTS ${quote(build)} WITH (FORCE)`).catch(() => undefined);
          throw error;
        } finally {
          if (!this.#building.pool.ended) await this.#building.pool.end();
          this.#building = undefined;
        }
        await admin.query(`ALTER DATABASE ${quote(build)} RENAME TO ${quote(template)}`);
      }
      this.#template = template;
    } finally {
      await admin.query(TEMPLATE_UNLOCK).catch(() => undefined);
      admin.release();
    }
  }

  open(name: string): Promise<SqlDatabase> {
    return openDatabase(this.#databases, this.#building, name, (n) => this.#create(n));
  }

  async postgresUrl(name: string): Promise<string> {
    await this.open(name);
    const url = new URL(this.#options.adminUrl);
    url.pathname = `/${encodeURIComponent(`neon_${name}`)}`;
    url.password ||= "local"; // trust authentication ignores it
    return url.toString();
  }

  async close(): Promise<void> {
    await closeDatabases(this.#databases, (database) => database.pool.end());
    await this.#admin.end();
  }

  async #create(name: string): Promise<PostgresDatabase> {
    const template = this.#template;
    if (!template) throw new Error("PostgresBackend.open() before prepare()");
    const database = `neon_${name}`;
    if (this.#options.resetDatabases) await this.#admin.query(`DROP DATABASE IF EXISTS ${quote(database)} WITH (FORCE)`);
    if (!(await databaseExists(this.#admin, database))) await this.#clone(template, database);
    return new PostgresDatabase(this.#pool(database, 4));
  }

  async #clone(template: string, database: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#admin.query(`CREATE DATABASE ${quote(database)} TEMPLATE ${quote(template)}`);
        return;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === "42P04") return; // another stack created it meanwhile
        // 55006: the template is briefly in use by another clone; wait and retry.
        if (code !== "55006" || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 + attempt * 25));
      }
    }
  }

  #pool(database: string, max: number): pg.Pool {
    const url = new URL(this.#options.adminUrl);
    url.pathname = `/${encodeURIComponent(database)}`;
    const pool = new pg.Pool({ connectionString: url.toString(), max, idleTimeoutMillis: 10_000, options: SESSION_OPTIONS });
    // An idle connection dropped by the server (e.g. a reset elsewhere) must not crash the process.
    pool.on("error", (error) => this.#options.log(`neon: idle connection to ${database} failed: ${error.message}`));
    return pool;
  }
}

class PostgresDatabase implements SqlDatabase {
  readonly pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  async query(statement: SqlStatement): Promise<SqlResult> {
    return toSqlResult(await this.pool.query(queryConfig(statement)));
  }

  async batch(statements: SqlStatement[], options: TransactionOptions): Promise<SqlResult[]> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query(beginStatement(options));
      const results: SqlResult[] = [];
      for (const statement of statements) results.push(toSqlResult(await client.query(queryConfig(statement))));
      await client.query("COMMIT");
      return results;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

/**
 * Always the extended protocol, even without parameters: like Neon, a string holding several
 * statements is rejected instead of silently running them all.
 */
function queryConfig(statement: SqlStatement): QueryArrayConfig {
  const config: QueryArrayConfig & { queryMode: "extended" } = {
    text: statement.query,
    values: statement.params,
    rowMode: "array",
    types: RAW_TEXT_TYPES,
    queryMode: "extended",
  };
  return config;
}

function toSqlResult(result: QueryArrayResult<(string | null)[]>): SqlResult {
  return {
    command: result.command,
    rowCount: result.rowCount,
    fields: result.fields.map(({ name, tableID, columnID, dataTypeID, dataTypeSize, dataTypeModifier, format }) => ({
      name,
      tableID,
      columnID,
      dataTypeID,
      dataTypeSize,
      dataTypeModifier,
      format,
    })),
    rows: result.rows,
  };
}

async function databaseExists(client: pg.Pool | PoolClient, name: string): Promise<boolean> {
  const result = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
  return result.rowCount === 1;
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
