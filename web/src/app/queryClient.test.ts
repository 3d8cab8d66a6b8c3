import { describe, expect, it } from "vitest";
import { answeredWithoutModel } from "./queryClient.ts";

describe("answeredWithoutModel", () => {
  it("is true for a chat answer whose job already succeeded (the caring reply under a spent quota)", () => {
    expect(answeredWithoutModel({ message: {}, reply: { status: "complete" }, job: { status: "succeeded" }, needsSupport: true })).toBe(true);
  });

  it("is false for accepted AI work whose job is queued, and for bodies without a job", () => {
    expect(answeredWithoutModel({ job: { status: "queued" }, needsSupport: true })).toBe(false);
    expect(answeredWithoutModel({ id: "a1", status: "analyzing" })).toBe(false);
    expect(answeredWithoutModel(undefined)).toBe(false);
    expect(answeredWithoutModel(null)).toBe(false);
  });
});
