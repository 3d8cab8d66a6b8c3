import { describe, expect, it } from "vitest";
import { awaited, measured } from "../../local/testing/round-trips.ts";
import { call } from "../testing/http.ts";
import type { SupportResource } from "./resources.ts";

type List = { items: SupportResource[] };

describe("GET /api/v1/support-resources (public)", () => {
  it("lists the contacts without auth, as public cacheable data with an international item", async () => {
    const res = await call<List>("GET", "/api/v1/support-resources");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toMatch(/^public, max-age=\d+$/);
    expect(res.headers.get("etag")).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const international = res.body.items.filter((item) => item.region === "international");
    expect(international.map((item) => item.url)).toContain("https://findahelpline.com");
    for (const item of res.body.items) {
      expect(Object.keys(item).every((key) => ["region", "language", "kind", "name", "phone", "sms", "url", "hours"].includes(key))).toBe(true);
      expect(item).toMatchObject({ region: expect.any(String), language: expect.any(String), name: expect.any(String) });
      expect(item.phone ?? item.sms ?? item.url ?? item.name).toBeTruthy();
    }
  });

  it("ships the well-known lines of the countries it serves", async () => {
    const { items } = (await call<List>("GET", "/api/v1/support-resources")).body;
    const phone = (region: string, name: RegExp) => items.find((i) => i.region === region && name.test(i.name))?.phone;
    expect(phone("US", /988 Suicide & Crisis Lifeline/)).toBe("988");
    expect(items.find((i) => i.region === "US" && /988/.test(i.name))?.sms).toBe("988");
    expect(phone("GB", /^Samaritans$/)).toBe("116 123");
    expect(phone("IE", /Samaritans/)).toBe("116 123");
    expect(phone("CA", /9-8-8/)).toBe("988");
    expect(phone("AU", /Lifeline/)).toBe("13 11 14");
    expect(items.filter((i) => i.region === "DE" && i.kind === "helpline").map((i) => i.phone)).toEqual(["0800 111 0 111", "0800 111 0 222"]);
    expect(phone("FR", /3114/)).toBe("3114");
    expect(phone("ES", /024/)).toBe("024");
  });

  it("answers 304 with no body to a matching If-None-Match", async () => {
    const first = await call("GET", "/api/v1/support-resources");
    const etag = first.headers.get("etag") ?? "";
    const again = await call("GET", "/api/v1/support-resources", { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect(again.text).toBe("");
    expect(again.headers.get("etag")).toBe(etag);
    expect(again.headers.get("cache-control")).toMatch(/^public, max-age=\d+$/);
  });

  it("costs no Neon and no Upstash round trip, even on a request that asks to revalidate", async () => {
    const hot = await measured(() => call("GET", "/api/v1/support-resources"));
    expect(hot.served).toEqual({ neon: 0, upstash: 0 });
    expect(awaited(hot.res).neon).toBe(0);
    const revalidating = await measured(() => call("GET", "/api/v1/support-resources", { headers: { "Cache-Control": "no-cache" } }));
    expect(revalidating.served).toEqual({ neon: 0, upstash: 0 });
  });

  it("is described in the OpenAPI document", async () => {
    const doc = await call<{ paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } }>("GET", "/api/openapi.json");
    expect(Object.keys(doc.body.paths["/api/v1/support-resources"] ?? {})).toEqual(["get"]);
    expect(doc.body.components.schemas).toHaveProperty("SupportResource");
  });
});
