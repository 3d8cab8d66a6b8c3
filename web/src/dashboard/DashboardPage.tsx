import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../api/client.ts";
import type { Assessment, TemplateSummary } from "../api/types.ts";
import { navigate } from "../app/router.tsx";
import { assessmentKeys, useAssessments, useTemplates } from "../assessments/queries.ts";
import { StatusBadge } from "../assessments/StatusBadge.tsx";
import { useUser } from "../auth/useSession.ts";
import { Button, ButtonLink } from "../ui/Button.tsx";
import { ErrorView } from "../ui/ErrorView.tsx";
import { FormError } from "../ui/FormError.tsx";
import { Loading } from "../ui/Loading.tsx";
import { PageHeading } from "../ui/PageHeading.tsx";
import { formatDate } from "../ui/dates.ts";
import { Progress } from "../trends/Progress.tsx";

function AssessmentRow({ assessment, title }: { assessment: Assessment; title: string }) {
  const draft = assessment.status === "draft";
  const href = draft ? `/assessments/${assessment.id}` : `/assessments/${assessment.id}/results`;
  return (
    <li className="flex flex-wrap items-center justify-between gap-3 py-4">
      <div className="min-w-0">
        <p className="font-semibold text-slate-900">{title}</p>
        <p className="text-sm text-slate-600">
          {draft ? "Started" : "Submitted"} {formatDate(assessment.submittedAt ?? assessment.createdAt)}
        </p>
      </div>
      <div className="flex items-center gap-3">
        <StatusBadge status={assessment.status} />
        <ButtonLink to={href} variant={draft ? "primary" : "secondary"} aria-label={`${draft ? "Continue" : "View results of"} ${title}`}>
          {draft ? "Continue" : "View results"}
        </ButtonLink>
      </div>
    </li>
  );
}

function MyAssessments({ titles }: { titles: Map<string, string> }) {
  const list = useAssessments();
  if (list.isPending) return <Loading label="Loading your assessments…" />;
  if (list.isError) return <ErrorView error={list.error} retry={() => void list.refetch()} />;
  const items = list.data.pages.flatMap((p) => p.items);
  if (items.length === 0) {
    return <p className="rounded-xl border border-dashed border-slate-300 bg-white p-6 text-slate-700">You haven't taken an assessment yet. Pick one below to start.</p>;
  }
  return (
    <>
      <ul className="divide-y divide-slate-200 rounded-xl bg-white px-4 ring-1 ring-slate-200 sm:px-6">
        {items.map((a) => (
          <AssessmentRow key={a.id} assessment={a} title={titles.get(a.templateSlug) ?? a.templateSlug} />
        ))}
      </ul>
      {list.hasNextPage && (
        <Button variant="secondary" className="mt-4" busy={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          Show older assessments
        </Button>
      )}
    </>
  );
}

function TemplateCard({ template, onStart, starting }: { template: TemplateSummary; onStart: () => void; starting: boolean }) {
  return (
    <li className="flex flex-col rounded-xl bg-white p-5 ring-1 ring-slate-200">
      <h3 className="text-lg font-semibold text-slate-900">{template.title}</h3>
      <p className="mt-1 flex-1 text-sm text-slate-700">{template.description}</p>
      <p className="mt-3 text-sm text-slate-600">
        {template.questionCount} questions · about {template.estimatedMinutes} min
      </p>
      <Button className="mt-4 self-start" busy={starting} onClick={onStart} aria-label={`Start ${template.title}`}>
        Start
      </Button>
    </li>
  );
}

export function DashboardPage() {
  const user = useUser();
  const templates = useTemplates();
  const queryClient = useQueryClient();
  const start = useMutation({
    mutationFn: (templateSlug: string) => unwrap(api.POST("/api/v1/assessments", { body: { templateSlug } })),
    onSuccess: (assessment) => {
      queryClient.setQueryData(assessmentKeys.detail(assessment.id), assessment);
      void queryClient.invalidateQueries({ queryKey: assessmentKeys.list });
      navigate(`/assessments/${assessment.id}`);
    },
  });
  const titles = new Map((templates.data?.items ?? []).map((t) => [t.slug, t.title]));
  const assessments = useAssessments();

  return (
    <div className="space-y-10 py-6">
      <PageHeading title="Dashboard">Hello, {user.displayName}</PageHeading>
      <Progress assessments={assessments.data?.pages.flatMap((p) => p.items) ?? []} titles={titles} />
      <section aria-labelledby="mine">
        <h2 id="mine" className="mb-3 text-xl font-semibold text-slate-900">
          Your assessments
        </h2>
        <MyAssessments titles={titles} />
      </section>
      <section aria-labelledby="start">
        <h2 id="start" className="mb-3 text-xl font-semibold text-slate-900">
          Start a new assessment
        </h2>
        <FormError error={start.error} />
        {templates.isPending && <Loading label="Loading questionnaires…" />}
        {templates.isError && <ErrorView error={templates.error} retry={() => void templates.refetch()} />}
        {templates.data && (
          <ul className="mt-3 grid gap-4 sm:grid-cols-2">
            {templates.data.items.map((t) => (
              <TemplateCard key={t.slug} template={t} starting={start.isPending && start.variables === t.slug} onStart={() => start.mutate(t.slug)} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
