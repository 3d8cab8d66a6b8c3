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
import { startPgliteWire, type PgliteWire } from "./pglite-wire.ts";
import { closeDatabases, openDatabase, TEMPLATE_BUILD_NAME, type SqlBackend, type SqlDatabase, type TemplateRecipe } from "./backend.ts";
import {
  connectionStringFor,
  setTransactionStatement,
  type SqlField,
  type SqlResult,
  type SqlStatement,
  type TransactionOptions,
} from "./protocol.ts";

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
  const wasm = createRequire(import.meta.url).resolve("@electric-sql/pglite/pglite.wasm");
  return (JSON.parse(readFileSync(join(dirname(wasm), "..", "package.json"), "utf8")) as { version: string }).version;
})();

/** Every value in and out stays in Postgres text format, as Neon's raw text output requires. */
const RAW_TEXT = new Proxy<Record<string, (value: string) => string>>({}, { get: () => (value: string) => value });

export class PgliteBackend implements SqlBackend {
  readonly #options: PgliteBackendOptions;
  readonly #databases = new Map<string, Promise<PgliteDatabase>>();
  #template: Blob | undefined;
  #building: PgliteDatabase | undefined;
  #wire: Promise<PgliteWire> | undefined;

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

  /** Served by a wire endpoint on 127.0.0.1, started on first use. */
  async postgresUrl(name: string): Promise<string> {
    await this.open(name);
    this.#wire ??= startPgliteWire(async (database) => {
      await this.open(database);
      const opened = await this.#databases.get(database);
      if (!opened) throw new Error(`database "${database}" does not exist`);
      return opened.pg;
    }, this.#options.log);
    const { port } = await this.#wire;
    return `postgres://assay:local@127.0.0.1:${port}/${encodeURIComponent(name)}`;
  }

  async close(): Promise<void> {
    if (this.#wire) await (await this.#wire).close();
    await closeDatabases(this.#databases, (database) => database.pg.close());
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
