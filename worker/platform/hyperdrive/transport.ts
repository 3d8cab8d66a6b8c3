/**
 * Neon's HTTP query protocol served by Postgres.js: the `fetchFunction` that lets the Neon driver
 * (and drizzle's neon-http session above it) run on any Postgres reached through Hyperdrive.
 * Everything above `fetch` stays as it is — the same queries, the same `db.batch()`, the same
 * result parsing and errors — so choosing the driver is configuration, not code.
 *
 * Each request opens one connection, runs its statements and closes it: Hyperdrive keeps the pool
 * to the origin warm, and a Worker may not share a socket between requests anyway.
 *
 * One wire round trip per request once the session is open: each statement goes as a
 * simple-protocol Query with its parameters written in as literals (./inline-parameters.ts), and
 * a batch's BEGIN, statements and COMMIT are written together (Postgres.js pipelines queries that
 * need no Describe). On the extended protocol Postgres.js would first describe every statement
 * that has parameters and wait for the answer (docs/DATABASE.md).
 */
import { connect as connectTcp } from "node:net";
import postgres from "postgres";
import { inlineParameters } from "./inline-parameters.ts";
import {
  beginStatement,
  ERROR_FIELDS,
  parseNeonRequest,
  toNeonError,
  toNeonResult,
  type RequestHeaders,
  type SqlResult,
  type SqlStatement,
  type TransactionOptions,
} from "./neon-protocol.ts";

export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

type Sql = postgres.Sql;

/**
 * Session settings that make Postgres answer in the text format Neon's HTTP endpoint uses (UTC, ISO
 * dates), and read string constants as ./inline-parameters.ts scans them.
 */
const SESSION_PARAMETERS = { TimeZone: "UTC", DateStyle: "ISO, MDY", IntervalStyle: "postgres", standard_conforming_strings: "on" };

/**
 * Every type Postgres.js converts by default, kept as text both ways: parameters arrive already in
 * Postgres text format (the Neon driver encodes them), and results go back as Neon sends them.
 */
const AS_TEXT = {
  to: 25,
  from: [16, 17, 21, 23, 26, 114, 700, 701, 1082, 1114, 1184, 3802],
  serialize: (value: unknown) => String(value),
  parse: (value: string) => value,
};

/**
 * The extended protocol, for a statement that cannot be inlined (several statements in one string,
 * a missing parameter, NUL in a value): Postgres refuses it with its own error, as behind Neon.
 * `simple` is not in the typings.
 */
const EXTENDED_PROTOCOL = { prepare: false, simple: false };
const SIMPLE_PROTOCOL = { prepare: false, simple: true };

/** Postgres.js names of Neon's error fields (ERROR_FIELDS), where they differ. */
const POSTGRES_JS_FIELDS: Partial<Record<(typeof ERROR_FIELDS)[number], string>> = {
  internalPosition: "internal_position",
  internalQuery: "internal_query",
  schema: "schema_name",
  table: "table_name",
  column: "column_name",
  dataType: "data_type_name",
  constraint: "constraint_name",
};

/** SQLSTATE classes of a session the database refused or lost, rather than of a statement. */
const SESSION_FAILURE = /^(08|28|3D|53|57P)/;

const decoder = new TextDecoder();

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

/**
 * The runtime's node:net socket (workerd's is built on cloudflare:sockets) instead of Postgres.js'
 * own Workers polyfill, which leaves an unhandled rejection behind every closed connection
 * (porsager/postgres#1196, #1202). `socket` is a documented option missing from the typings.
 */
function socket({ host, port }: { host: string[]; port: number[] }) {
  return connectTcp({ host: host[0] ?? "localhost", port: port[0] ?? 5432 });
}

function connect(connectionString: string): Sql {
  const applicationName = new URL(connectionString).searchParams.get("application_name") ?? "assay";
  const options = {
    max: 1,
    prepare: false,
    fetch_types: false,
    connect_timeout: 10,
    onnotice: () => undefined,
    types: { text: AS_TEXT },
    connection: { ...SESSION_PARAMETERS, application_name: applicationName },
    socket,
  };
  return postgres(connectionString, options);
}

