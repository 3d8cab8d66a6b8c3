import { Progress } from "radix-ui";

export function ProgressBar({ value, max, label }: { value: number; max: number; label: string }) {
  const percent = max === 0 ? 0 : Math.round((value / max) * 100);
  return (
    <Progress.Root
      value={value}
      max={max}
      aria-label={label}
      getValueLabel={(v, m) => `${v} of ${m} answered`}
      className="relative h-3 w-full overflow-hidden rounded-full bg-slate-200"
    >
      <Progress.Indicator className="h-full bg-brand-600 transition-[width]" style={{ width: `${percent}%` }} />
    </Progress.Root>
  );
}
