/**
 * A small PostgreSQL wire-protocol (v3) client, for the Hyperdrive driver: startup, password
 * authentication (cleartext, MD5, SCRAM-SHA-256), and pipelines of extended-protocol statements
 * with text parameters and text results. A pipeline is written at once and ends with one Sync, so
 * it costs one round trip however many statements it holds.
 *
 * It speaks exactly what the Worker needs and nothing else: no COPY, no binary format, no
 * prepared-statement cache (Hyperdrive keeps its own), no TLS (a Worker reaches Hyperdrive over
 * Cloudflare's network; Hyperdrive encrypts the hop to the origin).
 *
 * @example
 * const session = await openSession(socket, { user: "app", password, database: "assay" });
 * const [result] = await session.run([{ query: "select $1::int as n", params: ["1"] }]);
 * await session.close();
 */
import { ERROR_FIELDS, PostgresFieldsError, type SqlField, type SqlResult, type SqlStatement } from "../neon/protocol.ts";
import { md5Password, scramSha256, type ScramExchange } from "./auth.ts";

/** A connected byte stream: what `connect()` of cloudflare:sockets returns, or node:net adapted. */
export interface WireSocket {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
  close(): Promise<void> | void;
}

export interface SessionOptions {
  user: string;
  password: string;
  database: string;
  /** Further startup parameters (server settings such as TimeZone, or application_name). */
  parameters?: Record<string, string>;
}

/** A Postgres ErrorResponse: the server's fields, named as pg and Neon name them. */
export class PostgresError extends PostgresFieldsError {
  constructor(fields: Map<string, string>) {
    super(fields.get("M") ?? "unknown Postgres error");
    this.name = "PostgresError";
    for (const [i, name] of ERROR_FIELDS.entries()) {
      const value = fields.get(ERROR_FIELD_CODES[i] ?? "");
      if (value !== undefined) this[name] = value;
    }
  }
}

/** The one-letter ErrorResponse field codes, in ERROR_FIELDS order. */
const ERROR_FIELD_CODES = "SCDHPpqWstcdnFLR";

/** The socket closed or the server broke the protocol: the session is unusable. */
export class WireError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WireError";
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Frontend messages, built into one growing buffer so a pipeline is one write. */
class MessageWriter {
  #bytes = new Uint8Array(512);
  #view = new DataView(this.#bytes.buffer);
  #length = 0;
  #start = 0;

  #reserve(n: number): void {
    if (this.#length + n <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + n));
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
    this.#view = new DataView(grown.buffer);
  }

  /** Starts a message: its type byte (none for the startup message) and a length to patch. */
  begin(type?: string): this {
    if (type !== undefined) this.byte(type.charCodeAt(0));
    this.#start = this.#length;
    return this.int32(0);
  }

  /** Patches the length of the message begun last. */
  end(): this {
    this.#view.setInt32(this.#start, this.#length - this.#start);
    return this;
  }

  byte(value: number): this {
    this.#reserve(1);
    this.#bytes[this.#length++] = value;
    return this;
  }

  int16(value: number): this {
    this.#reserve(2);
    this.#view.setInt16(this.#length, value);
    this.#length += 2;
    return this;
  }

  int32(value: number): this {
    this.#reserve(4);
    this.#view.setInt32(this.#length, value);
    this.#length += 4;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.#reserve(value.length);
    this.#bytes.set(value, this.#length);
    this.#length += value.length;
    return this;
  }

  cstring(value: string): this {
    return this.bytes(encoder.encode(value)).byte(0);
  }

  /** The bytes written so far; the writer starts over. */
  take(): Uint8Array {
    const out = this.#bytes.slice(0, this.#length);
    this.#length = 0;
    return out;
  }
}

/** One backend message's body, read front to back. */
class MessageBody {
  readonly type: string;
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #offset = 0;

