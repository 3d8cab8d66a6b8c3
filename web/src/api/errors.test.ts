import { describe, expect, it } from "vitest";
import { ApiRequestError, describeError, errorFromResponse, fieldErrors, formatWait, networkError, parseRetryAfter } from "./errors.ts";

const now = Date.parse("2026-11-27T12:00:00Z");
const headers = (h: Record<string, string>) => ({ status: 429, headers: new Headers(h) });

describe("errorFromResponse", () => {
  it("reads the contract's error body", () => {
    const err = errorFromResponse(
      { status: 400, headers: new Headers({ "X-Request-Id": "req-1" }) },
      { error: { code: "validation_failed", message: "The request is invalid", requestId: "req-1", details: [{ path: "email", message: "Invalid email" }] } },
      now,
    );
    expect(err).toBeInstanceOf(ApiRequestError);
    expect(err).toMatchObject({ status: 400, code: "validation_failed", requestId: "req-1", details: [{ path: "email", message: "Invalid email" }] });
  });

  it("turns Retry-After into a wait and a time", () => {
    const err = errorFromResponse(headers({ "Retry-After": "42" }), { error: { code: "rate_limited", message: "Too many", requestId: "r" } }, now);
    expect(err.retryAfter).toBe(42);
    expect(err.retryAt?.toISOString()).toBe("2026-11-27T12:00:42.000Z");
  });

  it("copes with bodies that are not the contract's (a proxy's HTML page)", () => {
    const err = errorFromResponse({ status: 502, headers: new Headers() }, "<html>Bad gateway</html>", now);
    expect(err).toMatchObject({ status: 502, code: "unknown", details: [], retryAfter: null });
  });

  it("ignores malformed details", () => {
    const err = errorFromResponse({ status: 400, headers: new Headers() }, { error: { code: "validation_failed", message: "x", requestId: "r", details: [{ path: 1 }, "x", { path: "a", message: "b" }] } }, now);
    expect(err.details).toEqual([{ path: "a", message: "b" }]);
  });
});

describe("parseRetryAfter", () => {
  it("accepts delta-seconds and HTTP dates", () => {
    expect(parseRetryAfter("120", now)).toBe(120);
    expect(parseRetryAfter("Fri, 27 Nov 2026 13:00:00 GMT", now)).toBe(3600);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter("soon", now)).toBeNull();
  });
});

describe("describeError", () => {
  it("tells a rate-limited person how long to wait", () => {
    const err = errorFromResponse(headers({ "Retry-After": "90" }), { error: { code: "rate_limited", message: "Too many requests", requestId: "r" } }, now);
    expect(describeError(err, now)).toEqual({ title: "Too many requests", message: "Please wait 2 minutes before trying again." });
    expect(describeError(err, now + 80_000).message).toBe("Please wait 10 seconds before trying again.");
  });

  it("gives the AI quota's reset time", () => {
    const err = errorFromResponse(headers({ "Retry-After": "7200" }), { error: { code: "ai_quota_exhausted", message: "spent", requestId: "r" } }, now);
    const copy = describeError(err, now);
    expect(copy.title).toBe("The AI is resting");
    expect(copy.message).toMatch(/^Today's AI quota is spent\. It resets at .+ \(in 2 hours\)\.$/);
  });

  it("never shows internals for a 500, only the request id", () => {
    const err = errorFromResponse({ status: 500, headers: new Headers() }, { error: { code: "internal", message: "Something went wrong on our side", requestId: "abc" } }, now);
    expect(describeError(err, now).message).toBe("Try again. If it keeps happening, quote request id abc.");
  });

  it("names a network failure", () => {
    expect(describeError(networkError(new TypeError("Failed to fetch")), now).title).toBe("You're offline");
    expect(describeError(new Error("boom"), now).title).toBe("Something went wrong");
  });
});

describe("fieldErrors", () => {
  it("puts each message beside its field, whatever the path's prefix", () => {
    const result = fieldErrors(
      [
        { path: "email", message: "Invalid email" },
        { path: "body.password", message: "Too common" },
        { path: "email", message: "second message for email" },
        { path: "captcha", message: "Unknown field" },
        { path: "", message: "Whole-form problem" },
      ],
      ["email", "password", "displayName"] as const,
    );
    expect(result.byField).toEqual({ email: "Invalid email", password: "Too common" });
    expect(result.other).toEqual(["captcha: Unknown field", "Whole-form problem"]);
  });

  it("maps answer paths to question ids", () => {
    expect(fieldErrors([{ path: "answers.q3", message: "Out of range" }], ["q1", "q3"]).byField).toEqual({ q3: "Out of range" });
  });
});

describe("formatWait", () => {
  it("reads naturally", () => {
    expect(formatWait(1)).toBe("1 second");
    expect(formatWait(59.2)).toBe("1 minute");
    expect(formatWait(45)).toBe("45 seconds");
    expect(formatWait(3600)).toBe("1 hour");
    expect(formatWait(3 * 3600 + 5 * 60)).toBe("3 hours 5 minutes");
  });
});