/** `error` with its position (in the text that was sent) as a position in the statement's own query. */
function withOriginalPosition(error: unknown, originalPosition: (position: number) => number): never {
  if (error instanceof postgres.PostgresError && error.position) {
    Object.assign(error, { position: String(originalPosition(Number(error.position))) });
  }
  throw error;
}

/** One statement, sent at once: a simple Query with its parameters inlined, or else the extended protocol. */
function query(sql: Sql, statement: SqlStatement) {
  const inlined = inlineParameters(statement.query, statement.params);
  if (!inlined) return sql.unsafe(statement.query, statement.params, EXTENDED_PROTOCOL).raw().execute();
  return sql
    .unsafe(inlined.text, [], SIMPLE_PROTOCOL)
    .raw()
    .catch((error: unknown) => withOriginalPosition(error, inlined.originalPosition));
}

/** Rows of raw values: each the bytes of its Postgres text form, or null. */
type RawResult = Awaited<ReturnType<typeof query>>;

function toSqlResult(result: RawResult): SqlResult {
  return {
    command: result.command,
    rowCount: Number.isFinite(result.count) ? result.count : null,
    fields: (result.columns ?? []).map((column) => ({
      name: column.name,
      tableID: column.table,
      columnID: column.number,
      dataTypeID: column.type,
      dataTypeSize: -1,
      dataTypeModifier: -1,
      format: "text",
    })),
    rows: result.map((row) => row.map((value: Uint8Array | null) => (value === null ? null : decoder.decode(value)))),
  };
}

/**
 * BEGIN, every statement and COMMIT issued without waiting in between, on one connection: the
 * fallback for a batch holding a statement that cannot be inlined. Postgres.js describes each
 * statement with parameters and waits for the answer first. After a failing statement Postgres
 * answers the rest with 25P02 and turns COMMIT into a rollback: the first failure in order is the
 * one to report.
 */
async function runPipelined(sql: Sql, statements: SqlStatement[], transaction: TransactionOptions): Promise<SqlResult[]> {
  // Started in this order (a query is sent when first awaited or executed).
  const begin = sql.unsafe(beginStatement(transaction)).execute();
  const results = statements.map((statement) => query(sql, statement));
  const commit = sql.unsafe("COMMIT").execute();
  const [begun, ...settled] = await Promise.allSettled([begin, ...results, commit]);
  for (const outcome of [begun, ...settled]) if (outcome?.status === "rejected") throw outcome.reason;
  return settled.slice(0, -1).map((outcome) => toSqlResult((outcome as PromiseFulfilledResult<RawResult>).value));
}

/**
 * Sent before each statement and before COMMIT in a batch's Query: it answers a row description
 * and a command tag without a row count ("SHOW"). Postgres.js starts a new result at each row
 * description and lets a statement without rows complete into the current one; so after each
 * marker's result comes the statement's own result when it has rows, and otherwise the marker's
 * result carries the statement's command tag.
 */
const MARKER = "SHOW standard_conforming_strings";

/**
 * A batch as ONE simple-protocol Query, `BEGIN; marker; stmt1; marker; stmt2; ...; marker; COMMIT`,
 * written once: one round trip. On an error Postgres abandons the rest of the string and leaves
 * the transaction aborted; the connection then ends (Terminate) and nothing commits.
 */
