import { beforeAll, describe, expect, it } from "vitest";
import { awaited, measured } from "../../local/testing/round-trips.ts";
import type { Assessment } from "../assessments/schemas.ts";
import type { ErrorBody } from "../errors.ts";
import type { Job } from "../jobs/service.ts";
import { waitForJob } from "../jobs/testing.ts";
import { clearFaults, setFault } from "../../local/control.ts";
import { call, scopes, testEnv } from "../testing/http.ts";
import { registerAdmin, registerPair, registerUser, type RegisteredUser } from "../testing/users.ts";
import type { Trend } from "./schemas.ts";

/** Takes `slug` with `answers` and waits for its analysis: a completed assessment. */
async function take(user: RegisteredUser, answers: Record<string, number>, slug = "who-5"): Promise<Assessment> {
  const created = await call<Assessment>("POST", "/api/v1/assessments", { token: user.accessToken, body: { templateSlug: slug } });
  expect(created.status).toBe(201);
  const id = created.body.id;
  expect((await call("PUT", `/api/v1/assessments/${id}/answers`, { token: user.accessToken, body: { answers } })).status).toBe(200);
  const submitted = await call<{ job: Job }>("POST", `/api/v1/assessments/${id}/submit`, { token: user.accessToken });
  expect(submitted.status).toBe(202);
  expect((await waitForJob(user.accessToken, submitted.body.job.id)).status).toBe("succeeded");
  return (await call<Assessment>("GET", `/api/v1/assessments/${id}`, { token: user.accessToken })).body;
}

/** The same answer to all five WHO-5 items: a score of 20 x `value`. */
const who5 = (value: number) => Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`q${i}`, value]));

const trendOf = (user: RegisteredUser, slug = "who-5") => call<Trend & ErrorBody>("GET", `/api/v1/me/trends?template=${slug}`, { token: user.accessToken });

