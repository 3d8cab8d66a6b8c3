/**
 * The embedded backend's Postgres wire endpoint: what a Hyperdrive binding is pointed at when no
 * PostgreSQL server runs. TCP connections speak the wire protocol to PGlite itself
 * (`execProtocolRaw`: Postgres parses every byte), one PGlite database per startup `database`.
 *
 * PGlite is one session, shared: messages are handed over a pipeline at a time (up to a Sync or a
 * simple Query), each under PGlite's lock, and a connection that leaves a transaction open keeps
 * the database to itself until it ends it (or disconnects: then it is rolled back).
 */
import { createServer, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";

export interface PgliteWire {
  port: number;
  close(): Promise<void>;
}

const SSL_REQUEST = 80_877_103;
const GSSENC_REQUEST = 80_877_104;
const CANCEL_REQUEST = 80_877_102;

/** One holder at a time, handed over in arrival order. */
class Lock {
  #tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const previous = this.#tail;
    this.#tail = previous.then(() => held);
    return previous.then(() => release);
  }
}

function startupParameters(message: Buffer): Map<string, string> {
  const parts = message.subarray(8).toString("utf8").split("\0");
  const parameters = new Map<string, string>();
  for (let i = 0; i + 1 < parts.length && parts[i]; i += 2) parameters.set(parts[i] ?? "", parts[i + 1] ?? "");
  return parameters;
}

/** A FATAL ErrorResponse, for a startup the endpoint refuses itself. */
function fatal(code: string, message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`, "utf8");
  const header = Buffer.alloc(5);
  header.write("E", 0, "latin1");
  header.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([header, fields]);
}

/** The transaction status of the last ReadyForQuery in a response ('I', 'T' or 'E'). */
function statusOf(response: Uint8Array): string | undefined {
  const at = response.length - 6;
  return at >= 0 && response[at] === 0x5a ? String.fromCharCode(response[at + 5] ?? 0) : undefined;
}

export async function startPgliteWire(open: (database: string) => Promise<PGlite>, log: (line: string) => void): Promise<PgliteWire> {
  const locks = new WeakMap<PGlite, Lock>();
  const lockOf = (pg: PGlite) => {
    let lock = locks.get(pg);
    if (!lock) locks.set(pg, (lock = new Lock()));
    return lock;
  };
  const sockets = new Set<Socket>();

  const server = createServer((socket) => {
    sockets.add(socket);
    let buffer = Buffer.alloc(0);
    let pg: PGlite | undefined;
    let release: (() => void) | undefined;
    let work = Promise.resolve();

    /** Runs one pipeline on the connection's database; keeps the lock while a transaction is open. */
    const run = async (database: PGlite, message: Uint8Array) => {
      release ??= await lockOf(database).acquire();
      const response = await database.runExclusive(() => database.execProtocolRaw(message));
      if (statusOf(response) === "I") {
        release();
        release = undefined;
      }
      if (!socket.destroyed) socket.write(response);
    };

    const drain = async () => {
      for (;;) {
        if (!pg) {
          if (buffer.length < 8 || buffer.length < buffer.readInt32BE(0)) return;
          const message = buffer.subarray(0, buffer.readInt32BE(0));
          buffer = buffer.subarray(message.length);
          const code = message.readInt32BE(4);
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            socket.write("N");
            continue;
          }
          if (code === CANCEL_REQUEST) return void socket.end();
          const database = startupParameters(message).get("database") ?? "";
          try {
            pg = await open(database);
          } catch (error) {
            socket.end(fatal("3D000", error instanceof Error ? error.message : `database "${database}" does not exist`));
            return;
          }
          await run(pg, message);
          continue;
        }
        // Whole messages up to the last Sync, Query or Flush (Postgres.js describes a statement and
        // waits for the answer before binding it); a Terminate ends the connection.
        let end = 0;
        let offset = 0;
        while (offset + 5 <= buffer.length && offset + 1 + buffer.readInt32BE(offset + 1) <= buffer.length) {
          const type = String.fromCharCode(buffer[offset] ?? 0);
          offset += 1 + buffer.readInt32BE(offset + 1);
          if (type === "X") return void socket.end();
          if (type === "S" || type === "Q" || type === "H") end = offset;
        }
        if (end === 0) return;
        const pipeline = buffer.subarray(0, end);
        buffer = buffer.subarray(end);
        await run(pg, pipeline);
      }
    };

    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      work = work.then(drain).catch((error: unknown) => {
        log(`neon: wire connection failed: ${String(error)}`);
        socket.destroy();
      });
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      sockets.delete(socket);
      void work.then(async () => {
        const database = pg;
        if (!database || !release) return;
        // Disconnected inside a transaction: undo it, as a server ends a session.
        await database.runExclusive(() => database.exec("ROLLBACK")).catch(() => undefined);
        release();
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("the wire endpoint has no TCP address");
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
