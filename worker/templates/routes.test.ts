import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { clearFaults, setFault } from "../../local/control.ts";
import { awaited, measured } from "../../local/testing/round-trips.ts";
import type { Assessment } from "../assessments/schemas.ts";
import { call, scopes, testEnv } from "../testing/http.ts";
import { registerAdmin, registerUser, type RegisteredUser } from "../testing/users.ts";
import type { Template, TemplateSummary } from "./schemas.ts";
import type { ErrorBody } from "../errors.ts";

let slugCounter = 0;
function uniqueSlug(): string {
  slugCounter += 1;
  return `test-${Date.now().toString(36)}-${slugCounter}`;
}

function content(overrides: Record<string, unknown> = {}) {
  return {
    title: "Sleep check",
    description: "Three questions about last night.",
    estimatedMinutes: 1,
    questions: [
      { id: "rested", text: "I woke up rested.", type: "likert", min: 1, max: 5, section: "Morning" },
      { id: "hours", text: "Hours slept", type: "single_choice", options: [{ value: "<6", label: "Under 6" }, { value: "6+", label: "6 or more" }] },
      { id: "notes", text: "Anything else?", type: "text", maxLength: 200, required: false },
    ],
    scales: [{ id: "rest", name: "Rest", items: [{ questionId: "rested", reverse: false }] }],
    ...overrides,
  };
}

