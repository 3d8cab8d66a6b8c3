import { beforeAll, describe, expect, it } from "vitest";
import type { ErrorBody } from "../errors.ts";
import { call } from "../testing/http.ts";
import { registerAdmin, registerUser, type RegisteredUser } from "../testing/users.ts";

let admin: RegisteredUser;
let user: RegisteredUser;

beforeAll(async () => {
  [admin, user] = await Promise.all([registerAdmin(), registerUser()]);
});

describe("GET /admin/usage: who may read it", () => {
  it("answers 401 without a token", async () => {
    const res = await call<ErrorBody>("GET", "/api/v1/admin/usage");
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthorized");
  });

  it("answers 403 forbidden to a signed-in user who is not an admin", async () => {
    const res = await call<ErrorBody>("GET", "/api/v1/admin/usage", { token: user.accessToken });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
  });

  it.each(["0", "32", "-1", "1.5", "week"])("answers 400 validation_failed for days=%s", async (days) => {
    const res = await call<ErrorBody>("GET", `/api/v1/admin/usage?days=${days}`, { token: admin.accessToken });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.details?.[0]?.path).toBe("days");
  });

  it("reports 7 days by default and up to 31, as private data with an ETag", async () => {
    const week = await call<{ days: unknown[] }>("GET", "/api/v1/admin/usage", { token: admin.accessToken });
    expect(week.status).toBe(200);
    expect(week.body.days).toHaveLength(7);
    expect(week.headers.get("cache-control")).toBe("private, no-cache");
    const month = await call<{ days: unknown[] }>("GET", "/api/v1/admin/usage?days=31", { token: admin.accessToken });
    expect(month.body.days).toHaveLength(31);
    const again = await call("GET", "/api/v1/admin/usage?days=31", {
      token: admin.accessToken,
      headers: { "If-None-Match": month.headers.get("etag") ?? "" },
    });
    expect(again.status).toBe(304);
  });
});
