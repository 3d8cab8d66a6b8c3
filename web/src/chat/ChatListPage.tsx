import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../api/client.ts";
import { Link, navigate } from "../app/router.tsx";
import { Button } from "../ui/Button.tsx";
import { ErrorView } from "../ui/ErrorView.tsx";
import { FormError } from "../ui/FormError.tsx";
import { Loading } from "../ui/Loading.tsx";
import { PageHeading } from "../ui/PageHeading.tsx";
import { formatDateTime } from "../ui/dates.ts";
import { chatKeys, useConversations } from "./queries.ts";

export function ChatListPage() {
  const conversations = useConversations();
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/conversations", { body: { title: "New conversation" } })),
    onSuccess: (conversation) => {
      queryClient.setQueryData(chatKeys.detail(conversation.id), conversation);
      void queryClient.invalidateQueries({ queryKey: chatKeys.list });
      navigate(`/chat/${conversation.id}`);
    },
  });
  return (
    <div className="space-y-6 py-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <PageHeading title="Coach">Your conversations</PageHeading>
        <Button busy={create.isPending} onClick={() => create.mutate()}>
          New conversation
        </Button>
      </div>
      <FormError error={create.error} />
      {conversations.isPending && <Loading label="Loading conversations…" />}
      {conversations.isError && <ErrorView error={conversations.error} retry={() => void conversations.refetch()} />}
      {conversations.data && conversations.data.items.length === 0 && (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-slate-700">
          No conversations yet. Start one here, or from an assessment's results so the coach can see your scores.
        </p>
      )}
      {conversations.data && conversations.data.items.length > 0 && (
        <ul className="divide-y divide-slate-200 rounded-xl bg-white ring-1 ring-slate-200">
          {conversations.data.items.map((c) => (
            <li key={c.id}>
              <Link to={`/chat/${c.id}`} className="flex flex-wrap items-center justify-between gap-2 px-4 py-4 hover:bg-slate-50 sm:px-6">
                <span className="font-semibold text-brand-800">{c.title}</span>
                <span className="text-sm text-slate-600">
                  {c.assessmentId && <span className="mr-2 rounded-full bg-brand-50 px-2 py-0.5 text-xs font-medium text-brand-900">Linked to results</span>}
                  {formatDateTime(c.lastMessageAt ?? c.createdAt)}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