  constructor(type: string, bytes: Uint8Array) {
    this.type = type;
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  int16(): number {
    const value = this.#view.getInt16(this.#offset);
    this.#offset += 2;
    return value;
  }

  int32(): number {
    const value = this.#view.getInt32(this.#offset);
    this.#offset += 4;
    return value;
  }

  bytes(length: number): Uint8Array {
    const value = this.#bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return value;
  }

  cstring(): string {
    const end = this.#bytes.indexOf(0, this.#offset);
    if (end < 0) throw new WireError("malformed message from the server: unterminated string");
    const value = decoder.decode(this.#bytes.subarray(this.#offset, end));
    this.#offset = end + 1;
    return value;
  }

  /** The field list of an ErrorResponse or NoticeResponse. */
  fields(): Map<string, string> {
    const fields = new Map<string, string>();
    for (let code = this.#bytes[this.#offset]; code; code = this.#bytes[this.#offset]) {
      this.#offset += 1;
      fields.set(String.fromCharCode(code), this.cstring());
    }
    return fields;
  }
}

/** Backend messages, framed out of the socket's chunks. */
class MessageReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #buffer = new Uint8Array(0);
  #offset = 0;

  constructor(readable: ReadableStream<Uint8Array>) {
    this.#reader = readable.getReader();
  }

  async next(): Promise<MessageBody> {
    await this.#fill(5);
    const view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset + this.#offset, 5);
    const type = String.fromCharCode(view.getUint8(0));
    const length = view.getInt32(1);
    if (length < 4) throw new WireError(`malformed message from the server: length ${length}`);
    await this.#fill(1 + length);
    const body = this.#buffer.subarray(this.#offset + 5, this.#offset + 1 + length);
    this.#offset += 1 + length;
    return new MessageBody(type, body);
  }

  async #fill(needed: number): Promise<void> {
    while (this.#buffer.length - this.#offset < needed) {
      const { value, done } = await this.#reader.read();
      if (done) throw new WireError("the database closed the connection");
      const rest = this.#buffer.subarray(this.#offset);
      const joined = new Uint8Array(rest.length + value.length);
      joined.set(rest);
      joined.set(value, rest.length);
      this.#buffer = joined;
      this.#offset = 0;
    }
  }

  release(): void {
    this.#reader.releaseLock();
  }
}

/** `INSERT 0 3` → 3, `SELECT 2` → 2, `BEGIN` → null: what pg reports as `rowCount`. */
function rowCountOf(tag: string): number | null {
  const count = /^[A-Za-z]+(?: (\d+))?(?: (\d+))?/.exec(tag);
  const digits = count?.[2] ?? count?.[1];
  return digits === undefined ? null : Number(digits);
}

function readFields(body: MessageBody): SqlField[] {
  const fields: SqlField[] = [];
  for (let n = body.int16(); n > 0; n--) {
    fields.push({
      name: body.cstring(),
      tableID: body.int32(),
      columnID: body.int16(),
      dataTypeID: body.int32(),
      dataTypeSize: body.int16(),
      dataTypeModifier: body.int32(),
      format: body.int16() === 0 ? "text" : "binary",
    });
  }
  return fields;
}

function readRow(body: MessageBody): (string | null)[] {
  const row: (string | null)[] = [];
  for (let n = body.int16(); n > 0; n--) {
    const length = body.int32();
    row.push(length < 0 ? null : decoder.decode(body.bytes(length)));
  }
  return row;
}

/** Parse, Bind (text in, text out), Describe and Execute of one statement, unnamed. */
function writeStatement(out: MessageWriter, { query, params }: SqlStatement): void {
  out.begin("P").cstring("").cstring(query).int16(0).end();
  out.begin("B").cstring("").cstring("").int16(0).int16(params.length);
  for (const value of params) {
    if (value === null) out.int32(-1);
    else {
      const bytes = encoder.encode(value);
      out.int32(bytes.length).bytes(bytes);
    }
  }
  out.int16(0).end();
  out.begin("D").byte("P".charCodeAt(0)).cstring("").end();
  out.begin("E").cstring("").int32(0).end();
}

export interface Session {
  /**
   * Runs the statements in one pipeline (one round trip) and returns one result per statement.
   * With `transaction`, they run between `transaction.begin` and COMMIT: all or none.
   * A statement's error rejects with its PostgresError; the session stays usable.
   */
  run(statements: SqlStatement[], transaction?: { begin: string }): Promise<SqlResult[]>;
  close(): Promise<void>;
}

