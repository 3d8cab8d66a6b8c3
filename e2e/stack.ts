/**
 * What the suite knows about the stack it runs against: the base URL, and, when it runs against
 * the local stack (`npm run dev`), the dev admin and the Upstash stand-in, from what dev wrote
 * (local/dev-vars.ts).
 * The quota test uses Upstash to spend the day's AI budget for a moment and give it back; the
 * "Try again" test makes the Gemini stand-in refuse requests for a moment.
 */
import { clearFaults, setFault } from "../local/control.ts";
import { readDevVars } from "../local/dev-vars.ts";
import { TURNSTILE_TEST_KEYS } from "../local/turnstile/test-keys.ts";

export const baseUrl = (process.env.E2E_BASE_URL ?? "http://127.0.0.1:5173").replace(/\/+$/, "");

const vars = readDevVars();

export const admin =
  (process.env.E2E_ADMIN_EMAIL ?? vars.ADMIN_EMAIL) && (process.env.E2E_ADMIN_PASSWORD ?? vars.ADMIN_PASSWORD)
    ? { email: process.env.E2E_ADMIN_EMAIL ?? vars.ADMIN_EMAIL ?? "", password: process.env.E2E_ADMIN_PASSWORD ?? vars.ADMIN_PASSWORD ?? "" }
    : null;

const upstash = {
  url: process.env.E2E_UPSTASH_URL ?? vars.UPSTASH_REDIS_REST_URL,
  token: process.env.E2E_UPSTASH_TOKEN ?? vars.UPSTASH_REDIS_REST_TOKEN,
  prefix: process.env.E2E_KEY_PREFIX ?? vars.KEY_PREFIX ?? "assay:",
};

async function redis(command: (string | number)[]): Promise<unknown> {
  const res = await fetch(`${upstash.url}/`, {
    method: "POST",
    headers: { Authorization: `Bearer ${upstash.token}`, "Content-Type": "application/json" },
    body: JSON.stringify(command),
  });
  const body = (await res.json()) as { result?: unknown; error?: string };
  if (!res.ok || body.error) throw new Error(`Upstash ${command[0]} failed: ${res.status} ${body.error ?? ""}`);
  return body.result;
}

/** The day's AI budget counter (worker/platform/quota.ts). */
const budgetKey = () => `${upstash.prefix}ai:budget:${new Date().toISOString().slice(0, 10)}`;

/**
 * Spends today's AI budget until the returned function is called, which restores the counter.
 * Null when the suite cannot reach the stack's Upstash (a remote stack).
 */
export async function spendAiBudget(): Promise<(() => Promise<void>) | null> {
  if (!upstash.url || !upstash.token) return null;
  const key = budgetKey();
  const before = await redis(["GET", key]);
  const spentBy = 1_000_000_000;
  await redis(["INCRBY", key, spentBy]);
  return async () => {
    const after = await redis(["DECRBY", key, spentBy]);
    if (before === null && Number(after) <= 0) await redis(["DEL", key]);
  };
}

const gemini = {
  url: process.env.E2E_GEMINI_URL ?? vars.GEMINI_BASE_URL,
  key: process.env.E2E_GEMINI_KEY ?? vars.GEMINI_API_KEY,
};

/**
 * Makes the Gemini stand-in answer `ms` late until the returned function is called (so a test can
 * see what the page shows before a reply). Null when the suite cannot reach the stand-in.
 */
export async function slowModel(ms: number): Promise<(() => Promise<void>) | null> {
  if (!gemini.url || !gemini.key) return null;
  const scope = gemini.key;
  await setFault(gemini.url, { scope, latencyMs: ms });
  return () => clearFaults(gemini.url ?? "", scope);
}

/** Today's model calls as the admin usage report counts them (live), or null without an admin. */
export async function modelCallsToday(): Promise<number | null> {
  if (!admin) return null;
  const ip = { "CF-Connecting-IP": `10.250.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}` };
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...ip },
    body: JSON.stringify({ email: admin.email, password: admin.password }),
  });
  if (!login.ok) throw new Error(`admin login answered ${login.status}`);
  const { accessToken } = (await login.json()) as { accessToken: string };
  const res = await fetch(`${baseUrl}/api/v1/admin/usage?days=1`, { headers: { Authorization: `Bearer ${accessToken}`, ...ip } });
  if (!res.ok) throw new Error(`usage answered ${res.status}`);
  const usage = (await res.json()) as { days: { modelCalls: number }[] };
  return usage.days[0]?.modelCalls ?? 0;
}

/**
 * Makes the model refuse every request (a 400: the job fails at once, without retrying) until the
 * returned function is called. Null when the suite cannot reach the stack's Gemini stand-in.
 */
export async function failModel(): Promise<(() => Promise<void>) | null> {
  const { url, key } = gemini;
  if (!url || !key) return null;
  await setFault(url, { scope: key, status: 400 });
  return () => clearFaults(url, key);
}

async function api<T>(method: string, path: string, body: unknown, headers: Record<string, string>): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, { method, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * The id of an assessment that belongs to another person: a fresh account, made through the API
 * (the stack runs Turnstile's always-pass test keys, so the dummy token passes), starts WHO-5.
 * Its own client address keeps it clear of the per-IP sign-up limit the browser tests count on.
 */
export async function someoneElsesAssessment(): Promise<string> {
  const ip = { "CF-Connecting-IP": `198.51.100.${1 + Math.floor(Math.random() * 250)}` };
  const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const session = await api<{ accessToken: string }>(
    "POST",
    "/api/v1/auth/register",
    { email: `e2e-other-${id}@example.com`, password: `e2e ${id} other passphrase`, displayName: "Someone else", turnstileToken: TURNSTILE_TEST_KEYS.dummyToken },
    ip,
  );
  const assessment = await api<{ id: string }>("POST", "/api/v1/assessments", { templateSlug: "who-5" }, { ...ip, Authorization: `Bearer ${session.accessToken}` });
  return assessment.id;
}
