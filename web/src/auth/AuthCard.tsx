import type { ReactNode } from "react";

/** The signed-out screens' frame: the brand and one card, centred, full width on a phone. */
export function AuthCard({ children }: { children: ReactNode }) {
  return (
    <div className="mx-auto w-full max-w-md py-6 sm:py-12">
      <div className="rounded-2xl bg-white p-6 shadow-sm ring-1 ring-slate-200 sm:p-8">{children}</div>
    </div>
  );
}
