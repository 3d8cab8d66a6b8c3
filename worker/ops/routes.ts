/**
 * Operations: liveness (no dependency touched) and readiness (database and cache checked, at most
 * once per READY_TTL_MS per isolate, so a flood of probes is not a flood of queries).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { createRouter, jsonResponse } from "../http/openapi.ts";
import type { Services } from "../context.ts";

const Health = z.object({ status: z.literal("ok"), version: z.string() }).openapi("Health");

const Check = z.object({
  status: z.enum(["ok", "down"]),
  latencyMs: z.number(),
  error: z.string().optional(),
});
const Ready = z
  .object({
    status: z.enum(["ok", "degraded"]),
    checks: z.object({ database: Check, cache: Check }),
  })
  .openapi("Ready");

const CHECK_TIMEOUT_MS = 2_000;

async function check(probe: () => Promise<unknown>): Promise<z.infer<typeof Check>> {
  const started = performance.now();
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), CHECK_TIMEOUT_MS)),
    ]);
    return { status: "ok", latencyMs: Math.round(performance.now() - started) };
  } catch {
    return { status: "down", latencyMs: Math.round(performance.now() - started), error: "unreachable" };
  }
}

/** How long an isolate answers readiness from its last check. */
export const READY_TTL_MS = 5_000;

/**
 * The last report per isolate (per Services). Only settled reports are kept: a check in flight is
 * never shared, because workerd cancels a request that waits on I/O another request started.
 */
const lastReport = new WeakMap<Services, { at: number; report: z.infer<typeof Ready> }>();

export async function readiness(services: Services): Promise<z.infer<typeof Ready>> {
  const last = lastReport.get(services);
  if (last && Date.now() - last.at < READY_TTL_MS) return last.report;
  const report = await checkDependencies(services);
  lastReport.set(services, { at: Date.now(), report });
  return report;
}

async function checkDependencies(services: Services): Promise<z.infer<typeof Ready>> {
  const [database, cache] = await Promise.all([
    check(() => services.db.primary.execute(sql`select 1`)),
    check(() => services.redis.ping()),
  ]);
  const status = database.status === "ok" && cache.status === "ok" ? "ok" : "degraded";
  return { status, checks: { database, cache } };
}

export const opsRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/health",
      tags: ["Operations"],
      summary: "Liveness: answers without touching any dependency",
      responses: { 200: jsonResponse(Health, "The Worker is up") },
    }),
    (c) => {
      return c.json({ status: "ok" as const, version: c.get("services").config.APP_VERSION }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/ready",
      tags: ["Operations"],
      summary: "Readiness: checks the database and the cache (each isolate re-checks at most every 5 s)",
      responses: {
        200: jsonResponse(Ready, "Every dependency answered"),
        503: jsonResponse(Ready, "A dependency is down; Retry-After is set"),
      },
    }),
    async (c) => {
      const report = await readiness(c.get("services"));
      if (report.status === "ok") return c.json(report, 200);
      c.header("Retry-After", "5");
      return c.json(report, 503);
    },
  );
