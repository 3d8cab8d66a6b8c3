/**
 * Embedded backend: one PGlite (Postgres in WASM, single session) per database name, each loaded
 * from a snapshot of the migrated template. initdb costs seconds, loading a snapshot ~0.5 s, so
 * the initdb'd cluster and each template are cached on disk, keyed by PGlite version and recipe.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { PGlite, type Results } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { closeDatabases, openDatabase, TEMPLATE_BUILD_NAME, type SqlBackend, type SqlDatabase, type TemplateRecipe } from "./backend.ts";
import {
  setTransactionStatement,
  type SqlField,
  type SqlResult,
  type SqlStatement,
  type TransactionOptions,
} from "./protocol.ts";
import { ISSUED, connectionStringFor } from "./credentials.ts";

export interface PgliteBackendOptions {
  /** Databases persist in `<dataDir>/<name>/`; in memory when undefined. */
  dataDir?: string;
  /** Where the initdb'd cluster and built templates are cached. */
  cacheDir: string;
  /** Drop and re-clone persisted databases on first use in this run. */
  resetDatabases?: boolean;
  log: (line: string) => void;
}

const PGLITE_VERSION = (() => {
  const main = createRequire(import.meta.url).resolve("@electric-sql/pglite"); // <package>/dist/index.cjs
  return (JSON.parse(readFileSync(join(dirname(main), "..", "package.json"), "utf8")) as { version: string }).version;
})();

/** pglite-socket's default is 1; a Worker under test opens a connection per request, several at once. */
const MAX_WIRE_CONNECTIONS = 100;

/** Every value in and out stays in Postgres text format, as Neon's raw text output requires. */
const RAW_TEXT = new Proxy<Record<string, (value: string) => string>>({}, { get: () => (value: string) => value });

export class PgliteBackend implements SqlBackend {
  readonly #options: PgliteBackendOptions;
  readonly #databases = new Map<string, Promise<PgliteDatabase>>();
  #template: Blob | undefined;
  #building: PgliteDatabase | undefined;
  /** Each database's Postgres wire endpoint, started on first use. */
  readonly #sockets = new Map<string, Promise<PGLiteSocketServer>>();

  constructor(options: PgliteBackendOptions) {
    this.#options = options;
  }

