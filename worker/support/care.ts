/**
 * The fixed reply a job ends with when the model's safety filters blocked the prompt or cut the
 * answer: the person still gets a caring answer that points to support, never an error or a retry
 * loop (docs/SUPPORT.md).
 */
import type { JobRow } from "../jobs/service.ts";

const CHAT_REPLY = [
  "I'm not able to answer this one myself, but I don't want to leave you without support.",
  "If you are going through something difficult, you don't have to face it alone: the support contacts shown",
  "on this page are free and confidential, and you can find a helpline in your country at https://findahelpline.com.",
  "If you or someone else is in immediate danger, please call your local emergency number now (112 in Europe,",
  "911 in North America, 999 in the UK, 000 in Australia).",
  "I'm here to keep talking whenever you want.",
].join(" ");

const ANALYSIS = [
  "We couldn't write an analysis of these results this time. Your scores above are complete.",
  "If you are finding things hard at the moment, talking to someone can help: the support contacts on this page",
  "are free and confidential, and https://findahelpline.com lists helplines in your country. If you or someone",
  "else is in immediate danger, call your local emergency number.",
].join(" ");

/** What the job writes instead of the model's answer when it was blocked for safety. */
export function safetyBlockedReply(kind: JobRow["kind"]): string {
  return kind === "chat_reply" ? CHAT_REPLY : ANALYSIS;
}
