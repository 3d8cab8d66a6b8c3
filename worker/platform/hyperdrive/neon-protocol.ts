/**
 * Neon's HTTP query protocol as @neondatabase/serverless 1.2 speaks it: request headers and body,
 * the JSON result shape (`fields`, `command`, `rowCount`, `rows`, `rowAsArray`) and the 400 error
 * body whose fields the driver copies onto `NeonDbError`. The Worker's Hyperdrive transport
 * (./transport.ts) serves it; the local Neon stand-in (local/neon/protocol.ts) builds on it.
 */

/** Request headers as Node gives them: lower-case names. */
export type RequestHeaders = Record<string, string | string[] | undefined>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export interface SqlStatement {
  query: string;
  /** Postgres text format (the driver encodes every value), or null. */
  params: (string | null)[];
}

export interface SqlField {
  name: string;
  tableID: number;
  columnID: number;
  dataTypeID: number;
  dataTypeSize: number;
  dataTypeModifier: number;
  format: string;
}

/** One statement's result, values in Postgres text format. */
export interface SqlResult {
  command: string;
  rowCount: number | null;
  fields: SqlField[];
  rows: (string | null)[][];
}

export type IsolationLevel = "READ UNCOMMITTED" | "READ COMMITTED" | "REPEATABLE READ" | "SERIALIZABLE";

export interface TransactionOptions {
  isolationLevel?: IsolationLevel;
  readOnly?: boolean;
  deferrable?: boolean;
}

export type NeonRequest =
  | { kind: "query"; database: string; arrayMode: boolean; statement: SqlStatement }
  | { kind: "batch"; database: string; arrayMode: boolean; statements: SqlStatement[]; transaction: TransactionOptions };

/** A request the stand-in refuses before reaching Postgres: answered 400 like Neon does. */
export class NeonRequestError extends Error {
  readonly code: string;
  constructor(message: string, code = "08P01") {
    super(message);
    this.code = code;
  }
}

const ISOLATION_LEVELS: Record<string, IsolationLevel> = {
  ReadUncommitted: "READ UNCOMMITTED",
  ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ",
  Serializable: "SERIALIZABLE",
};

/** The database a request targets: the path of its `Neon-Connection-String`. */
export function databaseFromHeaders(headers: RequestHeaders): string {
  const header = headers["neon-connection-string"];
  if (typeof header !== "string" || header === "") throw new NeonRequestError("missing Neon-Connection-String header");
  let url: URL;
  try {
    url = new URL(header);
  } catch {
    throw new NeonRequestError("Neon-Connection-String is not a valid URL");
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (database === "") throw new NeonRequestError("Neon-Connection-String names no database");
  return database;
}

export function parseNeonRequest(headers: RequestHeaders, body: unknown): NeonRequest {
  const database = databaseFromHeaders(headers);
  const arrayMode = headers["neon-array-mode"] === "true";
  if (isRecord(body) && Array.isArray(body.queries)) {
    return {
      kind: "batch",
      database,
      arrayMode,
      statements: body.queries.map(parseStatement),
      transaction: parseTransactionOptions(headers),
    };
  }
  return { kind: "query", database, arrayMode, statement: parseStatement(body) };
}

function parseStatement(value: unknown): SqlStatement {
  if (!isRecord(value) || typeof value.query !== "string")
    throw new NeonRequestError('request body must be {"query", "params"} or {"queries": [...]}');
  const params = value.params ?? [];
  if (!Array.isArray(params)) throw new NeonRequestError("params must be an array");
  return { query: value.query, params: params.map(toText) };
}

/** The driver sends text already; other clients may send JSON scalars or objects. */
function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function parseTransactionOptions(headers: RequestHeaders): TransactionOptions {
  const options: TransactionOptions = {};
  const level = headers["neon-batch-isolation-level"];
  if (typeof level === "string") {
    const isolationLevel = ISOLATION_LEVELS[level];
    if (!isolationLevel) throw new NeonRequestError(`invalid Neon-Batch-Isolation-Level: ${level}`);
    options.isolationLevel = isolationLevel;
  }
  if (headers["neon-batch-read-only"] === "true") options.readOnly = true;
  if (headers["neon-batch-deferrable"] === "true") options.deferrable = true;
  return options;
}

/** `BEGIN` with the batch's transaction characteristics. */
export function beginStatement(options: TransactionOptions): string {
  return ["BEGIN", ...transactionModes(options)].join(" ");
}

export function transactionModes(options: TransactionOptions): string[] {
  const modes: string[] = [];
  if (options.isolationLevel) modes.push(`ISOLATION LEVEL ${options.isolationLevel}`);
  if (options.readOnly) modes.push("READ ONLY");
  if (options.deferrable) modes.push("DEFERRABLE");
  return modes;
}

/** The JSON Neon answers for one statement. Without array mode, rows are objects keyed by column. */
export function toNeonResult(result: SqlResult, arrayMode: boolean): Record<string, unknown> {
  const rows = arrayMode
    ? result.rows
    : result.rows.map((row) => Object.fromEntries(result.fields.map((field, i) => [field.name, row[i] ?? null])));
  return { fields: result.fields, command: result.command, rowCount: result.rowCount, rows, rowAsArray: arrayMode };
}

/** The Postgres error fields the driver copies onto NeonDbError (pg, PGlite and wire errors carry them). */
export const ERROR_FIELDS = [
  "severity",
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const;

/** A Postgres error as Neon's 400 body; null when `error` is not one (then it is our bug: 500). */
export function toNeonError(error: unknown): Record<string, unknown> | null {
  if (error instanceof NeonRequestError) return { message: error.message, code: error.code };
  if (!(error instanceof Error) || !isRecord(error) || typeof error.code !== "string") return null;
  const body: Record<string, unknown> = { message: error.message };
  for (const field of ERROR_FIELDS) {
    const value = error[field];
    if (value !== undefined && value !== null) body[field] = value;
  }
  return body;
}