  async prepare(recipe: TemplateRecipe): Promise<void> {
    const file = join(this.#options.cacheDir, `pglite-${PGLITE_VERSION}-template-${recipe.key}.tar.gz`);
    if (existsSync(file)) {
      this.#template = readSnapshot(file);
      return;
    }
    this.#options.log(`neon: building the PGlite template ${recipe.key} (migrations or seed changed)`);
    const builder = new PgliteDatabase(await startPglite({ loadDataDir: await this.#initdbCluster() }));
    this.#building = builder;
    try {
      await recipe.apply(connectionStringFor(TEMPLATE_BUILD_NAME));
    } catch (error) {
      await builder.pg.close();
      throw error;
    } finally {
      this.#building = undefined;
    }
    const snapshot = await builder.pg.dumpDataDir("none");
    await builder.pg.close();
    await writeSnapshot(file, snapshot);
    this.#template = snapshot;
  }

  open(name: string): Promise<SqlDatabase> {
    return openDatabase(this.#databases, this.#building, name, (n) => this.#create(n));
  }

  /**
   * Served by `@electric-sql/pglite-socket` on 127.0.0.1, one port per database (a PGlite is one
   * database). Its connections share PGlite's single session: it runs their messages one at a time
   * and, while one connection has a transaction open, only that connection's.
   */
  async postgresUrl(name: string): Promise<string> {
    let socket = this.#sockets.get(name);
    if (!socket) {
      socket = this.#serve(name);
      this.#sockets.set(name, socket);
      socket.catch(() => this.#sockets.delete(name));
    }
    const [, port] = (await socket).getServerConn().split(":");
    return `postgres://${ISSUED.user}:${ISSUED.password}@127.0.0.1:${port}/${encodeURIComponent(name)}`;
  }

  async close(): Promise<void> {
    const sockets = await Promise.allSettled(this.#sockets.values());
    this.#sockets.clear();
    await Promise.all(sockets.map((result) => (result.status === "fulfilled" ? result.value.stop() : undefined)));
    await closeDatabases(this.#databases, (database) => database.pg.close());
  }

  async #serve(name: string): Promise<PGLiteSocketServer> {
    await this.open(name);
    const database = await this.#databases.get(name);
    if (!database) throw new Error(`database "${name}" does not exist`);
    const server = new PGLiteSocketServer({ db: database.pg, host: "127.0.0.1", port: 0, maxConnections: MAX_WIRE_CONNECTIONS });
    await server.start();
    return server;
  }

  async #create(name: string): Promise<PgliteDatabase> {
    const template = this.#template;
    if (!template) throw new Error("PgliteBackend.open() before prepare()");
    const { dataDir, resetDatabases } = this.#options;
    if (!dataDir) return new PgliteDatabase(await startPglite({ loadDataDir: template }));
    const dir = join(dataDir, name);
    // The marker is written once a clone has started, so a crash half-way through is cloned again.
    const marker = join(dataDir, `${name}.cloned`);
    if (!resetDatabases && existsSync(marker)) return new PgliteDatabase(await startPglite({ dataDir: dir }));
    rmSync(marker, { force: true });
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    const database = new PgliteDatabase(await startPglite({ dataDir: dir, loadDataDir: template }));
    writeFileSync(marker, "");
    return database;
  }

  /** A freshly initdb'd cluster: the slow step, done once per PGlite version. */
  async #initdbCluster(): Promise<Blob> {
    const file = join(this.#options.cacheDir, `pglite-${PGLITE_VERSION}-initdb.tar.gz`);
    if (existsSync(file)) return readSnapshot(file);
    const pg = new PGlite();
    await pg.waitReady;
    const snapshot = await pg.dumpDataDir("none");
    await pg.close();
    await writeSnapshot(file, snapshot);
    return snapshot;
  }
}

async function startPglite(options: { dataDir?: string; loadDataDir: Blob } | { dataDir: string }): Promise<PGlite> {
  const pg = new PGlite(options);
  await pg.waitReady;
  pg.parsers = RAW_TEXT;
  pg.serializers = RAW_TEXT;
  return pg;
}

/**
 * Snapshots are kept gzipped on disk (4 MB instead of 40) but handed to PGlite uncompressed:
 * PGlite's own gunzip doubles the load time. Parallel test processes may build the same file, so
 * each writes its own and renames it into place.
 */
async function writeSnapshot(file: string, snapshot: Blob): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, gzipSync(new Uint8Array(await snapshot.arrayBuffer()), { level: 1 }));
  renameSync(temporary, file);
}

function readSnapshot(file: string): Blob {
  return new Blob([gunzipSync(readFileSync(file))]);
}

/**
 * PGlite runs one query at a time and holds that lock for a whole `transaction()`, so concurrent
 * requests to one database are serialized by PGlite itself.
 */
class PgliteDatabase implements SqlDatabase {
  readonly pg: PGlite;

  constructor(pg: PGlite) {
    this.pg = pg;
  }

  async query(statement: SqlStatement): Promise<SqlResult> {
    return toSqlResult(await this.pg.query<(string | null)[]>(statement.query, statement.params, { rowMode: "array" }));
  }

  batch(statements: SqlStatement[], options: TransactionOptions): Promise<SqlResult[]> {
    return this.pg.transaction(async (tx) => {
      const characteristics = setTransactionStatement(options);
      if (characteristics) await tx.query(characteristics);
      const results: SqlResult[] = [];
      for (const statement of statements) {
        results.push(toSqlResult(await tx.query<(string | null)[]>(statement.query, statement.params, { rowMode: "array" })));
      }
      return results;
    });
  }
}

function toSqlResult(result: Results<(string | null)[]>): SqlResult {
  // PGlite reports only name and type; the driver needs no more, the rest mirrors pg's defaults.
  const fields: SqlField[] = result.fields.map((field) => ({
    name: field.name,
    tableID: 0,
    columnID: 0,
    dataTypeID: field.dataTypeID,
    dataTypeSize: -1,
    dataTypeModifier: -1,
    format: "text",
  }));
  return { command: result.command ?? "", rowCount: result.rowCount ?? null, fields, rows: result.rows };
}
