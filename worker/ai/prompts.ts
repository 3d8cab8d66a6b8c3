/**
 * Every word Assay sends to the model: the coach persona, the analysis of an assessment's scores and
 * the chat turns. Context is bounded (message count and characters) so a long conversation never
 * grows a prompt without limit.
 */
import { scaleRange } from "../assessments/scoring.ts";
import type { StoredQuestion, StoredScale } from "../db/schema.ts";
import { describeResources } from "../support/resources.ts";

export interface AiPrompt {
  system: string;
  /** Alternating turns, starting and ending with the user. */
  turns: { role: "user" | "model"; text: string }[];
  maxOutputTokens: number;
  temperature: number;
}

/** The chat sees at most this many earlier messages, and at most this many characters of them. */
export const CHAT_HISTORY_MESSAGES = 20;
export const CHAT_CONTEXT_CHARS = 24_000;
const MAX_MESSAGE_CHARS = 4_000;

const PERSONA = [
  "You are Assay's coach: warm, direct and practical. You help people understand their questionnaire",
  "results and turn them into small, concrete next steps.",
  "You are not a clinician. Never diagnose, never give medical, psychiatric or medication advice, and",
  "never present a questionnaire score as a diagnosis: these instruments describe tendencies and recent",
  "experience, not fixed truths. When someone mentions self-harm, a crisis, or symptoms that need care,",
  "kindly encourage them to contact a health professional or local emergency services.",
  "Write plain language in short paragraphs, in the language the person writes in. No tables.",
].join(" ");

export interface ScoredScale {
  name: string;
  description?: string;
  score: number;
  min: number;
  max: number;
}

export interface InstrumentResult {
  title: string;
  description: string;
  scales: ScoredScale[];
}

/** Each scored scale with the range its score can take, so the model can read it in context. */
export function scoredScales(questions: StoredQuestion[], scales: StoredScale[], scores: Record<string, number>): ScoredScale[] {
  return scales.flatMap((scale) => {
    const score = scores[scale.id];
    if (score === undefined) return [];
    return [{ name: scale.name, ...(scale.description ? { description: scale.description } : {}), score, ...scaleRange(questions, scale) }];
  });
}

const round = (n: number) => Math.round(n * 100) / 100;

/** A completed result of the same instrument: when, and the score per scale — nothing else. */
export interface PastResult {
  completedAt: Date;
  scores: { name: string; score: number }[];
}

/** A linked chat sees at most this many of the person's results of the instrument (the latest). */
export const TREND_CONTEXT_RESULTS = 10;

/** `scores` by scale id, named by `scales` (scores of scales that version does not have are left out). */
export function pastResult(scales: StoredScale[], completedAt: Date, scores: Record<string, number>): PastResult {
  return { completedAt, scores: scales.flatMap((s) => (scores[s.id] === undefined ? [] : [{ name: s.name, score: scores[s.id] ?? 0 }])) };
}

const dayOf = (date: Date) => date.toISOString().slice(0, 10);

function describeResult(result: InstrumentResult): string {
  const lines = result.scales.map((s) => {
    const meaning = s.description ? ` (${s.description})` : "";
    return `- ${s.name}: ${round(s.score)} on a ${round(s.min)}–${round(s.max)} scale${meaning}`;
  });
  return [`Instrument: ${result.title}. ${result.description}`, "Scores:", ...lines].join("\n");
}

/** The analysis written when an assessment is submitted; `previous` is the person's last result of the same instrument. */
export function analysisPrompt(result: InstrumentResult, previous?: PastResult): AiPrompt {
  const earlier = previous
    ? ["", `My previous result on this questionnaire, on ${dayOf(previous.completedAt)}:`, ...previous.scores.map((s) => `- ${s.name}: ${round(s.score)}`)]
    : [];
  const compare = previous ? ["Say briefly how my scores changed since my previous result, without over-reading small differences."] : [];
  return {
    system: PERSONA,
    turns: [
      {
        role: "user",
        text: [
          "I just completed a questionnaire. Here are my results:",
          describeResult(result),
          ...earlier,
          "",
          "Explain what these scores suggest about me in 3 to 5 short paragraphs: what stands out, how the",
          "scales relate to each other, and two or three small, practical things I could try. Keep in mind",
          "what the instrument measures and its limits.",
          ...compare,
        ].join("\n"),
      },
    ],
    maxOutputTokens: 1_024,
    temperature: 0.7,
  };
}

export interface ChatMessage {
  role: "user" | "assistant";
  content: string;
}

/**
 * The chat turns: the latest messages that fit the bounds (oldest dropped first), merged so user
 * and model alternate, ending with the user's newest message.
 */
export function chatPrompt(history: ChatMessage[], linked?: InstrumentResult, trend: PastResult[] = []): AiPrompt {
  const recent = history.slice(-CHAT_HISTORY_MESSAGES).map((m) => ({
    role: m.role === "assistant" ? ("model" as const) : ("user" as const),
    text: m.content.slice(0, MAX_MESSAGE_CHARS),
  }));
  let chars = 0;
  let start = recent.length;
  while (start > 0) {
    const next = recent[start - 1];
    if (!next || (chars + next.text.length > CHAT_CONTEXT_CHARS && start < recent.length)) break;
    chars += next.text.length;
    start -= 1;
  }
  const turns: AiPrompt["turns"] = [];
  for (const turn of recent.slice(start)) {
    const last = turns.at(-1);
    if (last && last.role === turn.role) last.text += `\n\n${turn.text}`;
    else if (turns.length > 0 || turn.role === "user") turns.push({ ...turn });
  }
  const results = trend.slice(-TREND_CONTEXT_RESULTS);
  const resultsOverTime =
    linked && results.length > 1
      ? `\nTheir results on this questionnaire over time, oldest first:\n${results.map((r) => `- ${dayOf(r.completedAt)}: ${r.scores.map((s) => `${s.name} ${round(s.score)}`).join(", ")}`).join("\n")}`
      : "";
  const context = linked
    ? `\n\nThis conversation is about the person's results:\n${describeResult(linked)}${resultsOverTime}`
    : "";
  return { system: PERSONA + context, turns, maxOutputTokens: 800, temperature: 0.8 };
}

// ── Care (docs/SUPPORT.md) ──────────────────────────────────────────────────────────────────────

/** Why a turn needs care: the person's message was screened, or their result is at a support threshold. */
export type CareReason = "message" | "result";

const CARE_REASONS: Record<CareReason, string> = {
  message: "The person's latest message was screened as a possible crisis (suicide, self-harm or harming someone).",
  result: "This result is at or below the instrument's threshold where talking to a professional is recommended.",
};

/**
 * The same prompt with an instruction to respond with care and the support contacts the app ships
 * (the only ones the model may name). Added for the turn that needs it, never for the whole chat.
 */
export function withCare(prompt: AiPrompt, reason: CareReason): AiPrompt {
  const care = [
    "",
    "",
    "IMPORTANT — respond with care.",
    CARE_REASONS[reason],
    "Respond with warmth and without judgement. Take what they wrote seriously, thank them for sharing it, and",
    "do not argue, lecture or minimise. Say clearly that support is available now, and point them to the",
    "contacts below that fit their country or language (the app also shows them on screen); if someone may be",
    "in immediate danger, urge them to call their local emergency number. Do not give instructions or details",
    "about methods of harm. Keep it short and human, and invite them to keep talking.",
    "Support contacts (use only these; do not invent numbers):",
    describeResources(),
  ].join("\n");
  return { ...prompt, system: prompt.system + care };
}
