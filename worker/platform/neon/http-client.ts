/**
 * Neon's HTTP query path as @neondatabase/serverless 1.2 implements it, for the Worker bundle: the
 * package is one pre-bundled file whose WebSocket Pool/Client and Node polyfills (~145 KiB
 * minified) esbuild cannot drop. Same requests, results and errors (local/neon/compact-client.contract.test.ts).
 */
import { ERROR_FIELDS, PostgresFieldsError } from "./protocol.ts";
import { prepareValue, types, type TypeParser, type TypeSource } from "./text-format.ts";

export { types };

type FetchEndpoint = string | ((host: string, port: string, options?: { jwtAuth?: boolean }) => string);
type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;
export type IsolationLevel = "ReadUncommitted" | "ReadCommitted" | "RepeatableRead" | "Serializable";

export interface HTTPQueryOptions {
  arrayMode?: boolean;
  fullResults?: boolean;
  fetchOptions?: RequestInit;
  /** Parsers for this query's results instead of the global `types`. */
  types?: TypeSource;
  authToken?: string | (() => string | Promise<string>);
}

export interface HTTPTransactionOptions {
  arrayMode?: boolean;
  fullResults?: boolean;
  fetchOptions?: RequestInit;
  isolationLevel?: IsolationLevel;
  readOnly?: boolean;
  deferrable?: boolean;
}

export interface FieldDef {
  name: string;
  dataTypeID: number;
  [key: string]: unknown;
}

/** A result with `fullResults: true`; otherwise a query resolves to `rows` alone. */
export interface FullQueryResults {
  fields: FieldDef[];
  command: string;
  rowCount: number | null;
  rows: unknown[];
  rowAsArray: boolean;
  viaNeonFetch: true;
  _parsers: TypeParser[];
  _types: TypeSource;
}

export interface ParameterizedQuery {
  query: string;
  params: unknown[];
}

type Execute = (
  query: ParameterizedQuery | ParameterizedQuery[],
  options?: HTTPQueryOptions | HTTPQueryOptions[],
  transaction?: HTTPTransactionOptions,
) => Promise<unknown>;

const defaultEndpoint = (host: string, _port: string, options?: { jwtAuth?: boolean }) =>
  `https://${host.replace(/^[^.]+\./, options?.jwtAuth ? "apiauth." : "api.")}/sql`;

let fetchEndpoint: FetchEndpoint | undefined;

/** The driver's global settings that matter over HTTP (others may be set and are ignored). */
export const neonConfig = {
  get fetchEndpoint(): FetchEndpoint {
    return fetchEndpoint ?? defaultEndpoint;
  },
  set fetchEndpoint(endpoint: FetchEndpoint | undefined) {
    fetchEndpoint = endpoint;
  },
  fetchFunction: undefined as FetchFunction | undefined,
};


/** A Postgres error (400 answer, fields copied from its body), a server or a network failure. */
export class NeonDbError extends PostgresFieldsError {
  declare sourceError: unknown;

  constructor(message?: string) {
    super(message);
    // Own, enumerable and present even when empty, as the driver's class fields are.
    this.name = "NeonDbError";
    for (const field of [...ERROR_FIELDS, "sourceError"]) Reflect.set(this, field, undefined);
  }
}

const get = (value: unknown, key: string): unknown =>
  typeof value === "object" && value !== null ? Reflect.get(value, key) : undefined;

/** A query not yet sent: like the driver's, it runs (again) on every `then`. */
export class NeonQueryPromise implements PromiseLike<unknown> {
  readonly execute: Execute;
  readonly queryData: ParameterizedQuery;
  readonly opts: HTTPQueryOptions | undefined;

  constructor(execute: Execute, queryData: ParameterizedQuery, opts?: HTTPQueryOptions) {
    this.execute = execute;
    this.queryData = queryData;
    this.opts = opts;
  }

