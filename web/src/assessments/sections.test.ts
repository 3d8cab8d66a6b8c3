import { describe, expect, it } from "vitest";
import type { Question, Scale } from "../api/types.ts";
import { fractionOf, scaleRange } from "./scoring.ts";
import { choicesOf, countAnswered, groupSections, missingRequired, resumeSection, sectionOf } from "./sections.ts";

const q = (id: string, extra: Partial<Question> = {}): Question => ({ id, text: `Question ${id}`, type: "likert", min: 1, max: 5, required: true, ...extra });

describe("groupSections", () => {
  it("pages by section, in order", () => {
    const sections = groupSections([q("a", { section: "One" }), q("b", { section: "One" }), q("c", { section: "Two" }), q("d")]);
    expect(sections.map((s) => [s.title, s.questions.map((x) => x.id)])).toEqual([
      ["One", ["a", "b"]],
      ["Two", ["c", "d"]],
    ]);
  });

  it("pages templates without sections in fives", () => {
    const sections = groupSections(Array.from({ length: 12 }, (_, i) => q(`q${i + 1}`)));
    expect(sections.map((s) => s.questions.length)).toEqual([5, 5, 2]);
    expect(sections.every((s) => s.title === null)).toBe(true);
  });
});

describe("resuming", () => {
  const sections = groupSections([q("a", { section: "1" }), q("b", { section: "1" }), q("c", { section: "2" }), q("d", { section: "3", type: "text", required: false })]);

  it("opens at the first section with an unanswered question", () => {
    expect(resumeSection(sections, {})).toBe(0);
    expect(resumeSection(sections, { a: 1, b: 2 })).toBe(1);
    expect(resumeSection(sections, { a: 1, b: 2, c: 3, d: "  " })).toBe(2);
    expect(resumeSection(sections, { a: 1, b: 2, c: 3, d: "done" })).toBe(2);
  });

  it("counts answers and finds missing required ones", () => {
    expect(countAnswered(sections.flatMap((s) => s.questions), { a: 0, d: "" })).toBe(1);
    expect(missingRequired(sections[0]?.questions ?? [], { a: 4 }).map((x) => x.id)).toEqual(["b"]);
    expect(sectionOf(sections, "c")).toBe(1);
  });
});

describe("choicesOf", () => {
  it("uses the labels when there are some, else counts min..max", () => {
    expect(choicesOf(q("a", { options: [{ value: 0, label: "Never" }, { value: 1, label: "Always" }] })).map((c) => c.label)).toEqual(["Never", "Always"]);
    expect(choicesOf(q("a", { min: 1, max: 3 })).map((c) => c.value)).toEqual([1, 2, 3]);
    expect(choicesOf(q("a", { type: "text", min: undefined, max: undefined }))).toEqual([]);
  });
});

describe("scaleRange", () => {
  const who5: Question[] = [1, 2, 3, 4, 5].map((i) => q(`q${i}`, { min: 0, max: 5 }));
  const items = who5.map((x) => ({ questionId: x.id, reverse: false }));

  it("WHO-5: a sum times 4 runs from 0 to 100", () => {
    const scale: Scale = { id: "wellbeing", name: "Well-being", method: "sum", multiplier: 4, items };
    expect(scaleRange(scale, who5)).toEqual({ min: 0, max: 100 });
    expect(fractionOf(72, { min: 0, max: 100 })).toBe(0.72);
  });

  it("Mini-IPIP: a mean of 1..5 items stays 1..5", () => {
    const ipip = [q("a"), q("b"), q("c"), q("d")];
    const scale: Scale = { id: "e", name: "Extraversion", items: ipip.map((x) => ({ questionId: x.id, reverse: true })) };
    expect(scaleRange(scale, ipip)).toEqual({ min: 1, max: 5 });
  });

  it("gives up on items it cannot bound", () => {
    const scale: Scale = { id: "x", name: "X", items: [{ questionId: "missing", reverse: false }] };
    expect(scaleRange(scale, who5)).toBeNull();
    expect(fractionOf(9, { min: 0, max: 5 })).toBe(1);
  });
});
