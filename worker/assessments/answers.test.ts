import { describe, expect, it } from "vitest";
import { miniIpip } from "../../drizzle/seed/mini-ipip.ts";
import type { StoredQuestion } from "../db/schema.ts";
import { answerProblems, missingRequiredAnswers } from "./answers.ts";

const questions: StoredQuestion[] = [
  { id: "mood", text: "Mood", type: "likert", min: 1, max: 5, required: true },
  {
    id: "colour",
    text: "Colour",
    type: "single_choice",
    options: [
      { value: "red", label: "Red" },
      { value: 2, label: "Two" },
    ],
    required: false,
  },
  { id: "notes", text: "Notes", type: "text", maxLength: 5, required: false },
];

describe("answer checks", () => {
  it("accepts answers that fit their questions", () => {
    expect(answerProblems(questions, { mood: 3, colour: "red", notes: "ok" })).toEqual([]);
    expect(answerProblems(questions, { colour: 2, notes: "héllo" })).toEqual([]);
  });

  it("refuses a likert answer out of range, fractional, or not a number", () => {
    for (const mood of [0, 6, 2.5, "3"]) {
      expect(answerProblems(questions, { mood })).toEqual([{ path: "answers.mood", message: "Expected an integer from 1 to 5" }]);
    }
  });

  it("refuses a choice that is not one of the option values, including the same value as another type", () => {
    expect(answerProblems(questions, { colour: "blue" })[0]?.path).toBe("answers.colour");
    expect(answerProblems(questions, { colour: "2" })[0]?.path).toBe("answers.colour");
  });

  it("refuses text over the question's length and a number for a text question", () => {
    expect(answerProblems(questions, { notes: "toolong" })).toEqual([{ path: "answers.notes", message: "Expected at most 5 characters" }]);
    expect(answerProblems(questions, { notes: 5 })).toEqual([{ path: "answers.notes", message: "Expected text" }]);
  });

  it("refuses an unknown question id, one detail per bad answer", () => {
    expect(answerProblems(questions, { nope: 1, mood: 9 }).map((d) => d.path)).toEqual(["answers.nope", "answers.mood"]);
  });

  it("lists the required questions without an answer, in template order", () => {
    expect(missingRequiredAnswers(questions, {})).toEqual(["mood"]);
    expect(missingRequiredAnswers(miniIpip.questions, { q1: 3, q3: 3 })).toHaveLength(18);
    expect(missingRequiredAnswers([{ id: "t", text: "T", type: "text", required: true }], { t: "  " })).toEqual(["t"]);
  });
});