async function runBatch(sql: Sql, statements: SqlStatement[], transaction: TransactionOptions): Promise<SqlResult[]> {
  const inlined = statements.map((statement) => inlineParameters(statement.query, statement.params));
  if (inlined.some((statement) => statement === null)) return runPipelined(sql, statements, transaction);
  let text = `${beginStatement(transaction)};\n`;
  /** Each statement's first and last character (code points, 0-based) in `text`. */
  const spans: { start: number; end: number; originalPosition: (position: number) => number }[] = [];
  let characters = Array.from(text).length;
  for (const statement of inlined) {
    if (!statement) continue;
    text += `${MARKER};\n`;
    characters += MARKER.length + 2;
    const length = Array.from(statement.text).length;
    spans.push({ start: characters, end: characters + length, originalPosition: statement.originalPosition });
    // A newline first: the statement may end in a -- comment.
    text += `${statement.text}\n;\n`;
    characters += length + 3;
  }
  text += `${MARKER};\nCOMMIT`;

  let answered: RawResult[];
  try {
    answered = (await sql.unsafe(text, [], SIMPLE_PROTOCOL).raw()) as unknown as RawResult[];
  } catch (error) {
    if (!(error instanceof postgres.PostgresError) || !error.position) throw error;
    const position = Number(error.position);
    const span = spans.find(({ start, end }) => position > start && position <= end);
    if (span) withOriginalPosition(error, (at) => span.originalPosition(at - span.start));
    throw error;
  }

  const results: SqlResult[] = [];
  let next = 1; // answered[0] is BEGIN's
  for (let i = 0; i < statements.length; i += 1) {
    const marker = answered[next++];
    if (!marker) throw new Error("batch answered fewer results than it has statements");
    if (marker.command === MARKER.split(" ")[0]) {
      const own = answered[next++];
      if (!own) throw new Error("batch answered fewer results than it has statements");
      results.push(toSqlResult(own));
    } else {
      results.push({ command: marker.command, rowCount: Number.isFinite(marker.count) ? marker.count : null, fields: [], rows: [] });
    }
  }
  return results;
}

/** A statement's error as Neon's 400 body; null when the session itself failed. */
function statementError(error: unknown): Record<string, unknown> | null {
  if (!(error instanceof postgres.PostgresError) || SESSION_FAILURE.test(error.code)) return null;
  const body: Record<string, unknown> = { message: error.message };
  for (const field of ERROR_FIELDS) {
    const value: unknown = Reflect.get(error, POSTGRES_JS_FIELDS[field] ?? field);
    if (value !== undefined && value !== null) body[field] = value;
  }
  return body;
}

/**
 * The Neon driver's `fetchFunction` for a Postgres the request's connection string names (in the
 * Worker: a Hyperdrive binding's `connectionString`).
 *
 * - A statement's error answers 400 with Neon's error body (the driver raises NeonDbError with
 *   its code, constraint, ...), exactly as Neon does.
 * - A database that cannot be reached, refuses the session (wrong password, unknown database) or
 *   drops it answers 502: the caller's fetch wrapper turns that into "database unavailable".
 *
 * @example
 * neonConfig.fetchFunction = hyperdriveTransport;
 * const db = drizzle({ client: neon(env.HYPERDRIVE.connectionString), schema });
 */
export const hyperdriveTransport: FetchFunction = async (_url, init) => {
  const headers: RequestHeaders = Object.fromEntries(new Headers(init.headers));
  let request;
  try {
    request = parseNeonRequest(headers, JSON.parse(String(init.body)));
  } catch (error) {
    return json(400, toNeonError(error) ?? { message: "request body is not JSON" });
  }
  // parseNeonRequest has checked the header is there.
  const sql = connect(String(headers["neon-connection-string"]));
  try {
    const { arrayMode } = request;
    if (request.kind === "query") return json(200, toNeonResult(toSqlResult(await query(sql, request.statement)), arrayMode));
    const results = await runBatch(sql, request.statements, request.transaction);
    return json(200, { results: results.map((result) => toNeonResult(result, arrayMode)) });
  } catch (error) {
    const body = statementError(error);
    if (body) return json(400, body);
    return json(502, { message: `database session failed: ${error instanceof Error ? error.message : String(error)}` });
  } finally {
    // Bounded: after the server has dropped the connection, Postgres.js' end() alone never settles.
    await sql.end({ timeout: 0 }).catch(() => undefined);
  }
};
