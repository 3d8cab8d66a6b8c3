import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { useForm, useWatch } from "react-hook-form";
import { api, unwrap } from "../api/client.ts";
import { describeError, isApiError } from "../api/errors.ts";
import type { Message } from "../api/types.ts";
import { useJob } from "../api/useJob.ts";
import { Link } from "../app/router.tsx";
import { Prose } from "../assessments/Prose.tsx";
import { Button, ButtonLink } from "../ui/Button.tsx";
import { ErrorView } from "../ui/ErrorView.tsx";
import { Loading } from "../ui/Loading.tsx";
import { SupportPanel } from "../support/SupportPanel.tsx";
import { PageHeading } from "../ui/PageHeading.tsx";
import { MAX_MESSAGE, type MessageValues, messageSchema } from "./forms.ts";
import { chatKeys, useConversation, useMessages } from "./queries.ts";

/** A message this tab sent that the server has not acknowledged (sending, or failed to send). */
interface Outgoing {
  key: string;
  content: string;
  state: "sending" | "failed";
  error?: unknown;
}

function Bubble({ role, children, tone = "normal" }: { role: Message["role"]; children: ReactNode; tone?: "normal" | "failed" }) {
  const mine = role === "user";
  return (
    <li className={`flex ${mine ? "justify-end" : "justify-start"}`}>
      <div
        className={`max-w-[85%] rounded-2xl px-4 py-3 sm:max-w-[75%] ${
          tone === "failed"
            ? "bg-red-50 text-red-950 ring-1 ring-red-300"
            : mine
              ? "rounded-br-sm bg-brand-700 text-white"
              : "rounded-bl-sm bg-white text-slate-900 ring-1 ring-slate-200"
        }`}
      >
        <p className="sr-only">{mine ? "You said:" : "Coach said:"}</p>
        {children}
      </div>
    </li>
  );
}

function PendingReply({ jobId, onDone }: { jobId: string | undefined; onDone: () => void }) {
  const progress = useJob(jobId ?? null, onDone);
  const running = progress.phase === "update" && progress.update.status === "running";
  return (
    <Bubble role="assistant">
      <p className="flex items-center gap-2 text-slate-700" data-testid="pending-reply">
        <span aria-hidden="true" className="flex gap-1">
          <span className="size-2 animate-bounce rounded-full bg-slate-400 [animation-delay:-0.3s]" />
          <span className="size-2 animate-bounce rounded-full bg-slate-400 [animation-delay:-0.15s]" />
          <span className="size-2 animate-bounce rounded-full bg-slate-400" />
        </span>
        {running ? "The coach is writing…" : "The coach will reply in a moment…"}
      </p>
    </Bubble>
  );
}

function newKey(): string {
  return crypto.randomUUID();
}

