import { formatClock, formatWait } from "../api/errors.ts";
import { useNow } from "../ui/useNow.ts";
import { useOnline, useQuotaResetAt } from "./notices.ts";

/** Offline and AI-quota notices, shown above every screen while they hold. */
export function Banners() {
  const online = useOnline();
  const quotaResetAt = useQuotaResetAt();
  const now = useNow(1000, quotaResetAt !== null);
  const quotaActive = quotaResetAt !== null && quotaResetAt > now;
  return (
    <div className="empty:hidden">
      {!online && (
        <div role="status" className="bg-slate-800 px-4 py-2 text-center text-sm text-white">
          <strong>You're offline.</strong> You can keep answering: your answers are saved as soon as you reconnect.
        </div>
      )}
      {quotaActive && (
        <div role="status" data-testid="quota-banner" className="border-b border-amber-300 bg-amber-50 px-4 py-2 text-center text-sm text-amber-950">
          <strong>Today's AI quota is spent.</strong> New analyses and coach replies resume at{" "}
          <time dateTime={new Date(quotaResetAt).toISOString()}>{formatClock(new Date(quotaResetAt))}</time> (in{" "}
          {formatWait((quotaResetAt - now) / 1000)}). Your scores and conversations are all still here.
        </div>
      )}
    </div>
  );
}
