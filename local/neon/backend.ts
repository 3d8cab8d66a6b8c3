/** What the Neon stand-in needs from a Postgres: isolated databases cloned from one template. */
import { NeonRequestError, type SqlResult, type SqlStatement, type TransactionOptions } from "./protocol.ts";

export interface SqlDatabase {
  query(statement: SqlStatement): Promise<SqlResult>;
  /** One transaction: every statement or none. */
  batch(statements: SqlStatement[], options: TransactionOptions): Promise<SqlResult[]>;
}

/** How the template is made: migrations and seed, applied through the stand-in itself. */
export interface TemplateRecipe {
  /** Changes whenever the migrations or the seed change; names the cached template. */
  key: string;
  /** Migrates and seeds the database behind `connectionString`, over Neon's HTTP protocol. */
  apply(connectionString: string): Promise<void>;
}

export interface SqlBackend {
  /** Builds the template (or finds it already built for `recipe.key`). Called once, before `open`. */
  prepare(recipe: TemplateRecipe): Promise<void>;
  /** The database behind a Neon database name, cloned from the template on first use. */
  open(name: string): Promise<SqlDatabase>;
  /**
   * A postgres:// URL reaching the same database over the wire protocol: what a Hyperdrive
   * binding is pointed at (it always has a password, which Hyperdrive requires).
   */
  postgresUrl(name: string): Promise<string>;
  close(): Promise<void>;
}

/** The name the template is reachable under while it is being migrated and seeded. */
export const TEMPLATE_BUILD_NAME = "__template__";

/** Names a client may use. Letters, digits, `_` and `-`, starting with a letter or digit. */
export function isDatabaseName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,57}$/.test(name);
}

/**
 * `SqlBackend.open` over a backend's map of opened databases: the template while it is being
 * built, otherwise each database created once on first use. A failed creation is forgotten, so the
 * next `open` tries again.
 */
export function openDatabase<T extends SqlDatabase>(
  databases: Map<string, Promise<T>>,
  building: T | undefined,
  name: string,
  create: (name: string) => Promise<T>,
): Promise<SqlDatabase> {
  if (name === TEMPLATE_BUILD_NAME && building) return Promise.resolve(building);
  if (!isDatabaseName(name)) return Promise.reject(new NeonRequestError(`database "${name}" does not exist`, "3D000"));
  let database = databases.get(name);
  if (!database) {
    database = create(name);
    databases.set(name, database);
    database.catch(() => databases.delete(name));
  }
  return database;
}

/** Closes every database that opened (waiting for those still opening) and forgets them all. */
export async function closeDatabases<T>(databases: Map<string, Promise<T>>, close: (database: T) => Promise<void>): Promise<void> {
  const open = await Promise.allSettled(databases.values());
  databases.clear();
  await Promise.all(open.map((result) => (result.status === "fulfilled" ? close(result.value) : undefined)));
}
