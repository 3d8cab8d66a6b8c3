/**
 * Test-side HTTP helpers: requests go through the real Worker entry (`exports.default.fetch`),
 * the same path as production, against the local stand-ins.
 */
import { env, exports } from "cloudflare:workers";
import { createApp } from "../app.ts";
import type { Env } from "../config.ts";

export interface TestEnv {
  TEST_SCOPE: string;
  STANDIN_NEON: string;
  STANDIN_UPSTASH: string;
  STANDIN_GEMINI: string;
  STANDIN_WEBHOOK: string;
  STANDIN_TURNSTILE: string;
  UPSTASH_REDIS_REST_TOKEN: string;
  GEMINI_API_KEY: string;
  DATABASE_URL: string;
}

export const testEnv = env as unknown as TestEnv;

/** The scope each stand-in counts and faults this project under. */
export const scopes = {
  neon: new URL(testEnv.DATABASE_URL).pathname.slice(1),
  upstash: testEnv.UPSTASH_REDIS_REST_TOKEN.split(":")[1] ?? "",
  gemini: testEnv.GEMINI_API_KEY,
};

export interface CallOptions {
  body?: unknown;
  /** Sent as-is (not JSON-encoded) when a string. */
  rawBody?: string;
  token?: string;
  headers?: Record<string, string>;
  /** Sent as CF-Connecting-IP; defaults to a per-call random address so per-IP limits don't collide. */
  ip?: string;
}

export interface CallResult<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

let ipCounter = 0;
export function uniqueIp(): string {
  ipCounter += 1;
  return `10.${Math.floor(Math.random() * 200)}.${Math.floor(ipCounter / 250) % 250}.${(ipCounter % 250) + 1}`;
}

/** The request `call` sends; also for helpers that send it through the Worker another way. */
export function testRequest(method: string, path: string, options: CallOptions = {}): Request {
  const headers = new Headers(options.headers);
  headers.set("CF-Connecting-IP", options.ip ?? uniqueIp());
  if (options.token) headers.set("Authorization", `Bearer ${options.token}`);
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  return new Request(`https://assay.test${path}`, { method, headers, body });
}

/** Reads a response whole, parsing the body when it is JSON. */
export async function readResult<T = unknown>(response: Response): Promise<CallResult<T>> {
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text && response.headers.get("content-type")?.includes("json")) parsed = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

export async function call<T = unknown>(method: string, path: string, options: CallOptions = {}): Promise<CallResult<T>> {
  return readResult<T>(await exports.default.fetch(testRequest(method, path, options)));
}

const ctx = { waitUntil: () => undefined, passThroughOnException: () => undefined, props: {} } as unknown as ExecutionContext;

/**
 * `call`, through an app whose bindings differ from the project's by `vars` (another secret, a
 * production switch), so a test can see the Worker as another deployment would configure it.
 *
 * @example
 * const res = await callWith({ ENVIRONMENT: "production" }, "GET", "/api/docs");
 */
export async function callWith<T = unknown>(vars: Partial<Env>, method: string, path: string, options: CallOptions = {}): Promise<CallResult<T>> {
  return readResult<T>(await createApp().fetch(testRequest(method, path, options), { ...(env as unknown as Env), ...vars }, ctx));
}
