/**
 * node:net (and node:tls) as the Postgres transport's connector: what `connect()` of
 * cloudflare:sockets is inside the Worker, for the command-line scripts and the contract tests.
 */
import { isIP, Socket } from "node:net";
import { once } from "node:events";
import { Duplex } from "node:stream";
import { connect as tlsConnect } from "node:tls";
import type { Connector } from "../../worker/platform/postgres/transport.ts";
import type { WireSocket } from "../../worker/platform/postgres/wire.ts";

/** TLS as libpq's `sslmode` asks for it: none, encrypted (`require`), or verified (`verify-ca`, `verify-full`). */
export type TlsMode = "off" | "require" | "verify";

export function tlsModeOf(connectionString: string): TlsMode {
  const sslmode = new URL(connectionString).searchParams.get("sslmode");
  if (sslmode === "require") return "require";
  if (sslmode === "verify-ca" || sslmode === "verify-full") return "verify";
  return "off";
}

const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]); // length 8, code 80877103

/** Postgres TLS: an SSLRequest, the server's one-byte answer, then the TLS handshake on the same socket. */
async function startTls(socket: Socket, hostname: string, mode: TlsMode): Promise<Socket> {
  socket.write(SSL_REQUEST);
  const [answer] = (await once(socket, "data")) as [Buffer];
  if (answer.toString("latin1") !== "S") throw new Error(`${hostname} does not accept TLS connections (sslmode asks for TLS)`);
  const secure = tlsConnect({ socket, servername: isIP(hostname) ? undefined : hostname, rejectUnauthorized: mode === "verify" });
  await once(secure, "secureConnect");
  return secure;
}

export function nodeConnector(tls: TlsMode = "off"): Connector {
  return async ({ hostname, port }) => {
    let socket = new Socket();
    socket.connect(port, hostname);
    await once(socket, "connect");
    if (tls !== "off") socket = await startTls(socket, hostname, tls);
    const { readable, writable } = Duplex.toWeb(socket);
    return {
      readable: readable as ReadableStream<Uint8Array>,
      writable: writable as WritableStream<Uint8Array>,
      close: () => void socket.destroy(),
    } satisfies WireSocket;
  };
}
