/** Server state for templates and assessments (TanStack Query keys and hooks). */
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../api/client.ts";

export const assessmentKeys = {
  templates: ["templates"] as const,
  template: (slug: string) => ["templates", slug] as const,
  list: ["assessments", "list"] as const,
  detail: (id: string) => ["assessments", "detail", id] as const,
};

export function useTemplates() {
  return useQuery({
    queryKey: assessmentKeys.templates,
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/templates", { signal })),
    staleTime: 5 * 60_000,
  });
}

export function useTemplate(slug: string | undefined) {
  return useQuery({
    queryKey: assessmentKeys.template(slug ?? ""),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/templates/{slug}", { params: { path: { slug: slug ?? "" } }, signal })),
    enabled: slug !== undefined,
    staleTime: 5 * 60_000,
  });
}

export function useAssessments() {
  return useInfiniteQuery({
    queryKey: assessmentKeys.list,
    queryFn: ({ pageParam, signal }) =>
      unwrap(api.GET("/api/v1/assessments", { params: { query: { limit: 20, ...(pageParam ? { cursor: pageParam } : {}) } }, signal })),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
}

/** `pollMs`: re-read while the analysis is being written (a safety net beside the job's events). */
export function useAssessment(id: string, options: { pollMs?: number } = {}) {
  return useQuery({
    queryKey: assessmentKeys.detail(id),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/assessments/{id}", { params: { path: { id } }, signal })),
    refetchInterval: (query) => (options.pollMs && query.state.data?.status === "analyzing" ? options.pollMs : false),
  });
}
