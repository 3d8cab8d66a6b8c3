/** Server state for templates and assessments (TanStack Query keys and hooks). */
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../api/client.ts";

export const assessmentKeys = {
  templates: ["templates"] as const,
  template: (slug: string, version?: number) => ["templates", slug, version ?? "current"] as const,
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

/** A template; with `version`, that immutable version (the one an assessment is pinned to). */
export function useTemplate(slug: string | undefined, version?: number) {
  return useQuery({
    queryKey: assessmentKeys.template(slug ?? "", version),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/templates/{slug}", { params: { path: { slug: slug ?? "" }, query: { version } }, signal })),
    enabled: slug !== undefined,
    staleTime: version === undefined ? 5 * 60_000 : Infinity,
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
