/** Server state for conversations and their messages. */
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../api/client.ts";
import type { Message, ResponseBody } from "../api/types.ts";

export const chatKeys = {
  list: ["conversations", "list"] as const,
  detail: (id: string) => ["conversations", "detail", id] as const,
  messages: (id: string) => ["conversations", "messages", id] as const,
};

export function useConversations() {
  return useQuery({
    queryKey: chatKeys.list,
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/conversations", { params: { query: { limit: 50 } }, signal })),
  });
}

export function useConversation(id: string) {
  return useQuery({
    queryKey: chatKeys.detail(id),
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/conversations/{id}", { params: { path: { id } }, signal })),
  });
}

/** Most conversations fit in one page; longer ones are read to the end, oldest first. */
const MAX_PAGES = 10;

export function useMessages(id: string) {
  return useQuery({
    queryKey: chatKeys.messages(id),
    queryFn: async ({ signal }) => {
      const messages: Message[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < MAX_PAGES; page++) {
        const result: ResponseBody<"/api/v1/conversations/{id}/messages", "get", 200> = await unwrap(
          api.GET("/api/v1/conversations/{id}/messages", {
            params: { path: { id }, query: { limit: 100, ...(cursor ? { cursor } : {}) } },
            signal,
          }),
        );
        messages.push(...result.items);
        cursor = result.nextCursor;
        if (!cursor) break;
      }
      return messages;
    },
    // A reply still being written when the page opened has no job id here: poll until it lands.
    refetchInterval: (query) => (query.state.data?.some((m) => m.status === "pending") ? 2500 : false),
  });
}
