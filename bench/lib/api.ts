/** The bench's HTTP client for setting the scene: users, conversations, drafts. */
import { parallel } from "./stats.ts";
import { TURNSTILE_TEST_KEYS } from "../../local/turnstile/server.ts";

export interface ApiResult<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface CallOptions {
  token?: string;
  json?: unknown;
  ip?: string;
  headers?: Record<string, string>;
}

export async function api<T = unknown>(base: string, method: string, path: string, options: CallOptions = {}): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.ip) headers["cf-connecting-ip"] = options.ip;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers["content-type"] = "application/json";
  }
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** Fails loudly when a setup call does not answer as expected. */
export async function expectStatus<T>(status: number, call: Promise<ApiResult<T>>, what: string): Promise<T> {
  const res = await call;
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A distinct IPv4 address per number within a block (198.18.0.0/15 is reserved for benchmarks). */
export function ipFor(n: number, block = 0): string {
  return `198.${18 + (block % 2)}.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
}

export const BENCH_PASSWORD = "Bench-Password-2026!";

export interface BenchUser {
  id: string;
  email: string;
  token: string;
  ip: string;
}

interface Session {
  user: { id: string };
  accessToken: string;
}

/** Registers `count` users, each from its own IP, spread over `bases` (round robin). */
export async function registerUsers(bases: string[], count: number, label: string, concurrency = 4): Promise<BenchUser[]> {
  return parallel(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async (i) => {
      const email = `${label}-${i}@bench.example.com`;
      const ip = ipFor(i, 1);
      const session = await expectStatus<Session>(
        201,
        api(bases[i % bases.length] as string, "POST", "/api/v1/auth/register", {
          ip,
          json: { email, password: BENCH_PASSWORD, displayName: `Bench ${label} ${i}`, turnstileToken: TURNSTILE_TEST_KEYS.dummyToken },
        }),
        `register ${email}`,
      );
      return { id: session.user.id, email, token: session.accessToken, ip };
    },
  );
}

export async function createConversation(base: string, user: BenchUser): Promise<string> {
  const body = await expectStatus<{ id: string }>(
    201,
    api(base, "POST", "/api/v1/conversations", { token: user.token, json: { title: "Bench" } }),
    "create conversation",
  );
  return body.id;
}

export async function createAssessment(base: string, user: BenchUser, slug: string): Promise<string> {
  const body = await expectStatus<{ id: string }>(
    201,
    api(base, "POST", "/api/v1/assessments", { token: user.token, json: { templateSlug: slug } }),
    "create assessment",
  );
  return body.id;
}

/** All five WHO-5 answers (0..5), so the draft can be submitted. */
export const who5Answers = { q1: 3, q2: 4, q3: 2, q4: 3, q5: 4 };

export async function answer(base: string, user: BenchUser, assessmentId: string, answers: Record<string, number>): Promise<void> {
  await expectStatus(200, api(base, "PUT", `/api/v1/assessments/${assessmentId}/answers`, { token: user.token, json: { answers } }), "answer");
}
