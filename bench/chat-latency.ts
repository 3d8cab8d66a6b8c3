/**
 * Chat latency with a slow model: while the Gemini stand-in takes 5 s per answer, posting a chat
 * message must still answer in well under 100 ms at p99, because no request waits for a model
 * (the reply is written by the queue consumer).
 *
 * Needs the local stack (`npm run dev` in another terminal), then:
 *   npx node bench/chat-latency.ts [--requests 200] [--concurrency 8] [--latency-ms 5000] [--out docs/bench/chat-latency.json]
 * Env: API_URL (http://127.0.0.1:8787), GEMINI_URL (http://127.0.0.1:4446), GEMINI_SCOPE (the dev
 * GEMINI_API_KEY, "local-gemini-key").
 *
 * Each user posts at most AI_USER_HOURLY_LIMIT (20) messages, so the bench registers enough users
 * (each from its own CF-Connecting-IP, as the edge would see distinct clients). Every message counts
 * against the daily AI budget (1,333 by default): keep --requests well below it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { clearFaults, setFault } from "../local/control.ts";
import { TURNSTILE_TEST_KEYS } from "../local/turnstile/server.ts";

const { values: args } = parseArgs({
  options: {
    requests: { type: "string", default: "200" },
    concurrency: { type: "string", default: "8" },
    "latency-ms": { type: "string", default: "5000" },
    "per-user": { type: "string", default: "20" },
    out: { type: "string" },
  },
});

const API = process.env.API_URL ?? "http://127.0.0.1:8787";
const GEMINI = process.env.GEMINI_URL ?? "http://127.0.0.1:4446";
const GEMINI_SCOPE = process.env.GEMINI_SCOPE ?? "local-gemini-key";
const REQUESTS = Number(args.requests);
const CONCURRENCY = Number(args.concurrency);
const MODEL_LATENCY_MS = Number(args["latency-ms"]);
const PER_USER = Number(args["per-user"]);
const WARMUP = 5;

interface Client {
  token: string;
  ip: string;
  conversationId: string;
  posted: number;
}

let ipCounter = 0;
const nextIp = () => {
  ipCounter += 1;
  return `198.18.${Math.floor(ipCounter / 250) % 250}.${(ipCounter % 250) + 1}`;
};

async function api<T>(method: string, path: string, options: { token?: string; body?: unknown; ip: string }): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { "CF-Connecting-IP": options.ip };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`${API}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function newClient(n: number): Promise<Client> {
  const ip = nextIp();
  const email = `bench.${Date.now().toString(36)}.${n}.${Math.random().toString(36).slice(2, 8)}@example.test`;
  const session = await api<{ accessToken: string }>("POST", "/api/v1/auth/register", {
    ip,
    body: { email, password: `Bench-${crypto.randomUUID()}`, displayName: `Bench ${n}`, turnstileToken: TURNSTILE_TEST_KEYS.dummyToken },
  });
  if (session.status !== 201) throw new Error(`register answered ${session.status}: ${JSON.stringify(session.body)}`);
  const conversation = await api<{ id: string }>("POST", "/api/v1/conversations", {
    ip,
    token: session.body.accessToken,
    body: { title: "Latency bench" },
  });
  if (conversation.status !== 201) throw new Error(`create conversation answered ${conversation.status}`);
  return { token: session.body.accessToken, ip, conversationId: conversation.body.id, posted: 0 };
}

/** One POST, timed from the first byte sent to the last byte of the answer. */
async function postMessage(client: Client, i: number): Promise<{ ms: number; status: number }> {
  client.posted += 1;
  const started = performance.now();
  const res = await api("POST", `/api/v1/conversations/${client.conversationId}/messages`, {
    ip: client.ip,
    token: client.token,
    body: { content: `Bench message ${i}: what is one small thing I could do today?` },
  });
  return { ms: performance.now() - started, status: res.status };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

const round = (n: number) => Math.round(n * 10) / 10;

async function main(): Promise<void> {
  const health = await fetch(`${API}/api/health`).catch(() => undefined);
  if (!health?.ok) throw new Error(`no Worker at ${API}: start the stack with \`npm run dev\` first`);

  const total = REQUESTS + WARMUP;
  const clients: Client[] = [];
  for (let n = 0; n < Math.ceil(total / PER_USER); n++) clients.push(await newClient(n));
  console.log(`${clients.length} users ready; model latency ${MODEL_LATENCY_MS} ms on scope "${GEMINI_SCOPE}"`);

  await setFault(GEMINI, { scope: GEMINI_SCOPE, latencyMs: MODEL_LATENCY_MS });
  const samples: number[] = [];
  const statuses = new Map<number, number>();
  try {
    let next = 0;
    const pick = () => clients.find((c) => c.posted < PER_USER);
    for (let i = 0; i < WARMUP; i++) {
      const client = pick();
      if (client) await postMessage(client, next++);
    }
    const started = performance.now();
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        const client = pick();
        if (!client) return;
        const { ms, status } = await postMessage(client, i);
        samples.push(ms);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsed = performance.now() - started;

    const sorted = [...samples].sort((a, b) => a - b);
    const report = {
      bench: "chat-latency",
      at: new Date().toISOString(),
      api: API,
      modelLatencyMs: MODEL_LATENCY_MS,
      requests: samples.length,
      concurrency: CONCURRENCY,
      statuses: Object.fromEntries(statuses),
      throughputPerSecond: round(samples.length / (elapsed / 1000)),
      latencyMs: {
        p50: round(percentile(sorted, 50)),
        p95: round(percentile(sorted, 95)),
        p99: round(percentile(sorted, 99)),
        max: round(sorted.at(-1) ?? Number.NaN),
      },
      target: "p99 < 100 ms with 202 for every request",
    };
    const pass = report.latencyMs.p99 < 100 && (statuses.get(202) ?? 0) === samples.length;
    console.log(JSON.stringify({ ...report, pass }, null, 2));
    if (args.out) {
      mkdirSync(dirname(args.out), { recursive: true });
      writeFileSync(args.out, `${JSON.stringify({ ...report, pass }, null, 2)}\n`);
    }
    process.exitCode = pass ? 0 : 1;
  } finally {
    await clearFaults(GEMINI, GEMINI_SCOPE);
  }
}

await main();
