/**
 * App-wide notices that outlive the request that caused them: the AI quota banner (until its
 * reset time) and the connection state. Screens show their own errors; these show everywhere.
 */
import { useSyncExternalStore } from "react";
import { isApiError } from "../api/errors.ts";

let quotaResetAt: number | null = null;
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Called for every failed query and mutation; remembers when the AI quota comes back. */
export function reportError(err: unknown): void {
  if (!isApiError(err, "ai_quota_exhausted")) return;
  const until = err.retryAt?.getTime() ?? Date.now() + 60 * 60 * 1000;
  if (quotaResetAt === until) return;
  quotaResetAt = until;
  listeners.forEach((listener) => listener());
}

/** AI work was accepted again: the quota is back before its announced reset. */
export function reportAiAccepted(): void {
  if (quotaResetAt === null) return;
  quotaResetAt = null;
  listeners.forEach((listener) => listener());
}

/** When the AI quota resets, once a request met it spent (the banner hides itself after). */
export function useQuotaResetAt(): number | null {
  return useSyncExternalStore(subscribe, () => quotaResetAt);
}

function subscribeOnline(listener: () => void): () => void {
  window.addEventListener("online", listener);
  window.addEventListener("offline", listener);
  return () => {
    window.removeEventListener("online", listener);
    window.removeEventListener("offline", listener);
  };
}

export function useOnline(): boolean {
  return useSyncExternalStore(subscribeOnline, () => navigator.onLine, () => true);
}
