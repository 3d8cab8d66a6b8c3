/**
 * The monolith's limiter design, faithfully small: one Node process = one app instance, holding its
 * rate-limit counters and its daily AI budget in its own memory (express-rate-limit's MemoryStore:
 * a fixed window per key). Run several behind a load balancer and each admits the full limit.
 *
 *   node bench/monolith/server.ts --port 0 --login-limit 10 --login-window 60 --ai-budget 100
 * Prints `{"port": N}` once listening.
 */
import { createServer } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    "login-limit": { type: "string", default: "10" },
    "login-window": { type: "string", default: "60" },
    "ai-budget": { type: "string", default: "1333" },
  },
});
const LOGIN_LIMIT = Number(values["login-limit"]);
const LOGIN_WINDOW_MS = Number(values["login-window"]) * 1000;
const AI_BUDGET = Number(values["ai-budget"]);

/** express-rate-limit's MemoryStore, reduced to what the monolith used: hits per key per window. */
class MemoryStore {
  readonly #windowMs: number;
  readonly #hits = new Map<string, { count: number; resetAt: number }>();
  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }
  increment(key: string, now = Date.now()): number {
    let entry = this.#hits.get(key);
    if (!entry || entry.resetAt <= now) {
      entry = { count: 0, resetAt: now + this.#windowMs };
      this.#hits.set(key, entry);
    }
    entry.count += 1;
    return entry.count;
  }
}

const loginLimiter = new MemoryStore(LOGIN_WINDOW_MS);
let aiDay = "";
let aiCalls = 0;

const server = createServer((req, res) => {
  const ip = String(req.headers["cf-connecting-ip"] ?? req.socket.remoteAddress ?? "unknown");
  req.resume();
  req.on("end", () => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "POST" && req.url === "/login") {
      return loginLimiter.increment(ip) > LOGIN_LIMIT ? send(429, { error: "rate_limited" }) : send(200, { ok: true });
    }
    if (req.method === "POST" && req.url === "/ai") {
      const today = new Date().toISOString().slice(0, 10);
      if (today !== aiDay) {
        aiDay = today;
        aiCalls = 0;
      }
      aiCalls += 1;
      return aiCalls > AI_BUDGET ? send(429, { error: "ai_quota_exhausted" }) : send(202, { ok: true });
    }
    send(404, { error: "not_found" });
  });
});

server.listen(Number(values.port), "127.0.0.1", () => {
  const address = server.address();
  console.log(JSON.stringify({ port: typeof address === "object" && address ? address.port : 0 }));
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
