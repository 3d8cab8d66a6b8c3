/**
 * Typed client for the `/__control/` endpoints every stand-in serves: request counters and fault
 * injection, per scope. Uses only `fetch` and `URL`, so tests running inside workerd can import it.
 *
 * Scopes: Neon = the database name, Upstash = the token's suffix after the first `:` (the bare
 * secret is the scope ""), Gemini = the API key, alert webhook = the path segment after `/hooks/`,
 * Turnstile = the secret key.
 *
 * @example
 * await setFault(urls.neonSql, { scope: "assay_test_core", down: true });
 * await expect(db.select().from(users)).rejects.toThrow();
 * await clearFaults(urls.neonSql, "assay_test_core");
 * expect((await counts<NeonCount>(urls.neonSql, "assay_test_core")).batch).toBe(1);
 */

/** A fault applies to the data endpoints of one scope, or of every scope when `scope` is omitted. */
export interface Fault {
  scope?: string;
  /** Added before a request is handled. */
  latencyMs?: number;
  /**
   * Share of requests that fail, 0..1. Deterministic: 0.5 fails every second request. Defaults to
   * 1 when `status` or `down` is set, otherwise 0.
   */
  errorRate?: number;
  /** HTTP status a failing request is answered with (default 503), in the service's error format. */
  status?: number;
  /** A failing request gets its socket destroyed without a response: the client sees a network error. */
  down?: boolean;
  /** Gemini only: the fault applies to requests for this model alone (e.g. fail the primary, not the fallback). */
  model?: string;
}

/** Counter names per stand-in. `statements` counts SQL statements (a batch holds several). */
export type NeonCount = "query" | "batch" | "statements";
/**
 * `commands` counts Redis commands (a pipeline or multi-exec holds several); `subscribe` counts
 * `/subscribe/<channel>` streams (one command each).
 */
export type UpstashCount = "command" | "pipeline" | "multi-exec" | "commands" | "subscribe";
/** Token totals let benchmarks estimate model cost. */
export type GeminiCount = "generate" | "stream" | "countTokens" | "promptTokens" | "candidatesTokens";
/** Posts the alert-webhook stand-in received. */
export type WebhookCount = "post";
/** Turnstile: siteverify calls, and how many passed or failed. */
export type TurnstileCount = "siteverify" | "success" | "failure";

export type Counts<K extends string = string> = Record<K, number>;

/** `url` may be any URL on the stand-in (its base, or e.g. the Neon `/sql` URL). */
function controlUrl(url: string, path: string, scope: string | undefined): string {
  const target = new URL(`/__control/${path}`, url);
  if (scope !== undefined) target.searchParams.set("scope", scope);
  return target.toString();
}

async function call(url: string, init: RequestInit): Promise<Response> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${url} answered ${res.status}: ${await res.text()}`);
  return res;
}

/** Request counts of one scope; without `scope`, the totals over every scope. */
export async function counts<K extends string = string>(url: string, scope?: string): Promise<Counts<K>> {
  const res = await call(controlUrl(url, "counts", scope), { method: "GET" });
  return (await res.json()) as Counts<K>;
}

/** Requests of one scope (without `scope`, of every scope) the stand-in has received and not yet answered. */
export async function inFlight(url: string, scope?: string): Promise<number> {
  const res = await call(controlUrl(url, "in-flight", scope), { method: "GET" });
  return ((await res.json()) as { inFlight: number }).inFlight;
}

/** Replaces the fault of `fault.scope` (or the fault for every scope). */
export async function setFault(url: string, fault: Fault): Promise<void> {
  await call(controlUrl(url, "faults", undefined), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(fault),
  });
}

/** Clears the fault of one scope; without `scope`, every fault (scoped and global). */
export async function clearFaults(url: string, scope?: string): Promise<void> {
  await call(controlUrl(url, "faults", scope), { method: "DELETE" });
}

/** Zeroes the counters of one scope; without `scope`, every counter. */
export async function resetCounts(url: string, scope?: string): Promise<void> {
  await call(controlUrl(url, "reset", scope), { method: "POST" });
}

// ── Gemini only ─────────────────────────────────────────────────────────────────────────────────

/** How the Gemini stand-in answers a safety block: the prompt refused, or the candidate cut. */
export type SafetyBlock = "prompt" | "candidate";

/** A request the Gemini stand-in received, as text. */
export interface ReceivedPrompt {
  model: string;
  system: string;
  turns: { role: string; text: string }[];
}

/** Makes the Gemini stand-in answer `scope`'s requests (every scope without one) with a safety block. */
export async function setSafetyBlock(url: string, block: SafetyBlock, scope?: string): Promise<void> {
  await call(controlUrl(url, "safety", undefined), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ scope, block }),
  });
}

/** Clears the safety block of one scope; without `scope`, every one. */
export async function clearSafetyBlock(url: string, scope?: string): Promise<void> {
  await call(controlUrl(url, "safety", scope), { method: "DELETE" });
}

/** The latest prompts the Gemini stand-in received for `scope` (every scope without one), oldest first. */
export async function receivedPrompts(url: string, scope?: string): Promise<ReceivedPrompt[]> {
  const res = await call(controlUrl(url, "prompts", scope), { method: "GET" });
  return (await res.json()) as ReceivedPrompt[];
}

/** The bodies the alert-webhook stand-in received for `scope`, oldest first. */
export async function webhookPosts(url: string, scope: string): Promise<unknown[]> {
  const res = await call(controlUrl(url, "posts", scope), { method: "GET" });
  return (await res.json()) as unknown[];
}