export function ChatPage({ id }: { id: string }) {
  const queryClient = useQueryClient();
  const conversation = useConversation(id);
  const messages = useMessages(id);
  const [outgoing, setOutgoing] = useState<Outgoing[]>([]);
  /** Reply message id -> the job writing it, for replies this tab asked for. */
  const [jobs, setJobs] = useState<Record<string, string>>({});
  /** A message this tab sent was screened as a possible crisis: show support now, not after the reply. */
  const [needsSupport, setNeedsSupport] = useState(false);
  const endRef = useRef<HTMLLIElement>(null);
  const form = useForm<MessageValues>({ resolver: zodResolver(messageSchema), defaultValues: { content: "" } });
  const length = useWatch({ control: form.control, name: "content" }).length;

  const send = useMutation({
    meta: { ai: true },
    mutationFn: (item: Outgoing) =>
      unwrap(
        api.POST("/api/v1/conversations/{id}/messages", {
          params: { path: { id } },
          body: { content: item.content },
          headers: { "Idempotency-Key": item.key },
        }),
      ),
    onMutate: (item) => {
      setOutgoing((list) => [...list.filter((o) => o.key !== item.key), { ...item, state: "sending" }]);
    },
    onSuccess: (result, item) => {
      queryClient.setQueryData<Message[]>(chatKeys.messages(id), (list = []) => [
        ...list.filter((m) => m.id !== result.message.id && m.id !== result.reply.id),
        result.message,
        result.reply,
      ]);
      setJobs((j) => ({ ...j, [result.reply.id]: result.job.id }));
      if (result.needsSupport) setNeedsSupport(true);
      setOutgoing((list) => list.filter((o) => o.key !== item.key));
      void queryClient.invalidateQueries({ queryKey: chatKeys.list });
    },
    onError: (error, item) => {
      setOutgoing((list) => list.map((o) => (o.key === item.key ? { ...o, state: "failed", error } : o)));
    },
  });

  const messageCount = (messages.data?.length ?? 0) + outgoing.length;
  useEffect(() => {
    endRef.current?.scrollIntoView({ block: "end" });
  }, [messageCount]);

  /** A send that may have reached the server keeps its Idempotency-Key; one the server refused gets a new one. */
  const retry = (item: Outgoing) => {
    setOutgoing((list) => list.filter((o) => o.key !== item.key));
    send.mutate({ ...item, key: isApiError(item.error, "network") ? item.key : newKey() });
  };

  const submit = form.handleSubmit(({ content }) => {
    send.mutate({ key: newKey(), content, state: "sending" });
    form.reset({ content: "" });
  });

  if (conversation.isError) return <ErrorView error={conversation.error} retry={() => void conversation.refetch()} />;
  if (messages.isError) return <ErrorView error={messages.error} retry={() => void messages.refetch()} />;
  if (!conversation.data || !messages.data) return <Loading label="Loading the conversation…" />;

  const list = messages.data;
  const onReplyDone = () => void queryClient.invalidateQueries({ queryKey: chatKeys.messages(id) });


  return (
    <div className="flex flex-col gap-4 py-6">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <Link to="/chat" className="text-sm font-medium text-brand-700 underline underline-offset-2">
            All conversations
          </Link>
          <PageHeading title={conversation.data.title}>{conversation.data.title}</PageHeading>
        </div>
        {conversation.data.assessmentId && (
          <ButtonLink variant="secondary" to={`/assessments/${conversation.data.assessmentId}/results`}>
            View the results
          </ButtonLink>
        )}
      </div>

      <div role="log" aria-label="Messages" aria-live="polite" className="rounded-xl bg-slate-100 p-3 sm:p-4">
        <ol className="space-y-3">
          {list.length === 0 && outgoing.length === 0 && (
            <li className="py-6 text-center text-slate-700">Ask the coach anything about your results, or about how you've been.</li>
          )}
          {list.map((m, i) => {
            if (m.role === "assistant" && m.status === "pending") return <PendingReply key={m.id} jobId={jobs[m.id]} onDone={onReplyDone} />;
            if (m.role === "assistant" && m.status === "failed") {
              const question = list
                .slice(0, i)
                .reverse()
                .find((p) => p.role === "user");
              return (
                <Bubble key={m.id} role="assistant" tone="failed">
                  <p className="font-medium">The coach couldn't reply to this message.</p>
                  {question && (
                    <Button
                      variant="secondary"
                      className="mt-2"
                      disabled={send.isPending}
                      onClick={() => send.mutate({ key: newKey(), content: question.content, state: "sending" })}
                    >
                      Retry
                    </Button>
                  )}
                </Bubble>
              );
            }
            return (
              <Bubble key={m.id} role={m.role}>
                {m.role === "assistant" ? <Prose text={m.content} /> : <p className="whitespace-pre-wrap">{m.content}</p>}
              </Bubble>
            );
          })}
          {outgoing.map((o) => (
            <OutgoingBubble key={o.key} item={o} onRetry={() => retry(o)} />
          ))}
          <li ref={endRef} aria-hidden="true" />
        </ol>
      </div>

      <SupportPanel context="chat" urgent={needsSupport || conversation.data.supportFlaggedAt !== null} />

      <form onSubmit={submit} noValidate className="sticky bottom-0 -mx-4 border-t border-slate-200 bg-slate-50/95 px-4 pt-3 pb-4 backdrop-blur">
        <label htmlFor="composer" className="mb-1 block text-sm font-semibold text-slate-800">
          Message the coach
        </label>
        <div className="flex items-end gap-2">
          <textarea
            id="composer"
            rows={2}
            maxLength={MAX_MESSAGE}
            className="block w-full resize-y rounded-lg border border-slate-400 bg-white px-3 py-2 text-base"
            aria-invalid={form.formState.errors.content ? true : undefined}
            aria-describedby="composer-help"
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault();
                void submit();
              }
            }}
            {...form.register("content")}
          />
          <Button type="submit">Send</Button>
        </div>
        <p id="composer-help" className="mt-1 text-sm text-slate-600">
          {form.formState.errors.content ? (
            <span className="font-medium text-red-700">{form.formState.errors.content.message}</span>
          ) : length > MAX_MESSAGE - 500 ? (
            `${MAX_MESSAGE - length} characters left`
          ) : (
            "Enter sends, Shift+Enter starts a new line."
          )}
        </p>
      </form>
    </div>
  );
}

function OutgoingBubble({ item, onRetry }: { item: Outgoing; onRetry: () => void }) {
  if (item.state === "sending") {
    return (
      <>
        <Bubble role="user">
          <p className="whitespace-pre-wrap">{item.content}</p>
          <p className="mt-1 text-xs text-brand-100">Sending…</p>
        </Bubble>
        <PendingReply jobId={undefined} onDone={() => undefined} />
      </>
    );
  }
  const copy = describeError(item.error);
  return (
    <Bubble role="user" tone="failed">
      <p className="whitespace-pre-wrap">{item.content}</p>
      <p className="mt-2 text-sm font-medium">Not sent. {copy.message}</p>
      <Button variant="secondary" className="mt-2" onClick={onRetry}>
        Retry
      </Button>
    </Bubble>
  );
}
