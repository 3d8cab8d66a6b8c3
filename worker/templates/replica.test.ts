/**
 * The read replica (DATABASE_READ_URL): published templates, the reference data, are read there on
 * a cache miss; everything else, and templates just written, read the primary. The replica here is
 * a second database of the Neon stand-in, which counts requests per database.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { counts, type NeonCount } from "../../local/control.ts";
import type { Env } from "../config.ts";
import { callWith, envWith } from "../jobs/testing.ts";
import { createCache } from "../platform/cache.ts";
import { servicesFor } from "../platform/services.ts";
import { scopes, testEnv } from "../testing/http.ts";
import { registerUser, type RegisteredUser } from "../testing/users.ts";
import { templatesFamily } from "./service.ts";

const replicaDatabase = `${scopes.neon}_replica`;
const replicaUrl = Object.assign(new URL(testEnv.DATABASE_URL), { pathname: `/${replicaDatabase}` }).toString();
/** Past the isolate's and the colo's template caches, to the shared cache and the database. */
const fresh = { headers: { "Cache-Control": "no-cache" } };

let alice: RegisteredUser;

beforeAll(async () => {
  alice = await registerUser();
});

async function requests(database: string): Promise<number> {
  const seen = await counts<NeonCount>(testEnv.STANDIN_NEON, database);
  return (seen.query ?? 0) + (seen.batch ?? 0);
}

/** Runs `work` and returns how many requests the primary and the replica served meanwhile. */
async function served(work: () => Promise<void>): Promise<{ primary: number; replica: number }> {
  const [primary, replica] = [await requests(scopes.neon), await requests(replicaDatabase)];
  await work();
  return { primary: (await requests(scopes.neon)) - primary, replica: (await requests(replicaDatabase)) - replica };
}

describe("with DATABASE_READ_URL set", () => {
  it("reads published templates from the replica on a cache miss", async () => {
    const target = envWith({ DATABASE_READ_URL: replicaUrl });
    const seen = await served(async () => {
      expect((await callWith(target, "GET", "/api/v1/templates", fresh)).status).toBe(200);
      expect((await callWith(target, "GET", "/api/v1/templates/who-5", fresh)).status).toBe(200);
      expect((await callWith(target, "GET", "/api/v1/templates/who-5?version=1", fresh)).status).toBe(200);
    });
    expect(seen).toEqual({ primary: 0, replica: 3 });
  });

  it("reads everything else from the primary: the caller's own data, and writes", async () => {
    const target = envWith({ DATABASE_READ_URL: replicaUrl });
    const token = alice.accessToken;
    const seen = await served(async () => {
      const created = await callWith<{ id: string }>(target, "POST", "/api/v1/assessments", { token, body: { templateSlug: "who-5" } });
      expect(created.status).toBe(201);
      expect((await callWith(target, "PUT", `/api/v1/assessments/${created.body.id}/answers`, { token, body: { answers: { q1: 3 } } })).status).toBe(200);
      expect((await callWith(target, "GET", `/api/v1/assessments/${created.body.id}`, { token })).status).toBe(200);
      expect((await callWith(target, "GET", "/api/v1/assessments", { token })).status).toBe(200);
      expect((await callWith(target, "GET", "/api/v1/me", { token })).status).toBe(200);
      expect((await callWith(target, "GET", "/api/v1/conversations", { token })).status).toBe(200);
    });
    expect(seen.replica).toBe(0);
    expect(seen.primary).toBeGreaterThanOrEqual(2); // the two writes at least; reads the cache holds cost none
  });

  it("reads templates written within the replica's lag bound from the primary", async () => {
    const target = envWith({ DATABASE_READ_URL: replicaUrl });
    const services = servicesFor(target as Env);
    await createCache(services).invalidate(templatesFamily(services.config)); // as an admin's write does
    const seen = await served(async () => {
      expect((await callWith(target, "GET", "/api/v1/templates/who-5", fresh)).status).toBe(200);
    });
    expect(seen).toEqual({ primary: 1, replica: 0 });
  });
});
