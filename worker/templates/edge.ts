/**
 * Public template responses held at the edge, in front of the shared cache: this isolate's memory
 * for a few seconds, then the data centre's Cache API for a minute. Both are local, so an admin's
 * write clears them here and the other isolates and colos catch up within their TTLs. A request
 * with `Cache-Control: no-cache` skips both and reads the shared cache, which every write
 * invalidates at once.
 */
import type { Context } from "hono";
import type { AppEnv } from "../context.ts";
import { cacheControl, type CachedBody } from "../http/etag.ts";
import { recordCacheStatus } from "../platform/metrics.ts";

/** Browsers and shared caches may keep a template response this long. */
export const TEMPLATE_MAX_AGE_SECONDS = 300;
const MEMORY_TTL_MS = 15_000;
const MEMORY_MAX_ENTRIES = 256;
const COLO_TTL_SECONDS = 60;

const memory = new Map<string, { tagged: CachedBody; expires: number }>();

function remember(path: string, tagged: CachedBody): void {
  if (memory.size >= MEMORY_MAX_ENTRIES) memory.clear();
  memory.set(path, { tagged, expires: Date.now() + MEMORY_TTL_MS });
}

function coloCache(): Cache | undefined {
  return typeof caches === "undefined" ? undefined : caches.default;
}

function coloKey(c: Context<AppEnv>, path: string): Request {
  return new Request(new URL(path, c.req.url).toString(), { method: "GET" });
}

function wantsRevalidation(c: Context<AppEnv>): boolean {
  return /\b(no-cache|no-store|max-age=0)\b/i.test(c.req.header("cache-control") ?? "");
}

function defer(c: Context<AppEnv>, work: Promise<unknown>): void {
  const settled = work.catch((err: unknown) => c.get("logger").warn("edge cache write failed", { error: String(err) }));
  try {
    c.executionCtx.waitUntil(settled);
  } catch {
    // no execution context (e.g. app.request in a script): let it finish on its own
  }
}

/**
 * The tagged body of a public template response at `path` (the canonical request path), from the
 * edge when it holds one, else from `load` (then kept at the edge).
 */
export async function readAtEdge(
  c: Context<AppEnv>,
  path: string,
  load: () => Promise<CachedBody | undefined>,
): Promise<CachedBody | undefined> {
  const cache = coloCache();
  if (!wantsRevalidation(c)) {
    const held = memory.get(path);
    if (held && held.expires > Date.now()) {
      recordCacheStatus("hit");
      return held.tagged;
    }
    const stored = await cache?.match(coloKey(c, path)).catch(() => undefined);
    const etag = stored?.headers.get("ETag");
    if (stored && etag) {
      const tagged = { body: await stored.text(), etag };
      remember(path, tagged);
      recordCacheStatus("hit");
      return tagged;
    }
  }
  const tagged = await load();
  if (tagged) {
    remember(path, tagged);
    const response = new Response(tagged.body, {
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        ETag: tagged.etag,
        "Cache-Control": cacheControl.public(COLO_TTL_SECONDS),
      },
    });
    if (cache) defer(c, cache.put(coloKey(c, path), response));
  }
  return tagged;
}

/** Drops `paths` from this isolate and this data centre (before the write is answered). */
export async function forgetAtEdge(c: Context<AppEnv>, paths: string[]): Promise<void> {
  for (const path of paths) memory.delete(path);
  const cache = coloCache();
  if (!cache) return;
  await Promise.all(paths.map((path) => cache.delete(coloKey(c, path)).catch(() => false)));
}