describe("GET /api/v1/templates (public)", () => {
  it("lists the published templates without auth, as public cacheable data", async () => {
    const res = await call<{ items: TemplateSummary[] }>("GET", "/api/v1/templates");
    expect(res.status).toBe(200);
    const slugs = res.body.items.map((t) => t.slug);
    expect(slugs).toEqual(expect.arrayContaining(["mini-ipip", "who-5"]));
    expect(res.body.items.find((t) => t.slug === "mini-ipip")).toMatchObject({
      title: "Mini-IPIP Big Five",
      version: 1,
      questionCount: 20,
      estimatedMinutes: 4,
    });
    expect(Object.keys(res.body.items[0] ?? {}).sort()).toEqual(
      ["description", "estimatedMinutes", "id", "questionCount", "slug", "title", "version"],
    );
    expect(res.headers.get("cache-control")).toMatch(/^public, max-age=\d+$/);
    expect(res.headers.get("etag")).toMatch(/^"[A-Za-z0-9_-]+"$/);
  });

  it("answers 304 with no body to a matching If-None-Match", async () => {
    const first = await call("GET", "/api/v1/templates");
    const etag = first.headers.get("etag") ?? "";
    const again = await call("GET", "/api/v1/templates", { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect(again.text).toBe("");
    expect(again.headers.get("etag")).toBe(etag);
    expect(again.headers.get("cache-control")).toMatch(/^public, max-age=\d+$/);
  });
});

describe("GET /api/v1/templates/:slug (public)", () => {
  it("returns Mini-IPIP with its 20 items, sections and five mean scales with reverse-keyed items", async () => {
    const res = await call<Template>("GET", "/api/v1/templates/mini-ipip");
    expect(res.status).toBe(200);
    expect(res.body.questions).toHaveLength(20);
    expect(res.body.questions[0]).toMatchObject({ id: "q1", type: "likert", min: 1, max: 5, required: true, section: "Part 1" });
    expect(res.body.scales.map((s) => s.id)).toEqual(["extraversion", "agreeableness", "conscientiousness", "neuroticism", "intellect"]);
    expect(res.body.scales[0]).toMatchObject({ method: "mean", items: expect.arrayContaining([{ questionId: "q6", reverse: true }]) });
    expect(res.headers.get("cache-control")).toMatch(/^public, max-age=\d+$/);
  });

  it("returns WHO-5 with its sum x 4 scale", async () => {
    const res = await call<Template>("GET", "/api/v1/templates/who-5");
    expect(res.body.scales).toEqual([expect.objectContaining({ id: "wellbeing", method: "sum", multiplier: 4 })]);
  });

  it("returns 404 for an unknown slug", async () => {
    for (const slug of ["no-such-template", "NOPE", "x".repeat(100)]) {
      const res = await call<ErrorBody>("GET", `/api/v1/templates/${slug}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
  });
});

describe("template administration", () => {
  let admin: RegisteredUser;
  let user: RegisteredUser;
  beforeAll(async () => {
    admin = await registerAdmin();
    user = await registerUser();
  });

  it("creates a template as version 1, readable at once", async () => {
    const slug = uniqueSlug();
    const res = await call<Template>("POST", "/api/v1/templates", { token: admin.accessToken, body: { slug, ...content() } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ slug, version: 1, questionCount: 3, title: "Sleep check" });
    expect(res.body.questions[1]).toMatchObject({ id: "hours", required: true });
    expect(res.body.scales[0]).toMatchObject({ method: "mean", multiplier: 1 });
    const read = await call<Template>("GET", `/api/v1/templates/${slug}`);
    expect(read.body).toEqual(res.body);
    const list = await call<{ items: TemplateSummary[] }>("GET", "/api/v1/templates");
    expect(list.body.items.map((t) => t.slug)).toContain(slug);
  });

  it("returns 409 for a slug that is taken", async () => {
    const res = await call<ErrorBody>("POST", "/api/v1/templates", { token: admin.accessToken, body: { slug: "who-5", ...content() } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("conflict");
  });

  it("refuses content that cannot be answered or scored, naming each problem", async () => {
    const bad = content({
      questions: [
        { id: "a", text: "A", type: "likert", min: 5, max: 1 },
        { id: "a", text: "Again", type: "single_choice", options: [{ value: 1, label: "One" }, { value: 1, label: "Uno" }] },
        { id: "c", text: "C", type: "text", options: [{ value: 1, label: "x" }, { value: 2, label: "y" }] },
      ],
      scales: [
        { id: "s", name: "S", items: [{ questionId: "zzz", reverse: false }, { questionId: "c", reverse: false }] },
        { id: "s", name: "S2", items: [{ questionId: "a", reverse: true }] },
      ],
    });
    const res = await call<ErrorBody>("POST", "/api/v1/templates", { token: admin.accessToken, body: { slug: uniqueSlug(), ...bad } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    const paths = res.body.error.details?.map((d) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "questions.0.max",
        "questions.1.id",
        "questions.1.options",
        "questions.2.options",
        "scales.0.items.0.questionId",
        "scales.0.items.1.questionId",
        "scales.1.id",
      ]),
    );
  });

  it("refuses a malformed slug, a missing field, malformed JSON and a non-JSON body", async () => {
    const badSlug = await call<ErrorBody>("POST", "/api/v1/templates", { token: admin.accessToken, body: { slug: "Bad Slug", ...content() } });
    expect(badSlug.status).toBe(400);
    expect(badSlug.body.error.details?.map((d) => d.path)).toContain("slug");
    const missing = await call<ErrorBody>("POST", "/api/v1/templates", { token: admin.accessToken, body: { slug: uniqueSlug() } });
    expect(missing.status).toBe(400);
    const json = await call<ErrorBody>("POST", "/api/v1/templates", {
      token: admin.accessToken,
      rawBody: '{"slug":',
      headers: { "content-type": "application/json" },
    });
    expect(json.status).toBe(400);
    expect(json.body.error.code).toBe("invalid_json");
    const text = await call("PUT", "/api/v1/templates/who-5", { token: admin.accessToken, rawBody: "hi", headers: { "content-type": "text/plain" } });
    expect(text.status).toBe(415);
  });

  it("keeps every admin route from users (403) and from anonymous callers (401)", async () => {
    const slug = uniqueSlug();
    const attempts = [
      ["POST", "/api/v1/templates", { slug, ...content() }],
      ["PUT", "/api/v1/templates/who-5", content()],
      ["DELETE", "/api/v1/templates/who-5", undefined],
    ] as const;
    for (const [method, path, body] of attempts) {
      const asUser = await call<ErrorBody>(method, path, { token: user.accessToken, body });
      expect(asUser.status).toBe(403);
      expect(asUser.body.error.code).toBe("forbidden");
      expect((await call(method, path, { body })).status).toBe(401);
    }
    expect((await call("GET", "/api/v1/templates/who-5")).body).toMatchObject({ version: 1 });
  });

  it("publishes a new version; assessments already started keep theirs, new ones get the new one", async () => {
    const slug = uniqueSlug();
    await call("POST", "/api/v1/templates", { token: admin.accessToken, body: { slug, ...content() } });
    const before = (await call<Assessment>("POST", "/api/v1/assessments", { token: user.accessToken, body: { templateSlug: slug } })).body;

    const v2 = content({
      title: "Sleep check v2",
      questions: [
        { id: "rested", text: "I woke up rested.", type: "likert", min: 1, max: 7 },
        { id: "dreams", text: "Did you dream?", type: "single_choice", options: [{ value: "yes", label: "Yes" }, { value: "no", label: "No" }] },
      ],
    });
    const put = await call<Template>("PUT", `/api/v1/templates/${slug}`, { token: admin.accessToken, body: v2 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ slug, version: 2, title: "Sleep check v2", questionCount: 2 });
    // Read-your-writes through every layer (memory, colo cache, Upstash).
    expect((await call<Template>("GET", `/api/v1/templates/${slug}`)).body).toEqual(put.body);

    expect(before.templateVersion).toBe(1);
    const oldRules = await call<ErrorBody>("PUT", `/api/v1/assessments/${before.id}/answers`, {
      token: user.accessToken,
      body: { answers: { rested: 7, dreams: "yes" } },
    });
    expect(oldRules.status).toBe(400);
    expect(oldRules.body.error.details?.map((d) => d.path)).toEqual(["answers.rested", "answers.dreams"]);

    const after = (await call<Assessment>("POST", "/api/v1/assessments", { token: user.accessToken, body: { templateSlug: slug } })).body;
    expect(after.templateVersion).toBe(2);
    const newRules = await call<Assessment>("PUT", `/api/v1/assessments/${after.id}/answers`, {
      token: user.accessToken,
      body: { answers: { rested: 7, dreams: "yes" } },
    });
    expect(newRules.status).toBe(200);
  });

  it("unpublishes: gone from the list, the slug and new assessments; existing ones keep working", async () => {
    const slug = uniqueSlug();
    await call("POST", "/api/v1/templates", { token: admin.accessToken, body: { slug, ...content() } });
    const started = (await call<Assessment>("POST", "/api/v1/assessments", { token: user.accessToken, body: { templateSlug: slug } })).body;
    await call("GET", `/api/v1/templates/${slug}`);
    const del = await call("DELETE", `/api/v1/templates/${slug}`, { token: admin.accessToken });
    expect(del.status).toBe(204);
    expect((await call("GET", `/api/v1/templates/${slug}`)).status).toBe(404);
    const list = await call<{ items: TemplateSummary[] }>("GET", "/api/v1/templates");
    expect(list.body.items.map((t) => t.slug)).not.toContain(slug);
    expect((await call("POST", "/api/v1/assessments", { token: user.accessToken, body: { templateSlug: slug } })).status).toBe(404);
    const answered = await call("PUT", `/api/v1/assessments/${started.id}/answers`, { token: user.accessToken, body: { answers: { rested: 2 } } });
    expect(answered.status).toBe(200);
    // A new version republishes it.
    expect((await call<Template>("PUT", `/api/v1/templates/${slug}`, { token: admin.accessToken, body: content() })).body.version).toBe(2);
    expect((await call("GET", `/api/v1/templates/${slug}`)).status).toBe(200);
  });

  it("serves a pinned older version with ?version=, even once the template is unpublished", async () => {
    const slug = uniqueSlug();
    await call("POST", "/api/v1/templates", { token: admin.accessToken, body: { slug, ...content() } });
    await call("PUT", `/api/v1/templates/${slug}`, { token: admin.accessToken, body: content({ title: "Sleep check v2" }) });
    await call("DELETE", `/api/v1/templates/${slug}`, { token: admin.accessToken });

    const v1 = await call<Template>("GET", `/api/v1/templates/${slug}?version=1`);
    expect(v1.status).toBe(200);
    expect(v1.body).toMatchObject({ slug, version: 1, title: "Sleep check" });
    expect((await call<Template>("GET", `/api/v1/templates/${slug}?version=2`)).body.title).toBe("Sleep check v2");
    expect((await call("GET", `/api/v1/templates/${slug}`)).status).toBe(404);

    expect((await call<ErrorBody>("GET", `/api/v1/templates/${slug}?version=3`)).body.error.code).toBe("not_found");
    const bad = await call<ErrorBody>("GET", `/api/v1/templates/${slug}?version=zero`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details?.[0]?.path).toBe("version");
  });

  it("returns 404 for a new version or unpublishing of an unknown slug", async () => {
    expect((await call("PUT", "/api/v1/templates/no-such-template", { token: admin.accessToken, body: content() })).status).toBe(404);
    expect((await call("DELETE", "/api/v1/templates/no-such-template", { token: admin.accessToken })).status).toBe(404);
  });
});

describe("template caching: round trips per layer", () => {
  let admin: RegisteredUser;
  let slug: string;
  beforeAll(async () => {
    admin = await registerAdmin();
    slug = uniqueSlug();
    await call("POST", "/api/v1/templates", { token: admin.accessToken, body: { slug, ...content() } });
  });
  afterEach(() => clearFaults(testEnv.STANDIN_UPSTASH, scopes.upstash));

  it("admin writes cost exactly one Neon round trip and one Upstash round trip", async () => {
    const created = await measured(() => call<Template>("POST", "/api/v1/templates", { token: admin.accessToken, body: { slug: uniqueSlug(), ...content() } }));
    expect(created.res.status).toBe(201);
    expect(created.served).toEqual({ neon: 1, upstash: 1 });
    const put = await measured(() => call("PUT", `/api/v1/templates/${slug}`, { token: admin.accessToken, body: content() }));
    expect(put.res.status).toBe(200);
    expect(put.served).toEqual({ neon: 1, upstash: 1 });
    const del = await measured(() => call("DELETE", `/api/v1/templates/${created.res.body.slug}`, { token: admin.accessToken }));
    expect(del.res.status).toBe(204);
    expect(del.served).toEqual({ neon: 1, upstash: 1 });
  });

  it("a miss costs one Neon round trip; the shared cache then serves with none; the edge with no round trip at all", async () => {
    const path = `/api/v1/templates/${slug}`;
    await call("PUT", path, { token: admin.accessToken, body: content() }); // clears every layer

    const miss = await measured(() => call("GET", path));
    expect(awaited(miss.res)).toEqual({ neon: 1, upstash: 1, cache: "miss" });
    expect(miss.served).toEqual({ neon: 1, upstash: 2 });

    const shared = await measured(() => call("GET", path, { headers: { "Cache-Control": "no-cache" } }));
    expect(awaited(shared.res)).toEqual({ neon: 0, upstash: 1, cache: "hit" });
    expect(shared.served).toEqual({ neon: 0, upstash: 1 });

    const edge = await measured(() => call("GET", path));
    expect(awaited(edge.res)).toEqual({ neon: 0, upstash: 0, cache: "hit" });
    expect(edge.served).toEqual({ neon: 0, upstash: 0 });
    expect(edge.res.text).toBe(miss.res.text);
  });

  it("the list: one Neon round trip on a miss, none on a hit", async () => {
    await call("PUT", `/api/v1/templates/${slug}`, { token: admin.accessToken, body: content() });
    const miss = await measured(() => call("GET", "/api/v1/templates"));
    expect(miss.served.neon).toBe(1);
    const hit = await measured(() => call("GET", "/api/v1/templates", { headers: { "Cache-Control": "no-cache" } }));
    expect(hit.served).toEqual({ neon: 0, upstash: 1 });
    const edge = await measured(() => call("GET", "/api/v1/templates"));
    expect(edge.served).toEqual({ neon: 0, upstash: 0 });
  });

  it("still answers 200 with the Upstash stand-in down", async () => {
    await setFault(testEnv.STANDIN_UPSTASH, { scope: scopes.upstash, down: true });
    const res = await call<Template>("GET", `/api/v1/templates/${slug}`, { headers: { "Cache-Control": "no-cache" } });
    expect(res.status).toBe(200);
    expect(res.body.slug).toBe(slug);
    expect(awaited(res).cache).toBe("bypass");
    const list = await call("GET", "/api/v1/templates", { headers: { "Cache-Control": "no-cache" } });
    expect(list.status).toBe(200);
  });
});

describe("OpenAPI document", () => {
  it("describes the template and assessment routes and shapes, including scale methods and sections", async () => {
    interface Doc {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    }
    const res = await call<Doc>("GET", "/api/openapi.json");
    expect(res.status).toBe(200);
    const { paths, components } = res.body;
    expect(Object.keys(paths["/api/v1/templates"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(Object.keys(paths["/api/v1/templates/{slug}"] ?? {}).sort()).toEqual(["delete", "get", "put"]);
    expect(Object.keys(paths["/api/v1/assessments/{id}"] ?? {}).sort()).toEqual(["delete", "get"]);
    expect(paths["/api/v1/assessments/{id}/answers"]?.put?.responses).toHaveProperty("409");
    expect(paths["/api/v1/assessments"]?.get?.responses).toHaveProperty("304");
    expect(Object.keys(components.schemas.Scale?.properties ?? {})).toEqual(expect.arrayContaining(["method", "multiplier"]));
    expect(Object.keys(components.schemas.Question?.properties ?? {})).toEqual(expect.arrayContaining(["section", "options", "min", "max"]));
    for (const name of ["TemplateSummary", "Template", "Assessment", "AssessmentPage"]) expect(components.schemas).toHaveProperty(name);
  });
});
