import { ApiRequestError, describeError } from "../api/errors.ts";
import { useOnline } from "../app/notices.ts";
import { Alert } from "./Alert.tsx";
import { Button, ButtonLink } from "./Button.tsx";
import { PageHeading } from "./PageHeading.tsx";
import { useNow } from "./useNow.ts";

/**
 * A failed screen load, designed per cause: not found, offline, rate limited (with the wait),
 * AI quota, server trouble. `retry` re-runs the query; it waits out any `Retry-After`.
 */
export function ErrorView({ error, retry }: { error: unknown; retry?: () => void }) {
  const online = useOnline();
  const retryAt = error instanceof ApiRequestError ? error.retryAt?.getTime() ?? null : null;
  const now = useNow(1000, retryAt !== null);
  if (error instanceof ApiRequestError && error.code === "not_found") return <NotFound />;
  const copy = describeError(error, now);
  const waiting = retryAt !== null && retryAt > now;
  const title = !online ? "You're offline" : copy.title;
  const message = !online ? "Reconnect to load this page. It will load by itself when you are back online." : copy.message;
  return (
    <div className="space-y-4 py-6">
      <PageHeading title={title}>{title}</PageHeading>
      <Alert tone="error" title={title}>
        {message}
      </Alert>
      {retry && online && (
        <Button variant="secondary" onClick={retry} disabled={waiting}>
          {waiting ? "Try again (wait…)" : "Try again"}
        </Button>
      )}
    </div>
  );
}

export function NotFound() {
  return (
    <div className="space-y-4 py-6">
      <PageHeading title="Not found">Page not found</PageHeading>
      <p className="text-slate-700">This page doesn't exist, or it belongs to someone else.</p>
      <ButtonLink to="/">Go to your dashboard</ButtonLink>
    </div>
  );
}