  then<A = unknown, B = never>(
    onfulfilled?: ((value: unknown) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.execute(this.queryData, this.opts).then(onfulfilled, onrejected);
  }

  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<unknown> {
    return this.execute(this.queryData, this.opts).catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<unknown> {
    return this.execute(this.queryData, this.opts).finally(onfinally);
  }
}

export interface NeonQueryFunction {
  (strings: TemplateStringsArray, ...values: unknown[]): NeonQueryPromise;
  query(query: string, params?: unknown[], options?: HTTPQueryOptions): NeonQueryPromise;
  transaction(
    queries: NeonQueryPromise[] | ((sql: NeonQueryFunction) => NeonQueryPromise[]),
    options?: HTTPTransactionOptions,
  ): Promise<unknown[]>;
}

const TRANSACTION_USAGE = "transaction() expects an array of queries, or a function returning an array of queries";

/** The connection string as the driver sends it: parsed as http:, application_name added. */
function resolveConnectionString(connectionString: string): URL {
  let url: URL;
  try {
    url = new URL(`http:${connectionString.slice(new URL(connectionString).protocol.length)}`);
  } catch {
    throw new NeonDbError(`Database connection string provided to neon() is not a valid URL (connection string: ${connectionString})`);
  }
  if (!url.searchParams.has("application_name"))
    url.searchParams.append("application_name", "pkg:npm/%40neondatabase/serverless@1.2.0");
  const { username, hostname, pathname } = url;
  if (!username || !hostname || hostname === "-" || !pathname || pathname === "/")
    throw new NeonDbError("Wrong URL scheme or missing user, host or database in connection parameters");
  return url;
}

function processResult(result: unknown, options: HTTPQueryOptions, arrayMode: boolean, fullResults: boolean): unknown {
  const fields = get(result, "fields");
  const rawRows = get(result, "rows");
  if (!Array.isArray(fields) || !Array.isArray(rawRows) || typeof result !== "object" || result === null)
    throw new NeonDbError("Neon internal error: unexpected result format");
  const typeSource = options.types ?? types;
  const names = fields.map((field: unknown) => String(get(field, "name")));
  const parsers = fields.map((field: unknown) => typeSource.getTypeParser(Number(get(field, "dataTypeID")), "text"));
  const rows = rawRows.map((row: unknown[]) => {
    const values = row.map((value, i) => (value === null ? null : (parsers[i] ?? String)(String(value))));
    return arrayMode ? values : Object.fromEntries(values.map((value, i) => [names[i], value]));
  });
  if (!fullResults) return rows;
  return Object.assign(result, { viaNeonFetch: true, rowAsArray: arrayMode, rows, _parsers: parsers, _types: typeSource });
}

const prepareQuery = ({ query, params }: ParameterizedQuery) => ({ query, params: params.map((value) => prepareValue(value)) });

/**
 * `neon(url)` as in @neondatabase/serverless: `sql.query(text, params, options)`,
 * `sql.transaction([...], options)` (one request, one transaction) and sql`...` templates
 * (without nested fragments or `sql.unsafe`).
 *
 * @example
 * const sql = neon(env.DATABASE_URL);
 * const rows = await sql.query("SELECT * FROM users WHERE id = $1", [id]);
 */
export function neon(connectionString: string, options: HTTPQueryOptions & HTTPTransactionOptions = {}): NeonQueryFunction {
  const execute: Execute = async (query, queryOptions, transaction = {}) => {
    const batch = Array.isArray(query);
    const single = Array.isArray(queryOptions) ? {} : (queryOptions ?? {});
    const setting = <K extends keyof HTTPTransactionOptions>(key: K) => transaction[key] ?? options[key];
    const body = JSON.stringify(batch ? { queries: query.map(prepareQuery) } : prepareQuery(query));
    const url = resolveConnectionString(connectionString);
    const tokenSource = single.authToken ?? options.authToken;
    const endpoint = neonConfig.fetchEndpoint;
    const endpointUrl =
      typeof endpoint === "function" ? endpoint(url.hostname, url.port, { jwtAuth: tokenSource !== undefined }) : endpoint;
    const headers: Record<string, string> = {
      "Neon-Connection-String": `postgresql:${url.href.slice(5)}`,
      "Neon-Raw-Text-Output": "true",
      "Neon-Array-Mode": "true",
    };
    let authToken: unknown = tokenSource;
    if (typeof tokenSource === "function") {
      try {
        authToken = await tokenSource();
      } catch (error) {
        throw new NeonDbError(error instanceof Error ? `Error getting auth token: ${error.message}` : "Error getting auth token.");
      }
    }
    if (typeof authToken === "string" && authToken) headers.Authorization = `Bearer ${authToken}`;
    const isolationLevel = setting("isolationLevel");
    const readOnly = setting("readOnly");
    const deferrable = setting("deferrable");
    if (batch) {
      if (isolationLevel !== undefined) headers["Neon-Batch-Isolation-Level"] = isolationLevel;
      if (readOnly !== undefined) headers["Neon-Batch-Read-Only"] = String(readOnly);
      if (deferrable !== undefined) headers["Neon-Batch-Deferrable"] = String(deferrable);
    }
    let response: Response;
    try {
      response = await (neonConfig.fetchFunction ?? fetch)(endpointUrl, {
        method: "POST",
        body,
        headers,
        ...options.fetchOptions,
        ...transaction.fetchOptions,
        ...single.fetchOptions,
      });
    } catch (error) {
      const failure = new NeonDbError(`Error connecting to database: ${String(error)}`);
      failure.sourceError = error;
      throw failure;
    }
    if (response.status === 400) {
      const details: unknown = await response.json();
      const message = get(details, "message");
      const failure = new NeonDbError(typeof message === "string" ? message : undefined);
      for (const field of ERROR_FIELDS) Reflect.set(failure, field, get(details, field) ?? undefined);
      throw failure;
    }
    if (!response.ok) throw new NeonDbError(`Server error (HTTP status ${response.status}): ${await response.text()}`);
    const answer: unknown = await response.json();
    const results = batch ? get(answer, "results") : [answer];
    if (!Array.isArray(results)) throw new NeonDbError("Neon internal error: unexpected result format");
    const perQuery = Array.isArray(queryOptions) ? queryOptions : [single];
    const processed = results.map((result: unknown, i) => {
      const own = perQuery[i] ?? {};
      const arrayMode = own.arrayMode ?? setting("arrayMode") ?? false;
      return processResult(result, own, arrayMode, own.fullResults ?? setting("fullResults") ?? false);
    });
    return batch ? processed : processed[0];
  };

  const template = (strings: TemplateStringsArray, ...values: unknown[]) => {
    if (!Array.isArray(strings) || !Array.isArray(strings.raw))
      throw new Error('This function can now be called only as a tagged-template function: sql`SELECT ${value}`; use sql.query("SELECT $1", [value]) otherwise.');
    const params: unknown[] = [];
    const text = strings.reduce((sql: string, part: string, i) => {
      const value: unknown = values[i - 1];
      if (value instanceof NeonQueryPromise) throw new Error("nested sql`` fragments are not supported by this client");
      params.push(value);
      return `${sql}$${i}${ArrayBuffer.isView(value) ? "::bytea" : ""}${part}`;
    });
    return new NeonQueryPromise(execute, { query: text, params });
  };

  const sql: NeonQueryFunction = Object.assign(template, {
    query: (query: string, params?: unknown[], queryOptions?: HTTPQueryOptions) =>
      new NeonQueryPromise(execute, { query, params: params ?? [] }, queryOptions),
    transaction: async (
      queries: NeonQueryPromise[] | ((sql: NeonQueryFunction) => NeonQueryPromise[]),
      transaction?: HTTPTransactionOptions,
    ) => {
      const list = typeof queries === "function" ? queries(sql) : queries;
      if (!Array.isArray(list) || !list.every((q) => q instanceof NeonQueryPromise)) throw new Error(TRANSACTION_USAGE);
      const results = await execute(list.map((q) => q.queryData), list.map((q) => q.opts ?? {}), transaction);
      return Array.isArray(results) ? results : [];
    },
  });
  return sql;
}
