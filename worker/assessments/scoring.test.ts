import { describe, expect, it } from "vitest";
import { miniIpip } from "../../drizzle/seed/mini-ipip.ts";
import { who5 } from "../../drizzle/seed/who-5.ts";
import type { StoredQuestion, StoredScale } from "../db/schema.ts";
import { scoreAnswers } from "./scoring.ts";

describe("Mini-IPIP scoring (mean of four items, reverse-keyed items scored 6 - x)", () => {
  // Worked by hand, scale by scale ((+) keyed as answered, (R) reverse-keyed: 6 - answer):
  //   extraversion      q1=5 (+) 5, q6=1 (R) 5, q11=4 (+) 4, q16=2 (R) 4   -> 18 / 4 = 4.5
  //   agreeableness     q2=3 (+) 3, q7=4 (R) 2, q12=2 (+) 2, q17=5 (R) 1   ->  8 / 4 = 2
  //   conscientiousness q3=2 (+) 2, q8=4 (R) 2, q13=3 (+) 3, q18=3 (R) 3   -> 10 / 4 = 2.5
  //   neuroticism       q4=1 (+) 1, q9=5 (R) 1, q14=2 (+) 2, q19=4 (R) 2   ->  6 / 4 = 1.5
  //   intellect         q5=4 (+) 4, q10=2 (R) 4, q15=1 (R) 5, q20=3 (R) 3  -> 16 / 4 = 4
  const answers = {
    q1: 5, q6: 1, q11: 4, q16: 2,
    q2: 3, q7: 4, q12: 2, q17: 5,
    q3: 2, q8: 4, q13: 3, q18: 3,
    q4: 1, q9: 5, q14: 2, q19: 4,
    q5: 4, q10: 2, q15: 1, q20: 3,
  };

  it("computes each of the five scales from its items with reverse keying", () => {
    expect(scoreAnswers(miniIpip.questions, miniIpip.scales, answers)).toEqual({
      extraversion: 4.5,
      agreeableness: 2,
      conscientiousness: 2.5,
      neuroticism: 1.5,
      intellect: 4,
    });
  });

  it("scores the midpoint 3 on every scale when every answer is 3 (reverse keying maps 3 to 3)", () => {
    const neutral = Object.fromEntries(miniIpip.questions.map((q) => [q.id, 3]));
    expect(Object.values(scoreAnswers(miniIpip.questions, miniIpip.scales, neutral))).toEqual([3, 3, 3, 3, 3]);
  });

  it("scores a reverse-keyed item at the opposite end: all 5s give 3 where half the items are reversed", () => {
    const allFives = Object.fromEntries(miniIpip.questions.map((q) => [q.id, 5]));
    // extraversion: 5 + 1 + 5 + 1 = 12 -> 3; intellect has three reversed items: 5 + 1 + 1 + 1 = 8 -> 2
    expect(scoreAnswers(miniIpip.questions, miniIpip.scales, allFives)).toMatchObject({ extraversion: 3, intellect: 2 });
  });

  it("averages the answered items of a scale and leaves out scales with no answers", () => {
    // extraversion: q1=5 (+) 5, q6=2 (R) 4 -> 9 / 2 = 4.5; nothing else answered
    expect(scoreAnswers(miniIpip.questions, miniIpip.scales, { q1: 5, q6: 2 })).toEqual({ extraversion: 4.5 });
  });
});

describe("WHO-5 scoring (raw sum 0..25, times 4 = percentage)", () => {
  it("multiplies the raw sum by 4: 3 + 4 + 2 + 3 + 4 = 16 -> 64", () => {
    expect(scoreAnswers(who5.questions, who5.scales, { q1: 3, q2: 4, q3: 2, q4: 3, q5: 4 })).toEqual({ wellbeing: 64 });
  });

  it("spans 0 to 100", () => {
    const all = (v: number) => Object.fromEntries(who5.questions.map((q) => [q.id, v]));
    expect(scoreAnswers(who5.questions, who5.scales, all(0))).toEqual({ wellbeing: 0 });
    expect(scoreAnswers(who5.questions, who5.scales, all(5))).toEqual({ wellbeing: 100 });
  });

  it("prorates a sum with an unanswered item: (3 + 4 + 2 + 3) x 5/4 = 15 -> 60", () => {
    expect(scoreAnswers(who5.questions, who5.scales, { q1: 3, q2: 4, q3: 2, q4: 3 })).toEqual({ wellbeing: 60 });
  });
});

describe("scoring rules beyond the seeds", () => {
  const questions: StoredQuestion[] = [
    { id: "a", text: "A", type: "likert", min: 0, max: 4, required: true },
    { id: "b", text: "B", type: "likert", min: 0, max: 4, required: true },
    { id: "c", text: "C", type: "text", required: false },
  ];

  it("reverse-keys against the question's own range (min + max - x): 0..4, answer 1 -> 3", () => {
    const scales: StoredScale[] = [{ id: "s", name: "S", method: "sum", items: [{ questionId: "a", reverse: true }, { questionId: "b", reverse: false }] }];
    // a: 0 + 4 - 1 = 3, b: 2 -> sum 5
    expect(scoreAnswers(questions, scales, { a: 1, b: 2 })).toEqual({ s: 5 });
  });

  it("defaults to the mean, with no multiplier, and rounds to two decimals", () => {
    const scales: StoredScale[] = [
      { id: "m", name: "M", items: ["a", "b"].map((questionId) => ({ questionId, reverse: false })) },
      { id: "third", name: "T", method: "mean", multiplier: 1 / 3, items: [{ questionId: "a", reverse: false }] },
    ];
    expect(scoreAnswers(questions, scales, { a: 1, b: 2 })).toEqual({ m: 1.5, third: 0.33 });
  });

  it("ignores answers that are not numbers of a likert question", () => {
    const scales: StoredScale[] = [{ id: "s", name: "S", items: [{ questionId: "c", reverse: false }] }];
    expect(scoreAnswers(questions, scales, { c: "free text" })).toEqual({});
  });
});
