import { describe, expect, it, vi } from "vitest";
import { ApiRequestError } from "../api/errors.ts";
import { applyServerErrors, needsFormError } from "./formErrors.ts";

const validation = (details: { path: string; message: string }[]) =>
  new ApiRequestError({ status: 400, code: "validation_failed", message: "The request is invalid", details });

describe("applyServerErrors", () => {
  it("sets each server message on its field and focuses the first", () => {
    const setError = vi.fn();
    const all = applyServerErrors(validation([{ path: "password", message: "This password is too common" }, { path: "email", message: "Invalid email" }]), setError, [
      "email",
      "password",
    ]);
    expect(all).toBe(true);
    expect(setError.mock.calls).toEqual([
      ["email", { type: "server", message: "Invalid email" }, { shouldFocus: true }],
      ["password", { type: "server", message: "This password is too common" }, { shouldFocus: false }],
    ]);
  });

  it("leaves other errors to the form-level alert", () => {
    const setError = vi.fn();
    expect(applyServerErrors(new ApiRequestError({ status: 429, code: "rate_limited", message: "x" }), setError, ["email"])).toBe(false);
    expect(setError).not.toHaveBeenCalled();
    expect(needsFormError(new ApiRequestError({ status: 429, code: "rate_limited", message: "x" }), ["email"])).toBe(true);
    expect(needsFormError(validation([{ path: "email", message: "bad" }]), ["email"])).toBe(false);
    expect(needsFormError(validation([{ path: "unknown", message: "bad" }]), ["email"])).toBe(true);
    expect(needsFormError(null, ["email"])).toBe(false);
  });
});
