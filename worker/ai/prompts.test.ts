import { describe, expect, it } from "vitest";
import { who5 } from "../../drizzle/seed/who-5.ts";
import { miniIpip } from "../../drizzle/seed/mini-ipip.ts";
import {
  analysisPrompt,
  CHAT_CONTEXT_CHARS,
  CHAT_HISTORY_MESSAGES,
  chatPrompt,
  pastResult,
  scoredScales,
  TREND_CONTEXT_RESULTS,
  withCare,
  type ChatMessage,
} from "./prompts.ts";
import { supportResources } from "../support/resources.ts";

const who5Result = {
  title: who5.title,
  description: who5.description,
  scales: scoredScales(who5.questions, who5.scales, { wellbeing: 64 }),
};

describe("prompts", () => {
  it("gives every prompt a coach persona that never gives medical advice", () => {
    for (const prompt of [analysisPrompt(who5Result), chatPrompt([{ role: "user", content: "hi" }])]) {
      expect(prompt.system).toMatch(/never give medical/i);
      expect(prompt.system).toMatch(/professional/i);
    }
  });

  it("reads each score against its scale's range", () => {
    expect(scoredScales(who5.questions, who5.scales, { wellbeing: 64 })).toEqual([
      expect.objectContaining({ name: "Well-being (0-100)", score: 64, min: 0, max: 100 }),
    ]);
    const ipip = scoredScales(miniIpip.questions, miniIpip.scales, Object.fromEntries(miniIpip.scales.map((s) => [s.id, 3.5])));
    expect(ipip).toHaveLength(5);
    for (const scale of ipip) expect([scale.min, scale.max]).toEqual([1, 5]);
  });

  it("asks for an analysis from the scores and what the instrument measures", () => {
    const text = analysisPrompt(who5Result).turns[0]?.text ?? "";
    expect(text).toContain("WHO-5 Well-Being Index");
    expect(text).toContain("Well-being (0-100): 64 on a 0–100 scale");
    expect(text).toContain("28 or below");
  });

  it("keeps the last messages within the bounds, alternating and ending with the user", () => {
    const history: ChatMessage[] = Array.from({ length: 50 }, (_, i) => ({
      role: i % 2 === 0 ? "user" : "assistant",
      content: `message ${i} ${"x".repeat(3_000)}`,
    }));
    history.push({ role: "user", content: "latest" });
    const { turns } = chatPrompt(history);
    const chars = turns.reduce((sum, t) => sum + t.text.length, 0);
    expect(turns.length).toBeLessThanOrEqual(CHAT_HISTORY_MESSAGES);
    expect(chars).toBeLessThanOrEqual(CHAT_CONTEXT_CHARS + 100);
    expect(turns[0]?.role).toBe("user");
    expect(turns.at(-1)).toEqual({ role: "user", text: "latest" });
    turns.forEach((t, i) => i > 0 && expect(t.role).not.toBe(turns[i - 1]?.role));
  });

  it("merges consecutive user messages (after a failed reply)", () => {
    const { turns } = chatPrompt([
      { role: "user", content: "first" },
      { role: "user", content: "second" },
    ]);
    expect(turns).toEqual([{ role: "user", text: "first\n\nsecond" }]);
  });

  it("gives a linked conversation the assessment's scores", () => {
    const { system } = chatPrompt([{ role: "user", content: "what does my score mean?" }], who5Result);
    expect(system).toContain("Well-being (0-100): 64");
  });

  it("gives the analysis the previous result of the same instrument: its day and scores", () => {
    const previous = pastResult(who5.scales, new Date("2026-11-03T09:30:00Z"), { wellbeing: 52, unknown: 9 });
    const text = analysisPrompt(who5Result, previous).turns[0]?.text ?? "";
    expect(text).toContain("My previous result on this questionnaire, on 2026-11-03:\n- Well-being (0-100): 52");
    expect(text).not.toContain("unknown");
    expect(analysisPrompt(who5Result).turns[0]?.text).not.toContain("previous result");
  });

  it("gives a linked conversation the trend, at most the latest TREND_CONTEXT_RESULTS results", () => {
    const trend = Array.from({ length: 15 }, (_, i) => pastResult(who5.scales, new Date(Date.UTC(2026, 0, i + 1)), { wellbeing: 40 + i }));
    const { system } = chatPrompt([{ role: "user", content: "am I improving?" }], who5Result, trend);
    const lines = system.split("\n").filter((line) => /^- 2026-01-\d\d: Well-being/.test(line));
    expect(lines).toHaveLength(TREND_CONTEXT_RESULTS);
    expect(lines[0]).toBe(`- 2026-01-06: Well-being (0-100) 45`);
    expect(lines.at(-1)).toBe(`- 2026-01-15: Well-being (0-100) 54`);
    expect(chatPrompt([{ role: "user", content: "hi" }], undefined, trend).system).not.toContain("over time");
  });
});

describe("withCare", () => {
  it("adds the care instruction and every support contact to the system prompt, and changes nothing else", () => {
    const prompt = chatPrompt([{ role: "user", content: "I can't go on like this" }]);
    const cared = withCare(prompt, "message");
    expect(cared.turns).toEqual(prompt.turns);
    expect(cared.system.startsWith(prompt.system)).toBe(true);
    expect(cared.system).toContain("IMPORTANT — respond with care.");
    expect(cared.system).toMatch(/screened as a possible crisis/);
    for (const item of supportResources) if (item.phone) expect(cared.system).toContain(`call ${item.phone}`);
    expect(withCare(analysisPrompt(who5Result), "result").system).toMatch(/at or below the instrument's threshold/);
  });
});
