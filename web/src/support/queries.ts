/** The support contacts (public reference data): fetched once per page load, kept for the session. */
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../api/client.ts";

export function useSupportResources() {
  return useQuery({
    queryKey: ["support-resources"],
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/support-resources", { signal })),
    staleTime: Infinity,
  });
}
