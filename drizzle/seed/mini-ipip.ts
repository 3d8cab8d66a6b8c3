/**
 * Mini-IPIP (Donnellan, Oswald, Baird & Lucas, 2006): a 20-item short form of the IPIP Big Five
 * factor markers; IPIP items are in the public domain. Each scale is the mean of its four items
 * (1..5) after reverse keying (6 - x).
 */
import type { StoredQuestion, StoredScale } from "../../worker/db/schema.ts";

const options = [
  { value: 1, label: "Very inaccurate" },
  { value: 2, label: "Moderately inaccurate" },
  { value: 3, label: "Neither accurate nor inaccurate" },
  { value: 4, label: "Moderately accurate" },
  { value: 5, label: "Very accurate" },
];

const items: [id: string, text: string, scale: string, reverse: boolean][] = [
  ["q1", "Am the life of the party.", "extraversion", false],
  ["q2", "Sympathize with others' feelings.", "agreeableness", false],
  ["q3", "Get chores done right away.", "conscientiousness", false],
  ["q4", "Have frequent mood swings.", "neuroticism", false],
  ["q5", "Have a vivid imagination.", "intellect", false],
  ["q6", "Don't talk a lot.", "extraversion", true],
  ["q7", "Am not interested in other people's problems.", "agreeableness", true],
  ["q8", "Often forget to put things back in their proper place.", "conscientiousness", true],
  ["q9", "Am relaxed most of the time.", "neuroticism", true],
  ["q10", "Am not interested in abstract ideas.", "intellect", true],
  ["q11", "Talk to a lot of different people at parties.", "extraversion", false],
  ["q12", "Feel others' emotions.", "agreeableness", false],
  ["q13", "Like order.", "conscientiousness", false],
  ["q14", "Get upset easily.", "neuroticism", false],
  ["q15", "Have difficulty understanding abstract ideas.", "intellect", true],
  ["q16", "Keep in the background.", "extraversion", true],
  ["q17", "Am not really interested in others.", "agreeableness", true],
  ["q18", "Make a mess of things.", "conscientiousness", true],
  ["q19", "Seldom feel blue.", "neuroticism", true],
  ["q20", "Do not have a good imagination.", "intellect", true],
];

const scaleNames: Record<string, string> = {
  extraversion: "Extraversion",
  agreeableness: "Agreeableness",
  conscientiousness: "Conscientiousness",
  neuroticism: "Neuroticism",
  intellect: "Intellect/Imagination",
};

export const miniIpipQuestions: StoredQuestion[] = items.map(([id, text], i) => ({
  id,
  text,
  type: "likert",
  min: 1,
  max: 5,
  options,
  required: true,
  section: `Part ${Math.floor(i / 5) + 1}`,
}));

export const miniIpipScales: StoredScale[] = Object.entries(scaleNames).map(([id, name]) => ({
  id,
  name,
  method: "mean",
  items: items.filter(([, , scale]) => scale === id).map(([questionId, , , reverse]) => ({ questionId, reverse })),
}));

export const miniIpip = {
  slug: "mini-ipip",
  title: "Mini-IPIP Big Five",
  description:
    "A 20-item measure of the Big Five personality traits: extraversion, agreeableness, conscientiousness, neuroticism and intellect/imagination. Describe yourself as you generally are now.",
  estimatedMinutes: 4,
  questions: miniIpipQuestions,
  scales: miniIpipScales,
};
