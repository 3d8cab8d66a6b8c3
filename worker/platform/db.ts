/**
 * The database adapter: Drizzle over Neon's HTTP protocol. Every HTTP request the driver makes is
 * one round trip; it is counted and timed into the current request's metrics, and queries slower
 * than the threshold are logged with their SQL text (never their parameters).
 *
 * DB_DRIVER chooses where those requests go: `neon-http` sends them to Neon; `hyperdrive` serves
 * them with Postgres.js over the HYPERDRIVE binding's connection string (./hyperdrive/transport.ts),
 * so any Postgres runs the same queries, batches and error handling with no code change.
 *
 * Writes go through `db.batch([...])` (one round trip, one transaction). Reads that may lag a
 * little (reference data) can use `replica`, which is the read replica when DATABASE_READ_URL (or
 * HYPERDRIVE_READ) is set and the primary otherwise. Anything that must see the caller's own
 * writes reads `primary`.
 */
import { neon, neonConfig } from "@neondatabase/serverless";
import { drizzle, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import type { Config } from "../config.ts";
import { DependencyError, postgresErrorOf } from "../errors.ts";
import * as schema from "../db/schema.ts";
import type { Logger } from "./log.ts";
import { recordRoundTrip } from "./metrics.ts";
import { hyperdriveTransport, type FetchFunction } from "./hyperdrive/transport.ts";

export type Db = NeonHttpDatabase<typeof schema>;

export interface Database {
  primary: Db;
  replica: Db;
}

interface QueryLogSettings {
  slowMs: number;
  logger: Logger;
}

let queryLog: QueryLogSettings | undefined;

/** The SQL text of a Neon HTTP request body, for the slow-query log. */
function sqlText(body: unknown): string {
  if (typeof body !== "string") return "";
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === "object") {
      if ("query" in parsed && typeof parsed.query === "string") return parsed.query;
      if ("queries" in parsed && Array.isArray(parsed.queries)) {
        return parsed.queries
          .map((q: unknown) => (q && typeof q === "object" && "query" in q ? String(q.query) : ""))
          .join(";\n");
      }
    }
  } catch {
    // not JSON: nothing to log
  }
  return "";
}

/** The transport as the Neon driver sees it: timed, counted, and a DependencyError when unreachable. */
const instrumented = (transport: FetchFunction) => async (url: string, init: RequestInit): Promise<Response> => {
  const started = performance.now();
  let response: Response;
  try {
    response = await transport(url, init);
  } catch (cause) {
    recordRoundTrip("db", performance.now() - started);
    throw new DependencyError("database", "database unreachable", { cause });
  }
  const ms = performance.now() - started;
  recordRoundTrip("db", ms);
  if (response.status >= 500 || response.status === 429) {
    // For the log only (clients see a generic 503): e.g. why Hyperdrive's origin refused the session.
    const detail = (await response.text().catch(() => "")).slice(0, 300);
    throw new DependencyError("database", `database answered ${response.status}${detail ? `: ${detail}` : ""}`);
  }
  if (queryLog && ms >= queryLog.slowMs) {
    queryLog.logger.warn("slow query", { durationMs: Math.round(ms), sql: sqlText(init.body) });
  }
  return response;
};

/** The query log's settings are per isolate, like the driver's own global configuration. */
function configureQueryLog(settings: QueryLogSettings): void {
  queryLog = settings;
}

function connect(url: string): Db {
  return drizzle({ client: neon(url), schema });
}

const hyperdriveFetch = instrumented(hyperdriveTransport);
const neonFetch = instrumented((url, init) => fetch(url, init));

export function createDatabase(config: Config, logger: Logger): Database {
  configureQueryLog({ slowMs: config.SLOW_QUERY_MS, logger });
  let primaryUrl = config.DATABASE_URL;
  let replicaUrl = config.DATABASE_READ_URL;
  if (config.DB_DRIVER === "hyperdrive") {
    neonConfig.fetchFunction = hyperdriveFetch;
    primaryUrl = config.HYPERDRIVE?.connectionString;
    replicaUrl = config.HYPERDRIVE_READ?.connectionString;
  } else {
    neonConfig.fetchFunction = neonFetch;
    if (config.NEON_FETCH_ENDPOINT) neonConfig.fetchEndpoint = config.NEON_FETCH_ENDPOINT;
  }
  if (!primaryUrl) throw new Error("no database configured"); // loadConfig has already said which setting is missing
  const primary = connect(primaryUrl);
  const replica = replicaUrl ? connect(replicaUrl) : primary;
  return { primary, replica };
}

/** True when a database error is a unique violation (of `constraint`, when given). */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const pg = postgresErrorOf(err);
  return pg?.code === "23505" && (constraint === undefined || pg.constraint === constraint);
}
