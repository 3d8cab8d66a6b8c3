/**
 * Typed client for the `/__control/` endpoints every stand-in serves: request counters and fault
 * injection, per scope. Uses only `fetch` and `URL`, so tests running inside workerd can import it.
 *
 * Scopes: Neon = the database name, Upstash = the token's suffix after the first `:` (the bare
 * secret is the scope ""), Gemini = the API key, Turnstile = the secret key.
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
}

/** Counter names per stand-in. `statements` counts SQL statements (a batch holds several). */
export type NeonCount = "query" | "batch" | "statements";
/** `commands` counts Redis commands (a pipeline or multi-exec holds several). */
export type UpstashCount = "command" | "pipeline" | "multi-exec" | "commands";
/** Token totals let benchmarks estimate model cost. */
export type GeminiCount = "generate" | "stream" | "countTokens" | "promptTokens" | "candidatesTokens";
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
