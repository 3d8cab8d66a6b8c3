import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { api, unwrap } from "../api/client.ts";
import { describeError, isApiError } from "../api/errors.ts";
import type { Assessment, Template } from "../api/types.ts";
import { navigate } from "../app/router.tsx";
import { Alert } from "../ui/Alert.tsx";
import { Button } from "../ui/Button.tsx";
import { ErrorView } from "../ui/ErrorView.tsx";
import { FormError } from "../ui/FormError.tsx";
import { Loading } from "../ui/Loading.tsx";
import { PageHeading } from "../ui/PageHeading.tsx";
import { ProgressBar } from "../ui/ProgressBar.tsx";
import { assessmentKeys, useAssessment, useTemplate } from "./queries.ts";
import { QuestionInput } from "./QuestionInput.tsx";
import { countAnswered, groupSections, missingRequired, resumeSection, sectionOf } from "./sections.ts";
import type { SaveStatus } from "./answerSaver.ts";
import { useAutosave } from "./useAutosave.ts";

function SaveIndicator({ status, onRetry }: { status: SaveStatus; onRetry: () => void }) {
  const text: Record<SaveStatus["state"], string> = {
    saved: "All answers saved",
    unsaved: "Saving soon…",
    saving: "Saving…",
    offline: "Offline: your answers are kept here and saved when you reconnect",
    failed: status.state === "failed" ? `Not saved: ${describeError(status.error).message}` : "",
  };
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm" data-testid="save-status">
      <p role="status" className={status.state === "failed" || status.state === "offline" ? "font-medium text-amber-900" : "text-slate-600"}>
        {status.state === "saved" && <span aria-hidden="true">✓ </span>}
        {text[status.state]}
      </p>
      {status.state === "failed" && (
        <Button variant="ghost" className="min-h-8 px-2 py-1" onClick={onRetry}>
          Retry now
        </Button>
      )}
    </div>
  );
}

function TakeAssessment({ assessment, template }: { assessment: Assessment; template: Template }) {
  const queryClient = useQueryClient();
  const { answers, setAnswer, flush, status, rejected } = useAutosave(assessment.id, assessment.answers);
  const sections = groupSections(template.questions);
  const [index, setIndex] = useState(() => resumeSection(sections, assessment.answers));
  const [missing, setMissing] = useState<Record<string, string>>({});
  const headingRef = useRef<HTMLHeadingElement>(null);
  const firstRender = useRef(true);
  const section = sections[index] ?? { title: null, questions: [] };
  const isLast = index === sections.length - 1;
  const answered = countAnswered(template.questions, answers);
  const numberOf = new Map(template.questions.map((q, i) => [q.id, i + 1]));

  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    headingRef.current?.focus();
  }, [index]);

  const submit = useMutation({
    meta: { ai: true },
    mutationFn: async () => {
      await flush();
      return unwrap(api.POST("/api/v1/assessments/{id}/submit", { params: { path: { id: assessment.id } } }));
    },
    onSuccess: ({ assessment: submitted, job }) => {
      navigate(`/assessments/${submitted.id}/results?job=${encodeURIComponent(job.id)}`);
      queryClient.setQueryData(assessmentKeys.detail(submitted.id), submitted);
      void queryClient.invalidateQueries({ queryKey: assessmentKeys.list });
    },
    onError: (err) => {
      if (isApiError(err, "conflict")) navigate(`/assessments/${assessment.id}/results`, { replace: true });
      if (isApiError(err, "validation_failed")) {
        const messages: Record<string, string> = {};
        for (const detail of err.details) {
          const q = template.questions.find((question) => detail.path.split(".").includes(question.id));
          if (q) messages[q.id] = detail.message;
        }
        setMissing(messages);
        const first = Object.keys(messages)[0];
        if (first !== undefined) goTo(sectionOf(sections, first));
      }
    },
  });

  function goTo(next: number) {
    if (next < 0 || next >= sections.length) return;
    setIndex(next);
    window.scrollTo(0, 0);
  }

  function checkSection(): boolean {
    const unanswered = missingRequired(section.questions, answers);
    const messages = Object.fromEntries(unanswered.map((q) => [q.id, "Please answer this question"]));
    setMissing((m) => ({ ...m, ...messages }));
    const first = unanswered[0];
    if (first) {
      document.querySelector<HTMLElement>(`[data-question="${CSS.escape(first.id)}"] input, [data-question="${CSS.escape(first.id)}"] textarea`)?.focus();
      return false;
    }
    return true;
  }

  const onNext = () => {
    if (!checkSection()) return;
    void flush();
    if (isLast) submit.mutate();
    else goTo(index + 1);
  };

  return (
    <div className="space-y-6 py-6">
      <div>
        <p className="text-sm font-medium text-brand-700">Assessment · about {template.estimatedMinutes} min</p>
        <PageHeading title={template.title}>{template.title}</PageHeading>
      </div>
      <div className="space-y-2">
        <div className="flex flex-wrap justify-between gap-2 text-sm text-slate-700">
          <span>
            Section {index + 1} of {sections.length}
          </span>
          <span>
            {answered} of {template.questions.length} answered
          </span>
        </div>
        <ProgressBar value={answered} max={template.questions.length} label="Progress" />
        <SaveIndicator status={status} onRetry={() => void flush()} />
      </div>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          onNext();
        }}
        className="space-y-4"
      >
        <h2 ref={headingRef} tabIndex={-1} className="text-xl font-semibold text-slate-900 outline-none">
          {section.title ?? `Part ${index + 1}`}
        </h2>
        {section.questions.map((q) => (
          <QuestionInput
            key={q.id}
            question={q}
            number={numberOf.get(q.id) ?? 0}
            value={answers[q.id]}
            error={rejected[q.id] ?? missing[q.id]}
            onChange={(value) => {
              setAnswer(q.id, value);
              setMissing(({ [q.id]: _cleared, ...rest }) => rest);
            }}
          />
        ))}
        {!isApiError(submit.error, "validation_failed") && <FormError error={submit.error} />}
        {isApiError(submit.error, "ai_quota_exhausted") && (
          <Alert tone="info">Your answers are saved. Submit again once the quota resets, or come back later: this assessment will wait for you.</Alert>
        )}
        <div className="flex flex-wrap justify-between gap-3 pt-2">
          <Button variant="secondary" onClick={() => goTo(index - 1)} disabled={index === 0}>
            Back
          </Button>
          <Button type="submit" busy={submit.isPending}>
            {isLast ? "Submit answers" : "Next"}
          </Button>
        </div>
      </form>
    </div>
  );
}

/** Take an assessment: loads the draft and its template, then one section at a time. */
export function AssessmentPage({ id }: { id: string }) {
  const assessment = useAssessment(id);
  const template = useTemplate(assessment.data?.templateSlug, assessment.data?.templateVersion);
  const submitted = assessment.data !== undefined && assessment.data.status !== "draft";
  useEffect(() => {
    if (submitted) navigate(`/assessments/${id}/results`, { replace: true });
  }, [submitted, id]);
  if (assessment.isError) return <ErrorView error={assessment.error} retry={() => void assessment.refetch()} />;
  if (template.isError) return <ErrorView error={template.error} retry={() => void template.refetch()} />;
  if (!assessment.data || !template.data || submitted) return <Loading label="Loading your assessment…" />;
  return <TakeAssessment assessment={assessment.data} template={template.data} />;
}
