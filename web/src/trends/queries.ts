/** Server state for trends (TanStack Query). */
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../api/client.ts";

export const trendKeys = {
  all: ["trends"] as const,
  of: (slug: string) => ["trends", slug] as const,
};

/** The caller's trend on one instrument; revalidated (cheaply, by ETag) whenever a screen shows it. */
export function useTrend(slug: string | undefined) {
  return useQuery({
    queryKey: trendKeys.of(slug ?? ""),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/me/trends", { params: { query: { template: slug ?? "" } }, signal })),
    enabled: slug !== undefined,
  });
}
