/**
 * Cloudflare Turnstile's server-side check (siteverify): is this token a fresh answer from our
 * sign-up widget? TURNSTILE_VERIFY_URL points at Cloudflare, or at the local stand-in
 * (local/turnstile/) in development and tests, which honours Cloudflare's test secrets.
 */
import type { Config } from "../config.ts";
import { DependencyError } from "../errors.ts";

/** Siteverify's answer, as Cloudflare documents it (the fields we read). */
export interface TurnstileOutcome {
  success: boolean;
  /** e.g. `invalid-input-response`, `timeout-or-duplicate`, `missing-input-secret` */
  errorCodes: string[];
}

const TIMEOUT_MS = 5_000;

/**
 * Verifies a widget token. A check that cannot be made (unreachable, an answer that is not
 * siteverify's) throws a DependencyError: sign-up answers 503 rather than letting a bot through.
 *
 * @example
 * const outcome = await verifyTurnstile(config, body.turnstileToken, clientIp(c));
 * if (!outcome.success) throw new ApiError("validation_failed", ...);
 */
export async function verifyTurnstile(config: Config, token: string, remoteIp: string | undefined): Promise<TurnstileOutcome> {
  const form = new URLSearchParams({ secret: config.TURNSTILE_SECRET_KEY ?? "", response: token });
  if (remoteIp) form.set("remoteip", remoteIp);
  let body: unknown;
  try {
    const response = await fetch(config.TURNSTILE_VERIFY_URL, { method: "POST", body: form, signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!response.ok) throw new Error(`siteverify answered ${response.status}`);
    body = await response.json();
  } catch (cause) {
    throw new DependencyError("bot check", "Turnstile siteverify unavailable", { cause });
  }
  if (!body || typeof body !== "object" || !("success" in body) || typeof body.success !== "boolean") {
    throw new DependencyError("bot check", "Turnstile siteverify answered something else");
  }
  const codes = "error-codes" in body && Array.isArray(body["error-codes"]) ? body["error-codes"] : [];
  return { success: body.success, errorCodes: codes.filter((code): code is string => typeof code === "string") };
}
