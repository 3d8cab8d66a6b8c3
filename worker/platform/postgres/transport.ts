/**
 * Neon's HTTP query protocol served over a Postgres connection: the `fetchFunction` that lets the
 * Neon driver (and drizzle's neon-http session above it) run on any Postgres reached through
 * Hyperdrive. Everything above `fetch` stays as it is — the same queries, the same `db.batch()`
 * (one pipeline in one transaction, so one round trip), the same result parsing and errors — so
 * choosing the driver is configuration, not code.
 *
 * Each request opens a connection, runs its pipeline and closes: Hyperdrive keeps the pool to the
 * origin warm, and a Worker may not share a socket between requests anyway.
 */
import {
  beginStatement,
  parseNeonRequest,
  toNeonError,
  toNeonResult,
  type RequestHeaders,
} from "../neon/protocol.ts";
import { openSession, type SessionOptions, type WireSocket } from "./wire.ts";

export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

/** Opens a TCP connection: `connect` of cloudflare:sockets in the Worker, node:net in Node. */
export type Connector = (address: { hostname: string; port: number }) => Promise<WireSocket> | WireSocket;

/**
 * Session settings that make Postgres answer in the text format Neon's HTTP endpoint uses (UTC,
 * ISO dates), whatever the origin's defaults.
 */
const SESSION_PARAMETERS = { TimeZone: "UTC", DateStyle: "ISO, MDY", IntervalStyle: "postgres" };

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

/** Where a postgres:// connection string says to connect, and as whom (with the session settings above). */
export function sessionTarget(connectionString: string): { address: { hostname: string; port: number }; session: SessionOptions } {
  const url = new URL(connectionString);
  return {
    address: { hostname: url.hostname, port: Number(url.port || 5432) },
    session: {
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: decodeURIComponent(url.pathname.slice(1)),
      parameters: { ...SESSION_PARAMETERS, application_name: url.searchParams.get("application_name") ?? "assay" },
    },
  };
}

/**
 * The Neon driver's `fetchFunction` for a Postgres reached with `connect`.
 *
 * - A statement's error answers 400 with Neon's error body (the driver raises NeonDbError with
 *   its code, constraint, ...), exactly as Neon does.
 * - A database that cannot be reached, or refuses the session (wrong password, unknown database),
 *   answers 502: the caller's fetch wrapper turns that into "database unavailable".
 *
 * @example
 * neonConfig.fetchFunction = postgresTransport(connect);
 * const db = drizzle({ client: neon(env.HYPERDRIVE.connectionString), schema });
 */
export function postgresTransport(connect: Connector): FetchFunction {
  return async (_url, init) => {
    const headers: RequestHeaders = Object.fromEntries(new Headers(init.headers));
    let request;
    try {
      request = parseNeonRequest(headers, JSON.parse(String(init.body)));
    } catch (error) {
      return json(400, toNeonError(error) ?? { message: "request body is not JSON" });
    }
    // parseNeonRequest has checked the header is there.
    const target = sessionTarget(String(headers["neon-connection-string"]));
    let session;
    try {
      session = await openSession(await connect(target.address), target.session);
    } catch (error) {
      return json(502, { message: `could not open a database session: ${error instanceof Error ? error.message : String(error)}` });
    }
    try {
      const { arrayMode } = request;
      if (request.kind === "query") {
        const [result] = await session.run([request.statement]);
        if (!result) throw new Error("the database answered no result");
        return json(200, toNeonResult(result, arrayMode));
      }
      const results = await session.run(request.statements, { begin: beginStatement(request.transaction) });
      return json(200, { results: results.map((result) => toNeonResult(result, arrayMode)) });
    } catch (error) {
      const body = toNeonError(error);
      if (body) return json(400, body);
      throw error;
    } finally {
      await session.close().catch(() => undefined);
    }
  };
}
