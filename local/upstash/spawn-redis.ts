/**
 * Starts a private `redis-server` for the Upstash stand-in: on a unix socket in a temporary
 * directory (no TCP port to collide with), without persistence unless a data directory is given.
 */
import { spawn } from "node:child_process";
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";

export interface SpawnedRedis {
  /** Unix socket path to connect to. */
  socket: string;
  pid: number;
  stop(): Promise<void>;
}

/** The `redis-server` executable on PATH, if any. */
export function findRedisServer(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, "redis-server");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export async function spawnRedis(executable: string, options: { dataDir?: string }): Promise<SpawnedRedis> {
  const runDir = mkdtempSync(join(tmpdir(), "assay-redis-"));
  const socket = join(runDir, "redis.sock");
  const persistence = options.dataDir
    ? ["--dir", ensureDir(resolve(options.dataDir, "redis")), "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""]
    : ["--dir", runDir, "--appendonly", "no", "--save", ""];
  const child = spawn(executable, ["--port", "0", "--unixsocket", socket, "--unixsocketperm", "700", "--daemonize", "no", ...persistence], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  // If this process exits without stop() (a crash, process.exit), take the server down with it.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  let output = "";
  await new Promise<void>((resolvePromise, reject) => {
    const timer = setTimeout(() => fail(new Error(`redis-server did not start within 10 s:\n${output}`)), 10_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(error);
    };
    child.once("error", fail);
    child.once("exit", (code) => fail(new Error(`redis-server exited with ${code}:\n${output}`)));
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      output += chunk;
      if (/ready to accept connections/i.test(output)) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        // From here on its log is not needed: keep the pipes drained and forget the text.
        child.stdout.removeAllListeners("data").resume();
        child.stderr.removeAllListeners("data").resume();
        resolvePromise();
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  });

  return {
    socket,
    pid: child.pid ?? -1,
    stop: async () => {
      process.off("exit", killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((done) => child.once("exit", () => done()));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}

function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
