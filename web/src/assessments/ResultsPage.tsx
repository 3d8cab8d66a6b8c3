import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "../api/client.ts";
import { isApiError } from "../api/errors.ts";
import type { Assessment, Template } from "../api/types.ts";
import { useJob } from "../api/useJob.ts";
import { navigate, useLocation } from "../app/router.tsx";
import { chatKeys, useConversations } from "../chat/queries.ts";
import { Alert } from "../ui/Alert.tsx";
import { Button, ButtonLink } from "../ui/Button.tsx";
import { ErrorView } from "../ui/ErrorView.tsx";
import { FormError } from "../ui/FormError.tsx";
import { Loading } from "../ui/Loading.tsx";
import { PageHeading } from "../ui/PageHeading.tsx";
import { SupportPanel } from "../support/SupportPanel.tsx";
import { formatDate } from "../ui/dates.ts";
import { AnalysisProgress } from "./AnalysisProgress.tsx";
import { Prose } from "./Prose.tsx";
import { assessmentKeys, useAssessment, useTemplate } from "./queries.ts";
import { ScoreChart } from "./ScoreChart.tsx";
import { trendKeys } from "../trends/queries.ts";
import { ResultTrend } from "../trends/ResultTrend.tsx";

/**
 * Runs a failed analysis again. A request that may have reached the server keeps its
 * Idempotency-Key (a second click cannot start a second job); one the server refused gets a new one.
 */
function TryAgain({ assessment }: { assessment: Assessment }) {
  const queryClient = useQueryClient();
  const [key, setKey] = useState(() => crypto.randomUUID());
  const again = useMutation({
    meta: { ai: true },
    mutationFn: () =>
      unwrap(api.POST("/api/v1/assessments/{id}/analysis", { params: { path: { id: assessment.id } }, headers: { "Idempotency-Key": key } })),
    onSuccess: ({ assessment: analyzing, job }) => {
      queryClient.setQueryData(assessmentKeys.detail(analyzing.id), analyzing);
      void queryClient.invalidateQueries({ queryKey: assessmentKeys.list });
      navigate(`/assessments/${analyzing.id}/results?job=${encodeURIComponent(job.id)}`, { replace: true });
    },
    onError: (error) => {
      if (!isApiError(error, "network")) setKey(crypto.randomUUID());
      if (isApiError(error, "conflict")) void queryClient.invalidateQueries({ queryKey: assessmentKeys.detail(assessment.id) });
    },
  });
  return (
    <div className="space-y-3">
      <Alert
        tone="warning"
        title="The analysis couldn't be written"
        action={
          <Button variant="secondary" busy={again.isPending} onClick={() => again.mutate()}>
            Try again
          </Button>
        }
      >
        The AI didn't manage to write an analysis this time. Your scores above are complete; you can ask for the analysis again, or talk them
        through with the coach.
      </Alert>
      <FormError error={again.error} />
    </div>
  );
}

function Analysis({ assessment, jobId }: { assessment: Assessment; jobId: string | null }) {
  const queryClient = useQueryClient();
  const analyzing = assessment.status === "analyzing";
  const progress = useJob(analyzing ? jobId : null, () => {
    void queryClient.invalidateQueries({ queryKey: assessmentKeys.detail(assessment.id) });
    void queryClient.invalidateQueries({ queryKey: assessmentKeys.list });
    void queryClient.invalidateQueries({ queryKey: trendKeys.of(assessment.templateSlug) });
  });
  if (analyzing) return <AnalysisProgress progress={jobId ? progress : null} />;
  if (assessment.status === "failed") return <TryAgain assessment={assessment} />;
  if (assessment.status === "complete" && !assessment.analysis) {
    return (
      <Alert tone="warning" title="The analysis couldn't be written">
        The AI didn't manage to write an analysis this time. Your scores above are complete, and you can still talk them through with the coach.
      </Alert>
    );
  }
  return (
    <div className="rounded-xl bg-white p-4 ring-1 ring-slate-200 sm:p-6" data-testid="analysis">
      <Prose text={assessment.analysis ?? ""} />
    </div>
  );
}

function CoachLink({ assessment, template }: { assessment: Assessment; template: Template }) {
  const queryClient = useQueryClient();
  const conversations = useConversations();
  const existing = conversations.data?.items.find((c) => c.assessmentId === assessment.id);
  const create = useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/v1/conversations", { body: { assessmentId: assessment.id, title: `About my ${template.title} results` } })),
    onSuccess: (conversation) => {
      queryClient.setQueryData(chatKeys.detail(conversation.id), conversation);
      void queryClient.invalidateQueries({ queryKey: chatKeys.list });
      navigate(`/chat/${conversation.id}`);
    },
  });
  return (
    <div className="space-y-3">
      {existing ? (
        <ButtonLink to={`/chat/${existing.id}`}>Continue the conversation with the coach</ButtonLink>
      ) : (
        <Button busy={create.isPending} disabled={conversations.isPending} onClick={() => create.mutate()}>
          Talk it through with the coach
        </Button>
      )}
      <FormError error={create.error} />
    </div>
  );
}

/** Results: the scores at once, the analysis when its job finishes, and the way into the coach. */
export function ResultsPage({ id }: { id: string }) {
  const { search } = useLocation();
  const jobId = search.get("job");
  const assessment = useAssessment(id, { pollMs: jobId === null ? 2500 : 10_000 });
  const template = useTemplate(assessment.data?.templateSlug, assessment.data?.templateVersion);
  if (assessment.isError) return <ErrorView error={assessment.error} retry={() => void assessment.refetch()} />;
  if (template.isError) return <ErrorView error={template.error} retry={() => void template.refetch()} />;
  if (!assessment.data || !template.data) return <Loading label="Loading your results…" />;
  const a = assessment.data;
  const t = template.data;
  if (a.status === "draft") {
    return (
      <div className="space-y-4 py-6">
        <PageHeading title={t.title}>{t.title}</PageHeading>
        <Alert tone="info">This assessment isn't submitted yet.</Alert>
        <ButtonLink to={`/assessments/${a.id}`}>Continue answering</ButtonLink>
      </div>
    );
  }
  return (
    <div className="space-y-8 py-6">
      <div>
        <p className="text-sm font-medium text-brand-700">Results · {formatDate(a.submittedAt)}</p>
        <PageHeading title={`${t.title} results`}>Your {t.title} results</PageHeading>
      </div>
      <section aria-labelledby="scores" className="space-y-3">
        <h2 id="scores" className="text-xl font-semibold text-slate-900">
          Scores
        </h2>
        {a.scores ? <ScoreChart scales={t.scales} questions={t.questions} scores={a.scores} /> : <Loading label="Computing your scores…" />}
      </section>
      {a.needsSupport && <SupportPanel context="results" urgent />}
      {a.scores && (
        <section aria-labelledby="over-time" className="space-y-3">
          <h2 id="over-time" className="text-xl font-semibold text-slate-900">
            Over time
          </h2>
          <ResultTrend assessment={a} title={t.title} />
        </section>
      )}
      <section aria-labelledby="analysis" className="space-y-3">
        <h2 id="analysis" className="text-xl font-semibold text-slate-900">
          Analysis
        </h2>
        <Analysis assessment={a} jobId={jobId} />
      </section>
      <section aria-labelledby="coach" className="space-y-3">
        <h2 id="coach" className="text-xl font-semibold text-slate-900">
          Talk it through
        </h2>
        <p className="text-slate-700">The coach sees these scores and can help you make sense of them.</p>
        <CoachLink assessment={a} template={t} />
      </section>
    </div>
  );
}
