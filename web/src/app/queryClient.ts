/** The query cache: no retries for answers the server meant (4xx), a couple for flaky networks and 5xx. */
import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { ApiRequestError } from "../api/errors.ts";
import { reportAiAccepted, reportError } from "./notices.ts";

export function shouldRetry(failureCount: number, err: unknown): boolean {
  if (failureCount >= 2) return false;
  if (!(err instanceof ApiRequestError)) return false;
  return err.code === "network" || err.status >= 500;
}

/**
 * A flagged chat message the spent quota would have refused comes back with its job already
 * `succeeded` (the caring reply, no model call: docs/SUPPORT.md): it says nothing about the quota.
 */
export function answeredWithoutModel(data: unknown): boolean {
  const job = typeof data === "object" && data !== null && "job" in data ? data.job : undefined;
  return typeof job === "object" && job !== null && "status" in job && job.status === "succeeded";
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({ onError: reportError }),
    mutationCache: new MutationCache({
      onError: reportError,
      // Mutations that start AI work say so (meta.ai); their success means the quota is back.
      onSuccess: (data, _variables, _context, mutation) => {
        if (mutation.meta?.ai && !answeredWithoutModel(data)) reportAiAccepted();
      },
    }),
    defaultOptions: {
      queries: { retry: shouldRetry, staleTime: 30_000, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}
