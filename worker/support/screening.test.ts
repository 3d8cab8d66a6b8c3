import { describe, expect, it } from "vitest";
import { normalise, screenMessage } from "./screening.ts";

describe("normalise", () => {
  it("folds case, accents, apostrophes, punctuation, full-width letters and invisible characters", () => {
    expect(normalise("I DON’T want to  live!!")).toBe(" i dont want to live ");
    expect(normalise("Ｋｉｌｌ　ｍｙｓｅｌｆ")).toBe(" kill myself ");
    expect(normalise("kill\u200Bmy\u00ADself")).toBe(" killmyself ");
    expect(normalise("Ich möchte STERBEN, ß")).toBe(" ich mochte sterben ss ");
    expect(normalise("j'ai envie de mourir…")).toBe(" jai envie de mourir ");
    expect(normalise("hacerme daño")).toBe(" hacerme dano ");
  });
});

describe("screenMessage: flags possible crises", () => {
  const flagged: [string, string, string][] = [
    ["en", "suicide", "I don't want to be alive anymore"],
    ["en", "suicide", "Sometimes I think everyone would be better off without me."],
    ["en", "suicide", "I want to KILL MYSELF"],
    ["en", "suicide", "i’ve been having suicidal thoughts"],
    ["en", "suicide", "I keep thinking about ending my life"],
    ["en", "suicide", "honestly there's no reason to live"],
    ["en", "suicide", "I can't go on like this"],
    ["en", "suicide", "I want to end it all."],
    ["en", "self_harm", "I started cutting myself again"],
    ["en", "self_harm", "how do I stop self-harming"],
    ["en", "harm_to_others", "I'm going to hurt my boss tomorrow"],
    ["en", "harm_to_others", "I want to kill someone"],
    ["de", "suicide", "Ich will nicht mehr leben."],
    ["de", "suicide", "Ich denke daran, mich umzubringen, nein: mich umbringen"],
    ["de", "suicide", "Ich habe Suizidgedanken"],
    ["de", "self_harm", "Ich ritze mich wieder"],
    ["fr", "suicide", "Je veux en finir avec la vie"],
    ["fr", "suicide", "Je n'ai plus envie de vivre"],
    ["fr", "self_harm", "j'ai envie de me faire du mal"],
    ["es", "suicide", "Ya no quiero vivir"],
    ["es", "suicide", "A veces pienso en quitarme la vida"],
    ["es", "self_harm", "Quiero hacerme daño"],
  ];
  it.each(flagged)("[%s] %s: %s", (_language, category, text) => {
    const screening = screenMessage(text);
    expect(screening.needsSupport).toBe(true);
    expect(screening.categories).toContain(category);
  });

  it("sees through spacing, symbols and look-alike letters", () => {
    for (const text of ["kill   my-self", "K.I.L.L myself", "ｓｕｉｃｉｄａｌ", "I don`t want to live"]) {
      expect(screenMessage(text).needsSupport, text).toBe(true);
    }
  });
});

describe("screenMessage: leaves everyday language alone", () => {
  const ordinary = [
    "What is one small thing I could do this week to feel more rested?",
    "This deadline is killing me",
    "I'm killing it at work lately!",
    "I could kill for a coffee right now",
    "I was killing myself laughing at that show",
    "I nearly died laughing",
    "I'm dying to try the new climbing gym",
    "My phone battery is dead again",
    "We watched Suicide Squad last night",
    "How do I kill a process on Linux?",
    "I'm taking my life back one step at a time",
    "I'm going to die of embarrassment if he sees this",
    "Das bringt mich um vor Langeweile",
    "Ich sterbe vor Lachen",
    "Je meurs de faim",
    "On va tuer le temps au café",
    "Me muero de risa",
    "Quiero cortarme el pelo",
    "Voy a matar el tiempo leyendo",
  ];
  it.each(ordinary)("%s", (text) => {
    expect(screenMessage(text)).toEqual({ needsSupport: false, categories: [] });
  });

  it("does not match across word boundaries", () => {
    expect(screenMessage("the skill myself is weird").needsSupport).toBe(false);
    expect(screenMessage("overdosed on sunshine").needsSupport).toBe(false);
  });
});
