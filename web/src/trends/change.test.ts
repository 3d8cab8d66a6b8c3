import { describe, expect, it } from "vitest";
import type { TrendPoint, TrendScale } from "../api/types.ts";
import { changeAt, describeChange, runsOf, signed, withCurrent } from "./change.ts";

const point = (n: number, score: number, templateVersion = 1): TrendPoint => ({
  assessmentId: `a${n}`,
  templateVersion,
  completedAt: new Date(Date.UTC(2026, 10, n, 12)).toISOString(),
  score,
});

const scale = (points: TrendPoint[], itemsChangedAt: number[] = []): TrendScale => ({
  id: "wellbeing",
  name: "Well-being",
  min: 0,
  max: 100,
  itemsChangedAt,
  points,
});

const day = (n: number) => new Date(Date.UTC(2026, 10, n, 12)).toLocaleDateString(undefined, { day: "numeric", month: "short" });

describe("reading a trend", () => {
  it("says the change since the previous result, signed, with its date", () => {
    const s = scale([point(3, 56), point(17, 68), point(24, 60)]);
    expect(describeChange(changeAt(s, "a17"))).toBe(`+12 since ${day(3)}`);
    expect(describeChange(changeAt(s))).toBe(`−8 since ${day(17)}`);
    expect(describeChange(changeAt(s, "a3"))).toBe("Your first result");
    expect(describeChange(changeAt(scale([point(3, 56), point(4, 56)])))).toBe(`No change since ${day(3)}`);
    expect(changeAt(s, "missing")).toBeNull();
    expect(signed(2.5)).toBe("+2.5");
  });

  it("does not compare results across a version that changed the items, and breaks the line there", () => {
    const s = scale([point(1, 40, 1), point(2, 50, 1), point(3, 90, 2), point(4, 80, 3)], [2]);
    expect(changeAt(s, "a3")).toMatchObject({ kind: "items_changed" });
    expect(describeChange(changeAt(s, "a3"))).toBe(`Not comparable with ${day(2)}: the questions changed`);
    expect(changeAt(s, "a4")).toMatchObject({ kind: "change", delta: -10 });
    expect(runsOf(s).map((run) => run.map((p) => p.assessmentId))).toEqual([["a1", "a2"], ["a3", "a4"]]);
  });

  it("puts a result still being analysed in its place, once", () => {
    const s = scale([point(1, 40), point(3, 60)]);
    const pending = point(2, 50);
    expect(withCurrent(s, pending).points.map((p) => p.assessmentId)).toEqual(["a1", "a2", "a3"]);
    expect(withCurrent(s, point(3, 60)).points).toHaveLength(2);
    expect(withCurrent(s, null)).toBe(s);
  });
});
