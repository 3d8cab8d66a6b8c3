/**
 * The Upstash Redis stand-in: Upstash's REST protocol (`POST /` with one command, `/pipeline`,
 * `/multi-exec`, and `POST /subscribe/<channel>`, a server-sent event stream) in front of a real
 * Redis, a redis-server of its own, or the embedded Redis (ioredis-mock).
 * Tokens: the secret itself (scope "") or `<secret>:<scope>`; the scope selects counters and faults.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { UpstashCount } from "../control.ts";
import { handleControl } from "../http/control-routes.ts";
import { ScopedCounters } from "../http/counters.ts";
import { FaultTable } from "../http/faults.ts";
import { readBody, readJson, sendJson, serve } from "../http/server.ts";
import { RedisError, type RedisBackend } from "./backend.ts";
import { encodeOutcome, encodeReply } from "./encoding.ts";
import { EmbeddedBackend } from "./embedded/embedded-backend.ts";
import { IoredisBackend } from "./ioredis-backend.ts";
import { ScriptRewriter } from "./scripts.ts";
import { findRedisServer, spawnRedis, type SpawnedRedis } from "./spawn-redis.ts";

export interface UpstashStandInOptions {
  port?: number;
  /** The token secret; clients use it, or `<secret>:<scope>`. */
  secret: string;
  /** A real Redis; takes precedence over everything else. */
  redisUrl?: string;
  /** Without redisUrl: start a private redis-server when one is on PATH. */
  spawnRedis?: boolean;
  /** Persistence directory for a spawned redis-server. */
  dataDir?: string;
  log: (line: string) => void;
}

export interface UpstashStandIn {
  url: string;
  /** Which backend serves: "redis" (given URL), "spawned" (own redis-server) or "embedded" (ioredis-mock). */
  backend: "redis" | "spawned" | "embedded";
  /** The spawned redis-server's pid, for checks that nothing is left behind. */
  redisPid?: number;
  close(): Promise<void>;
}

const COUNTS: readonly UpstashCount[] = ["command", "pipeline", "multi-exec", "commands", "subscribe"];

/** Commands that hold connection state or block: meaningless or harmful over stateless REST. */
const REFUSED = new Set(
  "MULTI EXEC DISCARD WATCH UNWATCH SELECT SWAPDB MOVE QUIT RESET AUTH HELLO CLIENT MONITOR SUBSCRIBE PSUBSCRIBE SSUBSCRIBE UNSUBSCRIBE PUNSUBSCRIBE SUNSUBSCRIBE BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP BZPOPMIN BZPOPMAX BZMPOP WAIT SHUTDOWN DEBUG SYNC PSYNC REPLICAOF SLAVEOF".split(" "),
);

const ROUTES = { "/": "command", "/pipeline": "pipeline", "/multi-exec": "multi-exec" } as const;

export async function startUpstashStandIn(options: UpstashStandInOptions): Promise<UpstashStandIn> {
  const { backend, kind, spawned } = await chooseBackend(options);
  const scripts = new ScriptRewriter();
  const controls = { counters: new ScopedCounters(COUNTS), faults: new FaultTable() };

  const server = await serve(options.port ?? 0, async (req, res, url) => {
    if (await handleControl(req, res, url, controls)) return;
    if (req.method === "POST" && url.pathname.startsWith(SUBSCRIBE_PREFIX)) {
      await subscribe(req, res, url, { backend, controls, secret: options.secret });
      return;
    }
    const route = req.method === "POST" ? ROUTES[url.pathname as keyof typeof ROUTES] : undefined;
    if (!route) {
      sendJson(res, 404, { error: `ERR no route ${req.method ?? ""} ${url.pathname}` });
      return;
    }
    const scope = scopeOf(req, options.secret);
    if (scope === undefined) {
      sendJson(res, 401, { error: "Unauthorized" });
      return;
    }
    const commands = parseCommands(await readJson(req), route === "command");
    if (typeof commands === "string") {
      sendJson(res, 400, { error: commands });
      return;
    }
    controls.counters.track(scope, res);
    controls.counters.add(scope, route);
    controls.counters.add(scope, "commands", commands.length);
    if (await controls.faults.apply(scope, req, res, (status) => ({ error: `injected fault: HTTP ${status}` }))) return;

    const base64 = String(req.headers["upstash-encoding"]).toLowerCase() === "base64";
    const refused = commands.find((args) => REFUSED.has((args[0] ?? "").toUpperCase()));
    if (refused) {
      sendJson(res, 400, { error: `ERR Command is not allowed: ${refused[0] ?? ""}` });
      return;
    }
    const rewritten = commands.map((args) => scripts.rewrite(args));
    try {
      if (route === "command") {
        const [only] = rewritten;
        const reply = await backend.command(only?.args ?? []);
        sendJson(res, 200, { result: encodeReply(only?.reply ?? reply, base64) });
        return;
      }
      const args = rewritten.map((command) => command.args);
      const outcomes = route === "pipeline" ? await backend.pipeline(args) : await backend.transaction(args);
      sendJson(
        res,
        200,
        outcomes.map((outcome, i) => encodeOutcome(outcome instanceof RedisError ? outcome : (rewritten[i]?.reply ?? outcome), base64)),
      );
    } catch (error) {
      if (!(error instanceof RedisError)) throw error;
      sendJson(res, 400, { error: error.message });
    }
  });

  return {
    url: server.origin,
    backend: kind,
    redisPid: spawned?.pid,
    close: async () => {
      await server.close();
      await backend.close();
      await spawned?.stop();
    },
  };
}

