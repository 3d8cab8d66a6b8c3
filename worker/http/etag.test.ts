import { describe, expect, it } from "vitest";
import { ifNoneMatchHits, strongEtag } from "./etag.ts";

describe("strong ETags", () => {
  it("are quoted, stable for the same bytes and different for different bytes", async () => {
    const tag = await strongEtag('{"a":1}');
    expect(tag).toMatch(/^"[A-Za-z0-9_-]{24}"$/);
    expect(await strongEtag('{"a":1}')).toBe(tag);
    expect(await strongEtag('{"a":2}')).not.toBe(tag);
  });
});

describe("If-None-Match", () => {
  it("matches the same tag, in a list, weak or not, and *", () => {
    expect(ifNoneMatchHits('"x"', '"x"')).toBe(true);
    expect(ifNoneMatchHits('"a", "x"', '"x"')).toBe(true);
    expect(ifNoneMatchHits('W/"x"', '"x"')).toBe(true);
    expect(ifNoneMatchHits("*", '"x"')).toBe(true);
  });

  it("does not match another tag, an unquoted one or no header", () => {
    expect(ifNoneMatchHits('"y"', '"x"')).toBe(false);
    expect(ifNoneMatchHits("x", '"x"')).toBe(false);
    expect(ifNoneMatchHits(undefined, '"x"')).toBe(false);
  });
});