describe("GET /api/v1/me/trends", () => {
  let alice: RegisteredUser;
  let bob: RegisteredUser;
  let taken: Assessment[];

  beforeAll(async () => {
    [alice, bob] = await registerPair();
    taken = [await take(alice, who5(2)), await take(alice, who5(4)), await take(alice, { ...who5(3), q5: 1 })];
    await take(bob, who5(5));
  });

  it("answers three WHO-5 results oldest first, with their scores, versions and completion times", async () => {
    const res = await trendOf(alice);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("private, no-cache");
    expect(res.headers.get("etag")).toBeTruthy();
    expect(res.body.template).toEqual({ slug: "who-5", title: "WHO-5 Well-Being Index" });
    expect(res.body.scales).toHaveLength(1);
    const [scale] = res.body.scales;
    expect(scale).toMatchObject({ id: "wellbeing", name: "Well-being (0-100)", min: 0, max: 100, itemsChangedAt: [] });
    expect(scale?.points).toEqual(
      taken.map((a) => ({ assessmentId: a.id, templateVersion: 1, completedAt: a.completedAt, score: a.scores?.wellbeing })),
    );
    expect(scale?.points.map((p) => p.score)).toEqual([40, 80, 52]);
  });

  it("never shows another user's results", async () => {
    const mine = (await trendOf(alice)).body.scales[0]?.points.map((p) => p.assessmentId);
    const theirs = (await trendOf(bob)).body.scales[0]?.points;
    expect(theirs).toHaveLength(1);
    expect(theirs?.[0]?.score).toBe(100);
    expect(mine).not.toContain(theirs?.[0]?.assessmentId);
  });

  it("leaves out drafts and assessments still being analysed", async () => {
    const carol = await registerUser();
    const draft = await call<Assessment>("POST", "/api/v1/assessments", { token: carol.accessToken, body: { templateSlug: "who-5" } });
    await call("PUT", `/api/v1/assessments/${draft.body.id}/answers`, { token: carol.accessToken, body: { answers: who5(3) } });
    const res = await trendOf(carol);
    expect(res.status).toBe(200);
    expect(res.body.scales).toEqual([expect.objectContaining({ id: "wellbeing", points: [] })]);
  });

  it("drops a deleted assessment from the trend at once (the cached trend is invalidated)", async () => {
    const dave = await registerUser();
    const [first, second] = [await take(dave, who5(1)), await take(dave, who5(2))];
    expect((await trendOf(dave)).body.scales[0]?.points).toHaveLength(2); // now cached
    expect((await call("DELETE", `/api/v1/assessments/${first.id}`, { token: dave.accessToken })).status).toBe(204);
    const after = await trendOf(dave);
    expect(after.body.scales[0]?.points.map((p) => p.assessmentId)).toEqual([second.id]);
  });

  it("adds a result once its analysis completes, even when the trend was cached before", async () => {
    const erin = await registerUser();
    await take(erin, who5(2));
    expect((await trendOf(erin)).body.scales[0]?.points).toHaveLength(1);
    await take(erin, who5(3));
    expect((await trendOf(erin)).body.scales[0]?.points.map((p) => p.score)).toEqual([40, 60]);
  });

  it("costs one Neon round trip on a miss and none on a hit", async () => {
    const frank = await registerUser();
    await take(frank, who5(3));
    const miss = await measured(() => trendOf(frank));
    expect(awaited(miss.res)).toEqual({ neon: 1, upstash: 1, cache: "miss" });
    expect(miss.served.neon).toBe(1);
    const hit = await measured(() => trendOf(frank));
    expect(awaited(hit.res)).toEqual({ neon: 0, upstash: 1, cache: "hit" });
    expect(hit.served).toEqual({ neon: 0, upstash: 1 });
    expect(hit.res.text).toBe(miss.res.text);
  });

  it("answers 304 for a current If-None-Match", async () => {
    const first = await trendOf(alice);
    const again = await call("GET", "/api/v1/me/trends?template=who-5", {
      token: alice.accessToken,
      headers: { "If-None-Match": first.headers.get("etag") ?? "" },
    });
    expect(again.status).toBe(304);
  });

  it("answers every scale of the instrument, with no points before any result", async () => {
    const res = await trendOf(alice, "mini-ipip");
    expect(res.status).toBe(200);
    expect(res.body.scales.map((s) => s.id)).toHaveLength(5);
    expect(res.body.scales.every((s) => s.points.length === 0 && s.min === 1 && s.max === 5)).toBe(true);
  });

  it("answers 404 for an unknown template and 400 for a missing or malformed slug", async () => {
    const unknown = await trendOf(alice, "no-such-instrument");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("not_found");
    for (const query of ["", "?template=", "?template=Not%20A%20Slug", `?template=${"a".repeat(201)}`]) {
      const res = await call<ErrorBody>("GET", `/api/v1/me/trends${query}`, { token: alice.accessToken });
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
      expect(res.body.error.details?.[0]?.path).toBe("template");
    }
  });

  it("answers 503 with Retry-After when the database is down and nothing is cached", async () => {
    const carol = await registerUser();
    await setFault(testEnv.STANDIN_NEON, { scope: scopes.neon, down: true });
    try {
      const res = await call<ErrorBody>("GET", "/api/v1/me/trends?template=who-5", { token: carol.accessToken });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe("unavailable");
      expect(res.headers.get("retry-after")).toBeTruthy();
    } finally {
      await clearFaults(testEnv.STANDIN_NEON, scopes.neon);
    }
  });

  it("answers 401 without a token", async () => {
    const res = await call<ErrorBody>("GET", "/api/v1/me/trends?template=who-5");
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthorized");
  });
});

describe("trends across template versions", () => {
  it("marks the version where a scale's items changed, and not one that only renamed it", async () => {
    const admin = await registerAdmin();
    const slug = `trend-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 6)}`;
    const question = (id: string, text: string) => ({ id, text, type: "likert", min: 1, max: 5 });
    const content = (name: string, itemIds: string[]) => ({
      title: "Energy check",
      description: "How much energy you had.",
      estimatedMinutes: 1,
      questions: [question("a", "I had energy."), question("b", "I got things done.")],
      scales: [{ id: "energy", name, method: "sum", items: itemIds.map((questionId) => ({ questionId, reverse: false })) }],
    });
    expect((await call("POST", "/api/v1/templates", { token: admin.accessToken, body: { slug, ...content("Energy", ["a"]) } })).status).toBe(201);
    const user = await registerUser();
    await take(user, { a: 4, b: 2 }, slug);
    expect((await call("PUT", `/api/v1/templates/${slug}`, { token: admin.accessToken, body: content("Energy", ["a", "b"]) })).status).toBe(200);
    await take(user, { a: 4, b: 2 }, slug);
    expect((await call("PUT", `/api/v1/templates/${slug}`, { token: admin.accessToken, body: content("Energy level", ["a", "b"]) })).status).toBe(200);
    await take(user, { a: 5, b: 5 }, slug);

    const res = await trendOf(user, slug);
    expect(res.status).toBe(200);
    const [scale] = res.body.scales;
    expect(scale).toMatchObject({ id: "energy", name: "Energy level", min: 2, max: 10, itemsChangedAt: [2] });
    expect(scale?.points.map((p) => [p.templateVersion, p.score])).toEqual([
      [1, 4],
      [2, 6],
      [3, 10],
    ]);
  });
});
