/**
 * The fixed caring replies written without the model (docs/SUPPORT.md): when the model's safety
 * filters blocked the prompt or cut the answer, and when a message screened as a possible crisis
 * arrives after the person's AI limits or the day's AI budget are spent. Either way the person
 * gets a caring answer that points to support, never an error, a quota banner or a retry loop.
 */
import type { Services } from "../context.ts";
import { DependencyError } from "../errors.ts";
import type { JobRow } from "../jobs/service.ts";
import { checkLimits } from "../platform/limits.ts";
import { errorFields } from "../platform/log.ts";

const SUPPORT = [
  "If you are going through something difficult, you don't have to face it alone: the support contacts shown",
  "on this page are free and confidential, and you can find a helpline in your country at https://findahelpline.com.",
  "If you or someone else is in immediate danger, please call your local emergency number now (112 in Europe,",
  "911 in North America, 999 in the UK, 000 in Australia).",
].join(" ");

const CHAT_REPLY = [
  "I'm not able to answer this one myself, but I don't want to leave you without support.",
  SUPPORT,
  "I'm here to keep talking whenever you want.",
].join(" ");

/** The chat variant for a flagged message the AI limits or budget refused: no model call was made. */
const CHAT_REPLY_WITHOUT_MODEL = [
  "I can't write you a full reply right now, but I don't want to leave you without support.",
  SUPPORT,
  "You can write to me again later; I'll be here.",
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

/** The reply a flagged chat message gets at once when only an AI limit or the AI budget refused it. */
export function careReplyWithoutModel(): string {
  return CHAT_REPLY_WITHOUT_MODEL;
}

/**
 * Counts one caring reply without the model for `userId` (`support.care.user`): whether another is
 * allowed this hour. Past it the quota's 429 stands, so flagged messages cannot write rows without
 * bound. Fails open: when Upstash cannot answer, the person is answered.
 */
export async function mayAnswerWithoutModel(services: Services, userId: string): Promise<boolean> {
  try {
    return (await checkLimits(services, [{ policy: "support.care.user", identifier: userId }])).allowed;
  } catch (err) {
    if (!(err instanceof DependencyError)) throw err;
    services.logger.warn("rate limiter unavailable: failing open", { policy: "support.care.user", ...errorFields(err) });
    return true;
  }
}
