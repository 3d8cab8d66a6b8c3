/**
 * Every failure a request can end in, as one error type the screens know how to show: the API's
 * error body (API.md, "Errors"), its `Retry-After`, and the failures that never reach the API
 * (offline, a dropped connection).
 */

export interface ErrorDetail {
  path: string;
  message: string;
}

/** The contract's codes plus `network` (no response at all) and `unknown` (a body that is not the contract's). */
export type ErrorCode =
  | "invalid_json"
  | "validation_failed"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "ai_quota_exhausted"
  | "unavailable"
  | "internal"
  | "network"
  | "unknown";

const knownCodes = new Set<string>([
  "invalid_json",
  "validation_failed",
  "unauthorized",
  "forbidden",
  "not_found",
  "conflict",
  "payload_too_large",
  "unsupported_media_type",
  "rate_limited",
  "ai_quota_exhausted",
  "unavailable",
  "internal",
]);

export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];
  /** Seconds to wait, from `Retry-After`; null when the server did not say. */
  readonly retryAfter: number | null;
  readonly requestId: string | null;
  /** When the wait is over (now + Retry-After), for countdowns and the quota banner. */
  readonly retryAt: Date | null;

  constructor(init: {
    status: number;
    code: ErrorCode;
    message: string;
    details?: ErrorDetail[];
    retryAfter?: number | null;
    requestId?: string | null;
    now?: number;
  }) {
    super(init.message);
    this.name = "ApiRequestError";
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? [];
    this.retryAfter = init.retryAfter ?? null;
    this.requestId = init.requestId ?? null;
    this.retryAt = this.retryAfter === null ? null : new Date((init.now ?? Date.now()) + this.retryAfter * 1000);
  }
}

/** `Retry-After` is either delta-seconds or an HTTP date; both become seconds from `now`. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === "") return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readDetails(value: unknown): ErrorDetail[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((d: unknown) =>
    isRecord(d) && typeof d.path === "string" && typeof d.message === "string" ? [{ path: d.path, message: d.message }] : [],
  );
}

/** Builds the error from a non-2xx response and its already-parsed body (anything, even nothing). */
export function errorFromResponse(response: Pick<Response, "status" | "headers">, body: unknown, now = Date.now()): ApiRequestError {
  const retryAfter = parseRetryAfter(response.headers.get("Retry-After"), now);
  const error = isRecord(body) && isRecord(body.error) ? body.error : null;
  const code = error && typeof error.code === "string" && knownCodes.has(error.code) ? (error.code as ErrorCode) : "unknown";
  return new ApiRequestError({
    status: response.status,
    code,
    message: error && typeof error.message === "string" ? error.message : `The server answered ${response.status}`,
    details: error ? readDetails(error.details) : [],
    retryAfter,
    requestId: (error && typeof error.requestId === "string" ? error.requestId : null) ?? response.headers.get("X-Request-Id"),
    now,
  });
}

/** fetch() rejects only when no response arrived: offline, DNS, a dropped connection. */
export function networkError(cause: unknown): ApiRequestError {
  if (cause instanceof ApiRequestError) return cause;
  const offline = typeof navigator !== "undefined" && navigator.onLine === false;
  return new ApiRequestError({
    status: 0,
    code: "network",
    message: offline ? "You are offline." : "Could not reach Assay. Check your connection and try again.",
  });
}

export function isApiError(err: unknown, code?: ErrorCode): err is ApiRequestError {
  return err instanceof ApiRequestError && (code === undefined || err.code === code);
}

/** "45 seconds", "3 minutes", "2 hours 5 minutes". */
export function formatWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (s < 60) return plural(s, "second");
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return plural(minutes, "minute");
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? plural(hours, "hour") : `${plural(hours, "hour")} ${plural(rest, "minute")}`;
}

export interface ErrorCopy {
  title: string;
  message: string;
}

/** What a person reads for an error: plain words, the wait when there is one, never internals. */
export function describeError(err: unknown, now = Date.now()): ErrorCopy {
  if (!(err instanceof ApiRequestError)) {
    return { title: "Something went wrong", message: "An unexpected error happened. Reload the page and try again." };
  }
  const wait = err.retryAt ? formatWait((err.retryAt.getTime() - now) / 1000) : null;
  switch (err.code) {
    case "network":
      return { title: "You're offline", message: err.message };
    case "rate_limited":
      return {
        title: "Too many requests",
        message: wait ? `Please wait ${wait} before trying again.` : "Please wait a moment before trying again.",
      };
    case "ai_quota_exhausted":
      return {
        title: "The AI is resting",
        message: err.retryAt
          ? `Today's AI quota is spent. It resets at ${formatClock(err.retryAt)} (in ${wait}).`
          : "Today's AI quota is spent. Try again later.",
      };
    case "not_found":
      return { title: "Not found", message: "This page doesn't exist, or it belongs to someone else." };
    case "unauthorized":
      return { title: "Signed out", message: err.message || "Please sign in again." };
    case "forbidden":
      return { title: "Not allowed", message: "Your account can't do this." };
    case "conflict":
      return { title: "That can't be done now", message: err.message };
    case "validation_failed":
      return { title: "Check what you entered", message: err.details[0]?.message ?? err.message };
    case "payload_too_large":
      return { title: "Too large", message: "That is more than Assay accepts in one go (64 KiB)." };
    case "unavailable":
      return {
        title: "Assay is briefly unavailable",
        message: wait ? `Part of the service is down. Try again in ${wait}.` : "Part of the service is down. Try again shortly.",
      };
    default:
      return {
        title: "Something went wrong",
        message: err.requestId ? `Try again. If it keeps happening, quote request id ${err.requestId}.` : "Try again in a moment.",
      };
  }
}

export function formatClock(date: Date): string {
  return date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

/**
 * Splits validation details into messages for the form's own fields (by the last path segment
 * that names a field, so `email` and `body.email` both land beside the email input) and the rest.
 */
export function fieldErrors<F extends string>(
  details: readonly ErrorDetail[],
  fields: readonly F[],
): { byField: Partial<Record<F, string>>; other: string[] } {
  const known = new Set<string>(fields);
  const byField: Partial<Record<F, string>> = {};
  const other: string[] = [];
  for (const detail of details) {
    const segments = detail.path.split(".").filter(Boolean);
    const field = segments.find((s) => known.has(s)) as F | undefined;
    if (field !== undefined && byField[field] === undefined) byField[field] = detail.message;
    else if (field === undefined) other.push(detail.path ? `${detail.path}: ${detail.message}` : detail.message);
  }
  return { byField, other };
}
