import type { Assessment } from "../api/types.ts";

const look: Record<Assessment["status"], { label: string; className: string }> = {
  draft: { label: "In progress", className: "bg-slate-100 text-slate-800" },
  analyzing: { label: "Analysing", className: "bg-amber-100 text-amber-900" },
  complete: { label: "Complete", className: "bg-emerald-100 text-emerald-900" },
  failed: { label: "Analysis failed", className: "bg-red-100 text-red-900" },
};

export function StatusBadge({ status }: { status: Assessment["status"] }) {
  const { label, className } = look[status];
  return <span className={`rounded-full px-2.5 py-1 text-xs font-semibold ${className}`}>{label}</span>;
}
