import { describe, expect, it } from "vitest";
import { who5 } from "../../drizzle/seed/who-5.ts";
import { miniIpip } from "../../drizzle/seed/mini-ipip.ts";
import { analysisPrompt, CHAT_CONTEXT_CHARS, CHAT_HISTORY_MESSAGES, chatPrompt, scoredScales, withCare, type ChatMessage } from "./prompts.ts";
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
