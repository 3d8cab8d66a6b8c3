/**
 * Reading a trend: which results are comparable (a template version that changed a scale's items
 * starts a new run, API.md `itemsChangedAt`), and the change since the previous result in words.
 */
import type { TrendPoint, TrendScale } from "../api/types.ts";
import { formatScore } from "../assessments/scoring.ts";

/** True when no version between the two points (after `earlier`, up to `later`) changed the scale's items. */
export function comparable(scale: Pick<TrendScale, "itemsChangedAt">, earlier: TrendPoint, later: TrendPoint): boolean {
  return !scale.itemsChangedAt.some((v) => v > earlier.templateVersion && v <= later.templateVersion);
}

/** The points split into runs of comparable results, oldest first: a chart draws each run as its own line. */
export function runsOf(scale: TrendScale): TrendPoint[][] {
  const runs: TrendPoint[][] = [];
  for (const point of scale.points) {
    const run = runs.at(-1);
    const last = run?.at(-1);
    if (run && last && comparable(scale, last, point)) run.push(point);
    else runs.push([point]);
  }
  return runs;
}

/**
 * The scale's points with `current` in place: a result whose analysis is still being written is
 * not in the trend yet, but its scores are already known.
 */
export function withCurrent(scale: TrendScale, current: TrendPoint | null): TrendScale {
  if (!current || scale.points.some((p) => p.assessmentId === current.assessmentId)) return scale;
  const points = [...scale.points.filter((p) => p.completedAt <= current.completedAt), current, ...scale.points.filter((p) => p.completedAt > current.completedAt)];
  return { ...scale, points };
}

export type Change =
  | { kind: "first" }
  | { kind: "items_changed"; since: TrendPoint }
  | { kind: "change"; delta: number; since: TrendPoint };

/** How the result `assessmentId` compares with the one before it (the latest result when omitted). */
export function changeAt(scale: TrendScale, assessmentId?: string): Change | null {
  const index = assessmentId === undefined ? scale.points.length - 1 : scale.points.findIndex((p) => p.assessmentId === assessmentId);
  const point = scale.points[index];
  if (!point) return null;
  const previous = scale.points[index - 1];
  if (!previous) return { kind: "first" };
  if (!comparable(scale, previous, point)) return { kind: "items_changed", since: previous };
  return { kind: "change", delta: Math.round((point.score - previous.score) * 100) / 100, since: previous };
}

/** "3 Nov" (in the reader's locale). */
export function shortDate(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { day: "numeric", month: "short" });
}

/** "+12", "−3.5" (a real minus sign) or "±0". */
export function signed(delta: number): string {
  if (delta === 0) return "±0";
  return delta > 0 ? `+${formatScore(delta)}` : `−${formatScore(-delta)}`;
}

/** "+12 since 3 Nov", "No change since 3 Nov", or why there is nothing to compare. */
export function describeChange(change: Change | null): string | null {
  if (!change) return null;
  switch (change.kind) {
    case "first":
      return "Your first result";
    case "items_changed":
      return `Not comparable with ${shortDate(change.since.completedAt)}: the questions changed`;
    case "change":
      return change.delta === 0 ? `No change since ${shortDate(change.since.completedAt)}` : `${signed(change.delta)} since ${shortDate(change.since.completedAt)}`;
  }
}
