/**
 * Deterministic screening of what a person writes, before anything is queued: does the message
 * mention suicide, self-harm or harming someone else (phrases.ts)? A match never blocks the person;
 * it makes the answer say `needsSupport` and the coach's prompt ask for care. Only the categories
 * leave this module, never the text.
 */
import { benignPhrases, phraseSets, type ScreeningCategory } from "./phrases.ts";

export interface Screening {
  needsSupport: boolean;
  categories: ScreeningCategory[];
}

/**
 * The text the phrase list is written against: compatibility forms folded (full-width letters,
 * ligatures), invisible characters dropped, accents removed, lower case, apostrophes dropped,
 * every other run of non-letters a single space, spelt-out letters joined, padded with spaces.
 *
 * @example
 * normalise("I DON’T want to  live!!") // " i dont want to live "
 */
export function normalise(text: string): string {
  const folded = text
    .normalize("NFKC")
    .replace(/\p{Cf}/gu, "")
    .toLowerCase()
    .replace(/ß/g, "ss")
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/['’‘ʼ`´]/g, "")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim()
    // Spelt-out letters ("k i l l", from "K.I.L.L") become the word again.
    .replace(/(?<=^| )(?:\p{L} ){2,}\p{L}(?= |$)/gu, (letters) => letters.replace(/ /g, ""));
  return ` ${folded} `;
}

const wholeWords = (pattern: string) => new RegExp(` (?:${pattern}) `, "g");
const benign = benignPhrases.map(wholeWords);
const compiled = phraseSets.map((set) => ({ category: set.category, patterns: set.patterns.map((p) => new RegExp(` (?:${p}) `)) }));

/**
 * @example
 * screenMessage("I don't want to be here anymore") // { needsSupport: true, categories: ["suicide"] }
 * screenMessage("This deadline is killing me")      // { needsSupport: false, categories: [] }
 */
export function screenMessage(text: string): Screening {
  // Benign phrases become a gap ("  ") so the words around them cannot join into a match.
  const normalised = benign.reduce((t, pattern) => t.replace(pattern, "  "), normalise(text));
  const categories = new Set<ScreeningCategory>();
  for (const set of compiled) {
    if (!categories.has(set.category) && set.patterns.some((p) => p.test(normalised))) categories.add(set.category);
  }
  return { needsSupport: categories.size > 0, categories: [...categories] };
}
