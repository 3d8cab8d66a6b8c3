/**
 * The Neon stand-in: `POST /sql` speaking Neon's HTTP query protocol, plus `/__control/`.
 * Each database name in `Neon-Connection-String` is its own database (and its own scope for
 * counters and faults), cloned from the migrated, seeded template on first use. A connection
 * string without the issued user, password and endpoint host is refused as Neon refuses it.
 */
import type { NeonCount } from "../control.ts";
import { handleControl } from "../http/control-routes.ts";
import { ScopedCounters } from "../http/counters.ts";
import { FaultTable } from "../http/faults.ts";
import { readJson, sendJson, serve } from "../http/server.ts";
import type { SqlBackend } from "./backend.ts";
import { PgliteBackend } from "./pglite-backend.ts";
import { PostgresBackend } from "./postgres-backend.ts";
import { parseNeonRequest, toNeonError, toNeonResult, type NeonRequest } from "./protocol.ts";
import { refusalOf } from "./credentials.ts";
import { templateRecipe, type Seed } from "./template.ts";

export interface NeonStandInOptions {
  port?: number;
  /** Admin URL of a real PostgreSQL; without it, embedded PGlite. */
  pgUrl?: string;
  /** PGlite databases persist here; in memory when undefined. */
  dataDir?: string;
  /** Where PGlite snapshots are cached. */
  cacheDir: string;
  resetDatabases?: boolean;
  migrationsFolder: string;
  seed?: Seed;
  log: (line: string) => void;
}

export interface NeonStandIn {
  /** `http://127.0.0.1:<port>/sql`: set `neonConfig.fetchEndpoint` to it. */
  sqlUrl: string;
  /** A postgres:// URL for the same database over the wire protocol (for a Hyperdrive binding). */
  postgresUrl(name: string): Promise<string>;
  close(): Promise<void>;
}

const COUNTS: readonly NeonCount[] = ["query", "batch", "statements"];

export async function startNeonStandIn(options: NeonStandInOptions): Promise<NeonStandIn> {
  const backend: SqlBackend = options.pgUrl
    ? new PostgresBackend({ adminUrl: options.pgUrl, resetDatabases: options.resetDatabases, log: options.log })
    : new PgliteBackend({ dataDir: options.dataDir, cacheDir: options.cacheDir, resetDatabases: options.resetDatabases, log: options.log });
  const controls = { counters: new ScopedCounters(COUNTS), faults: new FaultTable() };

  const server = await serve(options.port ?? 0, async (req, res, url) => {
    if (await handleControl(req, res, url, controls)) return;
    if (url.pathname !== "/sql" || req.method !== "POST") {
      sendJson(res, 404, { message: `no route ${req.method ?? ""} ${url.pathname}` });
      return;
    }
    let request: NeonRequest;
    try {
      request = parseNeonRequest(req.headers, await readJson(req));
    } catch (error) {
      sendJson(res, 400, toNeonError(error) ?? { message: String(error) });
      return;
    }
    const refusal = refusalOf(String(req.headers["neon-connection-string"]));
    if (refusal) {
      sendJson(res, 400, refusal);
      return;
    }
    const scope = request.database;
    controls.counters.track(scope, res);
    controls.counters.add(scope, request.kind);
    controls.counters.add(scope, "statements", request.kind === "batch" ? request.statements.length : 1);
    if (await controls.faults.apply(scope, req, res, (status) => ({ message: `injected fault: HTTP ${status}`, code: "XX000" }))) return;
    try {
      const database = await backend.open(request.database);
      const body =
        request.kind === "query"
          ? toNeonResult(await database.query(request.statement), request.arrayMode)
          : { results: (await database.batch(request.statements, request.transaction)).map((result) => toNeonResult(result, request.arrayMode)) };
      sendJson(res, 200, body);
    } catch (error) {
      const body = toNeonError(error);
      if (!body) throw error;
      sendJson(res, 400, body);
    }
  });

  const sqlUrl = `${server.origin}/sql`;
  try {
    await backend.prepare(templateRecipe({ migrationsFolder: options.migrationsFolder, seed: options.seed, sqlUrl }));
  } catch (error) {
    await server.close();
    await backend.close();
    throw error;
  }
  return {
    sqlUrl,
    postgresUrl: (name) => backend.postgresUrl(name),
    close: async () => {
      await server.close();
      await backend.close();
    },
  };
}
