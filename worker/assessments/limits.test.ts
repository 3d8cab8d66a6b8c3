import { describe, expect, it } from "vitest";
import { callWith, envWith } from "../jobs/testing.ts";
import { registerUser } from "../testing/users.ts";
import type { ErrorBody } from "../errors.ts";
import type { Assessment } from "./schemas.ts";

describe("per-user limits on assessment writes", () => {
  it("answers the POST /assessments over the user's limit with 429, Retry-After and the limit headers, and creates nothing more", async () => {
    const strict = envWith({ RATE_LIMITS: JSON.stringify({ "assessments.create.user": { limit: 2 } }) });
    const alice = await registerUser();
    const results = [];
    for (let i = 0; i < 3; i++) {
      results.push(await callWith<ErrorBody>(strict, "POST", "/api/v1/assessments", { token: alice.accessToken, body: { templateSlug: "who-5" } }));
    }

    expect(results.map((r) => r.status)).toEqual([201, 201, 429]);
    expect(results[0]?.headers.get("ratelimit-limit")).toBe("2");
    expect(results[2]?.body.error.code).toBe("rate_limited");
    expect(Number(results[2]?.headers.get("retry-after"))).toBeGreaterThan(0);
    const list = await callWith<{ items: Assessment[] }>(strict, "GET", "/api/v1/assessments", { token: alice.accessToken });
    expect(list.body.items).toHaveLength(2);
  });

  it("limits PUT answers per user, not per assessment, and leaves other users alone", async () => {
    const strict = envWith({ RATE_LIMITS: JSON.stringify({ "assessments.answers.user": { limit: 2 } }) });
    const [alice, bob] = [await registerUser(), await registerUser()];
    const start = async (token: string) => (await callWith<Assessment>(strict, "POST", "/api/v1/assessments", { token, body: { templateSlug: "who-5" } })).body.id;
    const [first, second] = [await start(alice.accessToken), await start(alice.accessToken)];
    const save = (token: string, id: string) => callWith<ErrorBody>(strict, "PUT", `/api/v1/assessments/${id}/answers`, { token, body: { answers: { q1: 3 } } });

    const statuses = [(await save(alice.accessToken, first)).status, (await save(alice.accessToken, second)).status, (await save(alice.accessToken, first)).status];
    const other = await save(bob.accessToken, await start(bob.accessToken));

    expect(statuses).toEqual([200, 200, 429]);
    expect(other.status).toBe(200);
  });
});