const SUBSCRIBE_PREFIX = "/subscribe/";

/**
 * `POST /subscribe/<channel>` as @upstash/redis's Subscriber uses it: 200 `text/event-stream`, first
 * `data: subscribe,<channel>,1`, then `data: message,<channel>,<payload>` per message (the payload
 * as published, not base64), until the client goes away. One command for the counters.
 */
async function subscribe(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  { backend, controls, secret }: { backend: RedisBackend; controls: { counters: ScopedCounters<UpstashCount>; faults: FaultTable }; secret: string },
): Promise<void> {
  const scope = scopeOf(req, secret);
  if (scope === undefined) {
    sendJson(res, 401, { error: "Unauthorized" });
    return;
  }
  const channel = decodeURIComponent(url.pathname.slice(SUBSCRIBE_PREFIX.length));
  if (!channel || channel.includes("/")) {
    sendJson(res, 400, { error: "ERR wrong number of arguments for 'subscribe' command" });
    return;
  }
  await readBody(req);
  controls.counters.add(scope, "subscribe");
  controls.counters.add(scope, "commands");
  if (await controls.faults.apply(scope, req, res, (status) => ({ error: `injected fault: HTTP ${status}` }))) return;
  const unsubscribe = await backend.subscribe(channel, (message) => res.write(`data: message,${channel},${message}\n\n`));
  res.on("close", () => void unsubscribe());
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  res.write(`data: subscribe,${channel},1\n\n`);
}

async function chooseBackend(
  options: UpstashStandInOptions,
): Promise<{ backend: RedisBackend; kind: UpstashStandIn["backend"]; spawned?: SpawnedRedis }> {
  if (options.redisUrl) return { backend: new IoredisBackend(options.redisUrl), kind: "redis" };
  const executable = options.spawnRedis ? findRedisServer() : undefined;
  if (executable) {
    const spawned = await spawnRedis(executable, { dataDir: options.dataDir });
    return { backend: new IoredisBackend(spawned.socket), kind: "spawned", spawned };
  }
  if (options.spawnRedis) options.log("upstash: no redis-server on PATH; using the embedded Redis (ioredis-mock)");
  return { backend: new EmbeddedBackend(), kind: "embedded" };
}

/** The token's scope, or undefined when the token is wrong. */
function scopeOf(req: IncomingMessage, secret: string): string | undefined {
  const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
  const token = match?.[1];
  if (token === secret) return "";
  if (token?.startsWith(`${secret}:`)) return token.slice(secret.length + 1);
  return undefined;
}

/** One command (`["SET", "k", "v"]`) or a list of them; every argument becomes a string. */
function parseCommands(body: unknown, single: boolean): string[][] | string {
  const list = single ? [body] : body;
  if (!Array.isArray(list) || list.length === 0) return "ERR failed to parse command";
  const commands: string[][] = [];
  for (const command of list) {
    if (!Array.isArray(command) || command.length === 0) return "ERR failed to parse command";
    commands.push(command.map((arg: unknown) => (typeof arg === "string" ? arg : typeof arg === "object" ? JSON.stringify(arg) : String(arg))));
  }
  return commands;
}
