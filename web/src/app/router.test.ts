import { describe, expect, it } from "vitest";
import { matchPath } from "./router.tsx";

describe("matchPath", () => {
  it("matches static and parameterised paths", () => {
    expect(matchPath("/", "/")).toEqual({});
    expect(matchPath("/chat/:id", "/chat/abc")).toEqual({ id: "abc" });
    expect(matchPath("/assessments/:id/results", "/assessments/01%20x/results/")).toEqual({ id: "01 x" });
  });

  it("does not match other shapes", () => {
    expect(matchPath("/chat/:id", "/chat")).toBeNull();
    expect(matchPath("/assessments/:id", "/assessments/1/results")).toBeNull();
    expect(matchPath("/chat/:id", "/chat/%E0%A4%A")).toBeNull();
  });
});
