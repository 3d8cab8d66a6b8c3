/**
 * The wire client's password authentication, message by message, against a scripted server that
 * checks credentials the way PostgreSQL does (server-side SCRAM-SHA-256 on node:crypto, MD5,
 * cleartext). The servers the other suites use trust every local connection, so this is where the
 * SASL and password messages meet a server that can say no.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { openSession, PostgresError } from "../../worker/platform/postgres/wire.ts";
import { nodeConnector } from "./wire-socket.ts";

type Method = "scram" | "md5" | "cleartext";
const USER = "app";
const PASSWORD = "correct horse battery staple";

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, "latin1");
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}

const int32 = (value: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
};
const authentication = (code: number, rest: Buffer = Buffer.alloc(0)) => message("R", Buffer.concat([int32(code), rest]));
const ready = message("Z", Buffer.from("I"));
const failure = message("E", Buffer.from(`SFATAL\0C28P01\0Mpassword authentication failed for user "${USER}"\0\0`));

/** Reads whole frontend messages off a socket: the startup message first (no type byte). */
function messages(socket: Socket): () => Promise<{ type: string; body: Buffer }> {
  let buffer = Buffer.alloc(0);
  let startup = true;
  const waiting: (() => void)[] = [];
  socket.on("data", (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    waiting.splice(0).forEach((wake) => wake());
  });
  return async () => {
    for (;;) {
      const offset = startup ? 0 : 1;
      if (buffer.length >= offset + 4) {
        const length = buffer.readInt32BE(offset);
        if (buffer.length >= offset + length) {
          const type = startup ? "startup" : String.fromCharCode(buffer[0] ?? 0);
          const body = buffer.subarray(offset + 4, offset + length);
          buffer = buffer.subarray(offset + length);
          startup = false;
          return { type, body };
        }
      }
      await new Promise<void>((wake) => waiting.push(wake));
    }
  };
}

const hmac = (key: Buffer, text: string) => createHmac("sha256", key).update(text).digest();

/** One connection: asks for `method`, checks the answer against PASSWORD, then idles until Terminate. */
async function serve(socket: Socket, method: Method, seen: string[]): Promise<void> {
  const next = messages(socket);
  const startup = await next();
  seen.push(`startup user=${startup.body.subarray(4).toString("utf8").split("\0")[1] ?? ""}`);
  let ok: boolean;
  if (method === "cleartext") {
    socket.write(authentication(3));
    const answer = await next();
    ok = answer.body.toString("utf8") === `${PASSWORD}\0`;
  } else if (method === "md5") {
    const salt = randomBytes(4);
    socket.write(authentication(5, salt));
    const answer = await next();
    const inner = createHash("md5").update(PASSWORD + USER).digest("hex");
    ok = answer.body.toString("utf8") === `md5${createHash("md5").update(inner).update(salt).digest("hex")}\0`;
  } else {
    socket.write(authentication(10, Buffer.from("SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0")));
    const initial = await next();
    const mechanism = initial.body.subarray(0, initial.body.indexOf(0)).toString("utf8");
    const clientFirst = initial.body.subarray(initial.body.indexOf(0) + 5).toString("utf8");
    seen.push(`sasl ${mechanism} ${clientFirst.slice(0, 3)}`);
    const clientFirstBare = clientFirst.slice(3);
    const clientNonce = /r=([^,]+)/.exec(clientFirstBare)?.[1] ?? "";
    const salt = randomBytes(16);
    const serverFirst = `r=${clientNonce}${randomBytes(18).toString("base64")},s=${salt.toString("base64")},i=4096`;
    socket.write(authentication(11, Buffer.from(serverFirst)));
    const final = (await next()).body.toString("utf8");
    const withoutProof = final.slice(0, final.indexOf(",p="));
    const proof = Buffer.from(final.slice(final.indexOf(",p=") + 3), "base64");
    const salted = pbkdf2Sync(PASSWORD, salt, 4096, 32, "sha256");
    const clientKey = hmac(salted, "Client Key");
    const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = hmac(createHash("sha256").update(clientKey).digest(), authMessage);
    const recovered = Buffer.from(Array.from(proof, (byte: number, i) => byte ^ (signature[i] ?? 0)));
    ok = recovered.equals(clientKey) && withoutProof === `c=biws,r=${/r=([^,]+)/.exec(serverFirst)?.[1] ?? ""}`;
    if (ok) socket.write(authentication(12, Buffer.from(`v=${hmac(hmac(salted, "Server Key"), authMessage).toString("base64")}`)));
  }
  seen.push(ok ? "password accepted" : "password refused");
  if (!ok) {
    socket.end(failure);
    return;
  }
  socket.write(Buffer.concat([authentication(0), message("S", Buffer.from("server_version\x0018.0\0")), ready]));
  const terminate = await next();
  seen.push(terminate.type === "X" ? "terminated" : `unexpected ${terminate.type}`);
}

describe("password authentication over the wire", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function scriptedServer(method: Method): Promise<{ port: number; seen: string[] }> {
    const seen: string[] = [];
    server = createServer((socket) => {
      socket.on("error", () => undefined);
      void serve(socket, method, seen).catch((error: unknown) => seen.push(`server error: ${String(error)}`));
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const address = server.address();
    return { port: typeof address === "object" && address ? address.port : 0, seen };
  }

  async function connect(port: number, password: string) {
    const socket = await nodeConnector()({ hostname: "127.0.0.1", port });
    return openSession(socket, { user: USER, password, database: "assay" });
  }

  for (const method of ["scram", "md5", "cleartext"] as const) {
    it(`logs in with ${method} and closes with Terminate`, async () => {
      const { port, seen } = await scriptedServer(method);
      const session = await connect(port, PASSWORD);
      await session.close();
      await expect.poll(() => seen.at(-1)).toBe("terminated");
      expect(seen).toContain("password accepted");
      expect(seen[0]).toBe(`startup user=${USER}`);
    });

    it(`rejects a wrong password with ${method} as the server's 28P01`, async () => {
      const { port } = await scriptedServer(method);
      const error: unknown = await connect(port, "wrong").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PostgresError);
      expect(error).toMatchObject({ code: "28P01", severity: "FATAL" });
    });
  }

  it("chooses SCRAM-SHA-256 without channel binding when the server also offers -PLUS", async () => {
    const { port, seen } = await scriptedServer("scram");
    await (await connect(port, PASSWORD)).close();
    expect(seen).toContain("sasl SCRAM-SHA-256 n,,");
  });
});
