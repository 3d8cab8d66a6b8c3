/**
 * WHO-5 Well-Being Index (WHO Regional Office for Europe, 1998), free to use. Five items about the
 * last two weeks, 0 (at no time) .. 5 (all of the time); the raw sum (0..25) times 4 gives a
 * percentage, where 100 is the best imaginable well-being.
 */
import type { StoredQuestion, StoredScale } from "../../worker/db/schema.ts";

const options = [
  { value: 5, label: "All of the time" },
  { value: 4, label: "Most of the time" },
  { value: 3, label: "More than half of the time" },
  { value: 2, label: "Less than half of the time" },
  { value: 1, label: "Some of the time" },
  { value: 0, label: "At no time" },
];

const texts = [
  "I have felt cheerful and in good spirits.",
  "I have felt calm and relaxed.",
  "I have felt active and vigorous.",
  "I woke up feeling fresh and rested.",
  "My daily life has been filled with things that interest me.",
];

export const who5Questions: StoredQuestion[] = texts.map((text, i) => ({
  id: `q${i + 1}`,
  text,
  type: "likert",
  min: 0,
  max: 5,
  options,
  required: true,
  section: "Over the last two weeks",
}));

export const who5Scales: StoredScale[] = [
  {
    id: "wellbeing",
    name: "Well-being (0-100)",
    method: "sum",
    multiplier: 4,
    // At or below 28: "likely depression" (Topp et al., 2015); the results page shows support contacts.
    supportAtOrBelow: 28,
    description: "Raw score x 4. Below 50 suggests low mood; 28 or below suggests likely depression and is worth discussing with a professional.",
    items: who5Questions.map((q) => ({ questionId: q.id, reverse: false })),
  },
];

export const who5 = {
  slug: "who-5",
  title: "WHO-5 Well-Being Index",
  description: "Five short statements about how you have been feeling over the last two weeks.",
  estimatedMinutes: 2,
  questions: who5Questions,
  scales: who5Scales,
};