/** Starts a session on a connected socket: startup, authentication, until the server is ready. */
export async function openSession(socket: WireSocket, options: SessionOptions): Promise<Session> {
  const writer = socket.writable.getWriter();
  const reader = new MessageReader(socket.readable);
  const out = new MessageWriter();
  const send = (bytes: Uint8Array) => writer.write(bytes);
  let closed = false;

  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      await send(out.begin("X").end().take());
    } catch {
      // already gone: closing is all that is left to do
    }
    reader.release();
    writer.releaseLock();
    await socket.close();
  };

  /**
   * Reads up to ReadyForQuery: the transaction status it reports ('I', 'T' or 'E') and the first
   * ErrorResponse on the way. A FATAL error ends the session without ReadyForQuery: then that
   * error is thrown rather than the closed connection.
   */
  const untilReady = async (onMessage: (message: MessageBody) => void): Promise<{ status: string; failure?: PostgresError }> => {
    let failure: PostgresError | undefined;
    for (;;) {
      let message: MessageBody;
      try {
        message = await reader.next();
      } catch (error) {
        throw failure ?? error;
      }
      if (message.type === "Z") return { status: String.fromCharCode(message.bytes(1)[0] ?? 0), failure };
      if (message.type === "E") failure ??= new PostgresError(message.fields());
      else onMessage(message);
    }
  };

  try {
    out.begin().int32(196_608);
    const parameters = { user: options.user, database: options.database, client_encoding: "UTF8", ...options.parameters };
    for (const [name, value] of Object.entries(parameters)) out.cstring(name).cstring(value);
    await send(out.byte(0).end().take());
    await authenticate(reader, options, (bytes) => send(bytes), out);
    const { failure } = await untilReady(() => undefined);
    if (failure) throw failure;
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }

  return {
    close,
    async run(statements, transaction) {
      if (closed) throw new WireError("the session is closed");
      const begin = transaction ? 1 : 0;
      if (transaction) writeStatement(out, { query: transaction.begin, params: [] });
      for (const statement of statements) writeStatement(out, statement);
      if (transaction) writeStatement(out, { query: "COMMIT", params: [] });
      await send(out.begin("S").end().take());

      const results: SqlResult[] = [];
      let current: SqlResult = { command: "", rowCount: null, fields: [], rows: [] };
      const { status, failure } = await untilReady((message) => {
        switch (message.type) {
          case "T":
            current.fields = readFields(message);
            break;
          case "D":
            current.rows.push(readRow(message));
            break;
          case "C":
          case "I": {
            const tag = message.type === "C" ? message.cstring() : "";
            current.command = tag.split(" ")[0] ?? "";
            current.rowCount = rowCountOf(tag);
            results.push(current);
            current = { command: "", rowCount: null, fields: [], rows: [] };
            break;
          }
          // ParseComplete, BindComplete, NoData, notices, parameter changes: nothing to keep.
        }
      });
      // An error inside BEGIN ... COMMIT leaves the transaction failed ('E') until rolled back.
      if (status !== "I") {
        await send(out.begin("Q").cstring("ROLLBACK").end().take());
        await untilReady(() => undefined);
      }
      if (failure) throw failure;
      return results.slice(begin, begin + statements.length);
    },
  };
}

/** Answers the server's authentication requests until AuthenticationOk. */
async function authenticate(
  reader: MessageReader,
  options: SessionOptions,
  send: (bytes: Uint8Array) => Promise<void>,
  out: MessageWriter,
): Promise<void> {
  let scram: ScramExchange | undefined;
  for (;;) {
    const message = await reader.next();
    if (message.type === "E") throw new PostgresError(message.fields());
    if (message.type !== "R") throw new WireError(`unexpected message '${message.type}' during authentication`);
    const method = message.int32();
    switch (method) {
      case 0: // AuthenticationOk
        return;
      case 3: // cleartext
        await send(out.begin("p").cstring(options.password).end().take());
        break;
      case 5: // MD5, with a 4-byte salt
        await send(out.begin("p").cstring(md5Password(options.user, options.password, message.bytes(4))).end().take());
        break;
      case 10: {
        // SASL: the mechanisms the server offers
        const mechanisms: string[] = [];
        for (let name = message.cstring(); name; name = message.cstring()) mechanisms.push(name);
        if (!mechanisms.includes("SCRAM-SHA-256")) {
          throw new WireError(`the database offers SASL mechanisms ${mechanisms.join(", ")}; only SCRAM-SHA-256 is supported`);
        }
        scram = scramSha256(options.password);
        const first = encoder.encode(scram.clientFirst);
        await send(out.begin("p").cstring("SCRAM-SHA-256").int32(first.length).bytes(first).end().take());
        break;
      }
      case 11: // SASLContinue: the server-first message
        if (!scram) throw new WireError("SASLContinue before SASL started");
        await send(out.begin("p").bytes(encoder.encode(await scram.clientFinal(decoder.decode(message.bytes(message.remaining))))).end().take());
        break;
      case 12: // SASLFinal: the server's signature
        if (!scram) throw new WireError("SASLFinal before SASL started");
        scram.verifyServerFinal(decoder.decode(message.bytes(message.remaining)));
        break;
      default:
        throw new WireError(`the database asks for an unsupported authentication method (${method})`);
    }
  }
}
