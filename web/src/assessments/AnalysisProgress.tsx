import type { JobProgress } from "../api/useJob.ts";

type Step = "queued" | "running" | "done";

const steps: { key: Step; label: string }[] = [
  { key: "queued", label: "Waiting for the AI" },
  { key: "running", label: "Writing your analysis" },
  { key: "done", label: "Ready" },
];

/** The analysis job's progress as steps, announced politely as it moves. */
export function AnalysisProgress({ progress }: { progress: JobProgress | null }) {
  const update = progress?.phase === "update" ? progress.update : null;
  const current: Step = update?.status === "running" ? "running" : update && update.status !== "queued" ? "done" : "queued";
  const currentIndex = steps.findIndex((s) => s.key === current);
  const attempts = update?.attempts ?? 0;
  const message =
    current === "queued"
      ? "Your analysis is queued. It usually takes a few seconds."
      : current === "running"
        ? attempts > 1
          ? `Writing your analysis (attempt ${attempts})…`
          : "Writing your analysis…"
        : "Your analysis is ready.";
  return (
    <div className="rounded-xl bg-white p-4 ring-1 ring-slate-200 sm:p-6" data-testid="analysis-progress">
      <p role="status" className="flex items-center gap-3 font-medium text-slate-900">
        <span aria-hidden="true" className="size-5 animate-spin rounded-full border-2 border-brand-600 border-t-transparent" />
        {message}
      </p>
      <ol className="mt-4 grid gap-2 text-sm sm:grid-cols-3">
        {steps.map((step, i) => {
          const state = i < currentIndex ? "done" : i === currentIndex ? "current" : "todo";
          return (
            <li
              key={step.key}
              aria-current={state === "current" ? "step" : undefined}
              className={`rounded-lg px-3 py-2 ${
                state === "done" ? "bg-emerald-50 text-emerald-900" : state === "current" ? "bg-brand-50 font-semibold text-brand-900" : "bg-slate-100 text-slate-600"
              }`}
            >
              <span aria-hidden="true">{state === "done" ? "✓ " : `${i + 1}. `}</span>
              {step.label}
              {state === "done" && <span className="sr-only"> (done)</span>}
            </li>
          );
        })}
      </ol>
      {progress?.phase === "lost" && <p className="mt-3 text-sm text-slate-600">Lost track of the job; checking the assessment instead.</p>}
    </div>
  );
}
