/** What the Neon stand-in needs from a Postgres: isolated databases cloned from one template. */
import type { SqlResult, SqlStatement, TransactionOptions } from "./protocol.ts";

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
  close(): Promise<void>;
}

/** The name the template is reachable under while it is being migrated and seeded. */
export const TEMPLATE_BUILD_NAME = "__template__";

/** Names a client may use. Letters, digits, `_` and `-`, starting with a letter or digit. */
export function isDatabaseName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,57}$/.test(name);
}
